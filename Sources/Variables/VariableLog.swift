import MM

/// Non-volatile UEFI variables kept as a power-cut-safe log in NOR flash
/// (layout and reasoning: docs/variable-store.md, constants: `VariableLogFormat`).
///
/// The RAM index holds an entry per durable variable (its key's GUID and hash, attributes,
/// sizes and record location: `VariableLogEntry`); names and values are read from the flash,
/// where mount checked every record it kept (header, bounds, checksums). A put appends one record and commits it with one word; a remove clears one word. When the
/// log runs out of space, the oldest block's live records are copied forward and the block is
/// erased; one block is always kept spare for that. Mounting (`init`) replays the log, keeps
/// every committed record and finishes whatever a power cut interrupted.
public struct FlashVariableLog<F: Flash>: VariablePersistence {
    /// The medium (a test reads it back to "reboot" on the same bytes).
    public internal(set) var flash: F
    /// Largest name + data of one variable.
    public let maximumVariableSize: Int
    /// Bytes of footprints the store can always hold (see `footprint(of:)`).
    public let capacity: Int
    /// Sum of the footprints of the variables held now.
    public internal(set) var usedBytes = 0
    /// What the RAM index may hold (variables, bytes); see `VariableLogLimits`.
    public let limits: VariableLogLimits
    /// Sum of the index costs of the variables held now (`indexCost(of:)`).
    public internal(set) var indexBytes = 0
    /// A put of a variable whose footprint is at most this succeeds: the flash has room for its
    /// record, the index for its RAM, and it may add a variable. 0 once the count is reached
    /// (updates of held variables may still fit).
    public var remaining: Int {
        guard entries.count < limits.maximumVariableCount else { return 0 }
        // A record's footprint is at least name + data + 48, its index cost name + data + 256.
        let slack = VariableLogLimits.entryOverhead - VariableLogFormat.footprint(nameCount: 0, dataCount: 0)
        return max(0, min(capacity - usedBytes, limits.indexCapacity - indexBytes - slack))
    }
    public internal(set) var statistics = VariableLogStatistics()
    /// Set when a program or erase failed: the store then refuses changes (`.deviceError`)
    /// until it is mounted again, because RAM may no longer match the flash.
    public internal(set) var hasFailed = false
    public let blockCount: Int
    public let blockSize: Int
    /// Mount found no log (a blank or unrecognisable region) and formatted it.
    public internal(set) var foundNoLog = false

    /// The index, in no particular order (VariableLogIndex.swift).
    var entries: [VariableLogEntry] = []
    /// Hash table of positions in `entries`.
    var slots: [Int32] = []
    var deletedSlots = 0
    /// Positions in `entries` in key order (GetNextVariableName); rebuilt once after a mount.
    var order: [Int32] = []
    var orderDeferred = false
    var blocks: [VariableLogBlock] = []
    var nextSequence: UInt64 = 1
    /// Footprint of the largest variable.
    let maximumFootprint: Int
    /// Where records, reclaim marks and block headers are built before they are programmed (room
    /// for the largest record, kept). Each user fills it just before its program: `place`, which
    /// may reclaim and open blocks, comes before a put's record is encoded.
    var recordBuffer: [UInt8] = []

    /// Mounts the log in `flash`: recovers it when it is ours, and formats it when it is blank or
    /// unrecognisable. Throws `.deviceError` when the geometry cannot hold a log (fewer than two
    /// erase blocks, blocks too small or not 4-byte multiples) or when recovery cannot program.
    /// `maximumVariableSize` is lowered to what the geometry allows (half a block's record area).
    @inline(never)   // a `make bench` boot mark (qemu/bench.py)
    public init(flash: F, maximumVariableSize: Int = VariableLogFormat.defaultMaximumVariableSize,
                limits: VariableLogLimits = VariableLogLimits()) throws(PersistenceError) {
        self.flash = flash
        self.limits = limits
        let e = flash.eraseBlockSize
        let n = e > 0 ? flash.size / e : 0
        blockSize = e; blockCount = n
        let overhead = VariableLogFormat.blockHeaderSize + 3 * VariableLogFormat.markFootprint
        // A variable's footprint may take at most half of what a block offers it.
        let half = e > overhead ? (e - overhead) / 2 : 0
        let largest = ((half - 4) & ~3) - VariableLogFormat.recordHeaderSize
        let v = min(max(maximumVariableSize, 0), largest)
        self.maximumVariableSize = max(v, 0)
        maximumFootprint = VariableLogFormat.footprint(nameCount: 0, dataCount: max(v, 0))
        capacity = n > 1 ? (n - 1) * (e - overhead - maximumFootprint) : 0
        guard e > 0, e % 4 == 0, e <= 1 << 30, n >= 2, n <= 1 << 16,
              flash.programGranule > 0, 4 % flash.programGranule == 0, largest >= 8
        else { hasFailed = true; throw .deviceError }
        blocks = [VariableLogBlock](repeating: VariableLogBlock(), count: n)
        recordBuffer.reserveCapacity(maximumFootprint)
        try mount()
    }

    public func footprint(of variable: StoredVariable) -> Int {
        VariableLogFormat.footprint(nameCount: variable.name.count, dataCount: variable.data.count)
    }

    /// The durable variable (guid, name), if any.
    public func variable(guid: EFIGuid, name: [UInt8]) -> StoredVariable? {
        index(guid: guid, name: name).map { stored($0) }
    }

    /// `mutating` only to be reached in place (see `VariablePersistence`).
    public mutating func variable(guid: EFIGuid, rawName: UnsafeRawBufferPointer) -> StoredVariable? {
        index(guid: guid, rawName: rawName).map { stored($0) }
    }

    public func attributes(guid: EFIGuid, rawName: UnsafeRawBufferPointer) -> UInt32? {
        index(guid: guid, rawName: rawName).map { entries[$0].attributes }
    }

    /// The value of (guid, name) without a copy: its attributes, size and where it is.
    public mutating func heldValue(guid: EFIGuid, rawName: UnsafeRawBufferPointer) -> HeldValue? {
        guard let i = position(guid: guid, rawName: rawName).position else { return nil }
        let e = entries[i]
        return HeldValue(attributes: e.attributes, count: e.dataCount, handle: dataOffset(e))
    }

    /// Reads the value `held` names (from `heldValue`, nothing changed since) into `buffer` at `at`.
    public func copyValue(_ held: HeldValue, to buffer: UnsafeMutableRawBufferPointer, at: Int) {
        guard held.count > 0 else { return }
        flash.read(offset: held.handle, into: UnsafeMutableRawBufferPointer(rebasing: buffer[at..<(at + held.count)]))
    }

    /// Whether the value of entry `i` is the bytes of `data`.
    mutating func valueEquals(_ i: Int, _ data: UnsafeRawBufferPointer) -> Bool {
        entries[i].dataCount == data.count && Self.flashEquals(flash, offset: dataOffset(entries[i]), data)
    }

    /// Fails with `.full` when name + data exceed `maximumVariableSize` or when the new record
    /// does not fit beside everything held now (the old value of the variable included: it
    /// stays until the new one is committed). A put equal to the durable value writes nothing.
    public mutating func put(_ variable: StoredVariable) throws(PersistenceError) {
        guard !hasFailed else { throw .deviceError }
        guard variable.name.count <= maximumVariableSize,
              variable.data.count <= maximumVariableSize - variable.name.count
        else { throw .full }
        let held = position(guid: variable.guid, name: variable.name)
        if let i = held, entries[i].attributes == variable.attributes,
           variable.data.withUnsafeBytes({ valueEquals(i, $0) }) { return }
        let fp = footprint(of: variable)
        // The old value stays counted until the new one is committed, for the RAM as for the flash.
        guard fp <= capacity - usedBytes, indexCost(of: variable) <= limits.indexCapacity - indexBytes,
              held != nil || entries.count < limits.maximumVariableCount
        else { throw .full }
        let at = try place(footprint: fp)
        // Encoded after `place`: a reclaim on the way uses the same buffer.
        encodeVariableLogRecord(into: &recordBuffer, kind: VariableLogFormat.kindVariable, guid: variable.guid,
                                name: variable.name, attributes: variable.attributes, data: variable.data)
        try commitRecord(recordBuffer, at: at)
        // Found again: a reclaim on the way may have moved the old record.
        variable.name.withUnsafeBytes { name in
            let (hash, found) = position(guid: variable.guid, rawName: name)
            if let i = found {
                markObsolete(entries[i].location)
                replace(i, attributes: variable.attributes, dataCount: variable.data.count, at: at)
            } else {
                insert(VariableLogEntry(guid: variable.guid, hash: hash, attributes: variable.attributes,
                                        nameCount: variable.name.count, dataCount: variable.data.count, location: at),
                       name: name)
            }
        }
    }

    /// `put` of a new value of the same size for a held variable, from a buffer: the record is
    /// encoded from `rawName` and `data` into the log's record buffer and committed the same way
    /// (this allocates nothing).
    public mutating func replaceValue(guid: EFIGuid, rawName: UnsafeRawBufferPointer, attributes: UInt32,
                                      data: UnsafeRawBufferPointer) throws(PersistenceError) -> Bool {
        guard let held = position(guid: guid, rawName: rawName).position, entries[held].attributes == attributes,
              entries[held].dataCount == data.count else { return false }
        guard !hasFailed else { throw .deviceError }
        // Equal to the durable value: nothing to write, as `put`.
        if valueEquals(held, data) { return true }
        let fp = entries[held].location.footprint  // same name, same data size: the same footprint
        guard fp <= capacity - usedBytes else { throw .full }
        let at = try place(footprint: fp)
        // Found again after `place`: a reclaim on the way may have moved the old record.
        guard let i = position(guid: guid, rawName: rawName).position else { return false }
        encodeVariableLogRecord(into: &recordBuffer, kind: VariableLogFormat.kindVariable, guid: guid,
                                rawName: rawName, attributes: attributes, data: data)
        try commitRecord(recordBuffer, at: at)
        markObsolete(entries[i].location)
        replace(i, attributes: attributes, dataCount: data.count, at: at)
        return true
    }

    /// Clears the obsolete word of the variable's record; never needs space.
    public mutating func remove(guid: EFIGuid, name: [UInt8]) throws(PersistenceError) {
        guard !hasFailed else { throw .deviceError }
        guard let i = position(guid: guid, name: name) else { return }
        let word = entries[i].location.block * blockSize + entries[i].location.offset + 4
        try setStateWord(word)
        name.withUnsafeBytes { delete(i, name: $0) }
    }

    /// Erases the whole region and starts an empty log.
    public mutating func format() throws(PersistenceError) {
        guard blockCount >= 2 else { throw .deviceError }
        hasFailed = false
        clearIndex()
        for b in 0..<blockCount {
            blocks[b].sequence = 0
            try eraseBlock(b)
        }
        _ = try openBlock()
    }

}

/// What the log did since it was mounted (for tests, trials and benchmarks).
public struct VariableLogStatistics: Equatable, Sendable {
    /// Blocks whose live records were copied forward before the block was erased.
    public var reclaims = 0
    public var blocksOpened = 0
    public var erases = 0
    /// Records committed: variables, their copies and reclaim marks.
    public var recordsWritten = 0
    /// Mount repairs: state words completed, superseded copies made obsolete, an interrupted
    /// reclaim's target block erased.
    public var repairs = 0
    /// Committed records whose checksum failed at mount (damaged flash); ignored.
    public var damagedRecords = 0
    /// Blocks mount found with bytes it cannot append after (a torn write); no longer written.
    public var sealedBlocks = 0
    /// Variable records past the store's limits (count or RAM) that mount found and made
    /// obsolete; only a flash we did not write holds them.
    public var droppedRecords = 0

    public init() {}
}

/// Where a variable's current record is.
struct VariableLogLocation: Equatable {
    var block: Int
    var offset: Int
    var footprint: Int
}

/// RAM view of one erase block.
struct VariableLogBlock {
    /// 0 when the block is not part of the log (free: erased, dead or garbage).
    var sequence: UInt64 = 0
    /// Offset of the next record (log blocks).
    var writeOffset = 0
    /// No more records go into this block.
    var sealed = true
    /// Free and known to be all 0xFF.
    var knownErased = false
    var eraseCount: UInt32 = 0

    var isLive: Bool { sequence != 0 }
}

extension VariableLogFormat {
    /// Default largest name + data of one variable (32 KiB: db/dbx-sized Secure Boot payloads).
    public static let defaultMaximumVariableSize = 0x8000
}
