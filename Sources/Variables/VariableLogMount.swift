import MM

/// Where a walk of a block's records is: the next record's offset, and how the walk ended.
struct VariableLogCursor {
    var offset = VariableLogFormat.blockHeaderSize
    /// The walk stopped at an erased header (or the block's end) rather than at bytes that are
    /// not a record.
    var endIsErased = true
    var done = false
}

/// The records the scan read and the replay acts on, with what the replay needs of their
/// headers, so that it reads no header twice: six words each in one flat allocation of fixed
/// capacity (a list of header structures costs a memory copy at every step, and an array's
/// append a uniqueness and capacity check per word).
struct VariableLogScannedRecords {
    static let words = 6
    let storage: UnsafeMutableBufferPointer<UInt64>
    private(set) var count = 0
    var capacity: Int { storage.count / VariableLogScannedRecords.words }

    init(capacity: Int) {
        storage = .allocate(capacity: max(capacity, 1) * VariableLogScannedRecords.words)
    }

    func free() { storage.deallocate() }

    /// Callers keep `count < capacity`.
    mutating func append(at: Int, _ h: VariableLogRecordHeader) {
        let w = count * VariableLogScannedRecords.words
        storage[w] = UInt64(UInt32(truncatingIfNeeded: at)) | UInt64(h.kind) << 32
        storage[w + 1] = UInt64(h.commitWord) | UInt64(h.obsoleteWord) << 32
        storage[w + 2] = UInt64(UInt32(truncatingIfNeeded: h.nameCount)) | UInt64(UInt32(truncatingIfNeeded: h.dataCount)) << 32
        storage[w + 3] = UInt64(h.attributes) | UInt64(h.bodyCRCState) << 32
        storage[w + 4] = h.guid.lo
        storage[w + 5] = h.guid.hi
        count += 1
    }

    mutating func truncate(to n: Int) { count = min(count, n) }

    /// Record `k`: its offset in its block and its header, as the scan decoded it.
    func record(_ k: Int) -> (at: Int, header: VariableLogRecordHeader) {
        let w = k * VariableLogScannedRecords.words
        let n = Int(UInt32(truncatingIfNeeded: storage[w + 2])), d = Int(storage[w + 2] >> 32)
        var h = VariableLogRecordHeader(
            commitWord: UInt32(truncatingIfNeeded: storage[w + 1]), obsoleteWord: UInt32(truncatingIfNeeded: storage[w + 1] >> 32),
            kind: UInt8(truncatingIfNeeded: storage[w] >> 32), nameCount: n, dataCount: d,
            attributes: UInt32(truncatingIfNeeded: storage[w + 3]), guid: EFIGuid(lo: storage[w + 4], hi: storage[w + 5]),
            footprint: VariableLogFormat.footprint(nameCount: n, dataCount: d))
        h.bodyCRCState = UInt32(truncatingIfNeeded: storage[w + 3] >> 32)
        return (Int(UInt32(truncatingIfNeeded: storage[w])), h)
    }
}

extension VariableLogRecordHeader {
    init(commitWord: UInt32, obsoleteWord: UInt32, kind: UInt8, nameCount: Int, dataCount: Int, attributes: UInt32,
         guid: EFIGuid, footprint: Int) {
        self.commitWord = commitWord; self.obsoleteWord = obsoleteWord; self.kind = kind
        self.nameCount = nameCount; self.dataCount = dataCount; self.attributes = attributes
        self.guid = guid; self.footprint = footprint
    }
}

/// One block as the scan left it: the records it kept for the replay (`first..<end` of the
/// scan's list) and where its walk ended; `kept` is false when the list's limit stopped it,
/// and then the replay walks the block itself.
struct VariableLogScannedBlock {
    var first = 0
    var end = 0
    var cursor = VariableLogCursor()
    var kept = true
}

/// The names of the variables a mount takes in, copied side by side (each at an 8-aligned
/// offset, `nameAt[position in entries]`) for the one sort of the key order that ends the mount:
/// read from the flash, each comparison would cost two reads. Freed when the mount ends.
struct VariableLogNameCopies {
    private(set) var bytes: UnsafeMutableRawBufferPointer
    private(set) var used = 0
    let nameAt: UnsafeMutablePointer<Int32>

    /// Room for `byteCount` bytes of names (it grows past that) and `count` positions.
    init(byteCount: Int, count: Int) {
        bytes = .allocate(byteCount: max(byteCount, 64), alignment: 8)
        nameAt = .allocate(capacity: max(count, 1))
    }

    func free() { bytes.deallocate(); nameAt.deallocate() }

    /// Copies `name` as the name of entry `position` (below the `count` of `init`). `name` starts
    /// 8-aligned, and the 8-byte rounding up of its size may be read.
    mutating func add(_ name: UnsafeRawBufferPointer, for position: Int) {
        let room = (name.count + 7) & ~7
        if bytes.count - used < room {
            let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: max(2 * bytes.count, used + room), alignment: 8)
            grown.baseAddress!.copyMemory(from: bytes.baseAddress!, byteCount: used)
            bytes.deallocate()
            bytes = grown
        }
        // By words: the name starts 8-aligned in the mount's buffer, which has room past it (the
        // body's CRC at least, and the buffer is rounded up to 8 bytes).
        // Typed word pointers: `storeBytes` is a byte store per byte under strict alignment.
        if let from = name.baseAddress {
            let to = (bytes.baseAddress! + used).assumingMemoryBound(to: UInt64.self)
            let words = from.assumingMemoryBound(to: UInt64.self)
            for i in 0..<(room >> 3) { to[i] = words[i] }
        }
        nameAt[position] = Int32(truncatingIfNeeded: used)
        used += room
    }
}

/// Mounting: finding the log, replaying it, finishing what a power cut interrupted.
extension FlashVariableLog {
    /// Records the scan keeps for the replay at most (RAM: 48 bytes each); a block past
    /// it is walked again by the replay, with the same result.
    var scanLimit: Int { limits.maximumVariableCount + 1024 }

    /// One walk over the flash, block by block, in memory bounded by the index's limits and time
    /// linear in the flash read (docs/variable-store.md, Mount):
    /// 1. the scan: every block header and every record header, the committed reclaim marks of
    ///    our blocks, and the records the replay acts on, kept in RAM;
    /// 2. the replay, over the blocks newer than every mark (the log), oldest first: a committed
    ///    current record of a variable replaces any earlier one, which is made obsolete at once
    ///    (so that later removes cannot uncover it), half-cleared state words are finished, and
    ///    records past the limits are made obsolete.
    mutating func mount() throws(PersistenceError) {
        clearIndex()
        // Records come in log order: the key order is sorted once at the end.
        orderDeferred = true
        // Plain values in one allocation (an array would bring its copy-on-write code for them).
        let scanned = UnsafeMutableBufferPointer<VariableLogScannedBlock>.allocate(capacity: blockCount)
        scanned.initialize(repeating: VariableLogScannedBlock())
        defer { scanned.deallocate() }
        // Allocated whole: a list that grew by copies would leave freed blocks under the index's
        // arrays, which every later allocation of the first-fit heap would walk past.
        var records = VariableLogScannedRecords(
            capacity: min(scanLimit, flash.size / VariableLogFormat.footprint(nameCount: 0, dataCount: 0)))
        defer { records.free() }
        var nameBytes = 0  // of the current variables the scan kept, each rounded up to 8
        var deadThrough: UInt64 = 0
        var highest: UInt64 = 0
        for b in 0..<blockCount {
            blocks[b] = VariableLogBlock()
            var raw: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 32 bytes on the stack
            let header = withUnsafeMutableBytes(of: &raw) { buffer in
                flash.read(offset: b * blockSize, into: buffer)
                return VariableLogBlockHeader(raw: UnsafeRawBufferPointer(buffer), eraseBlockSize: blockSize, blockCount: blockCount)
            }
            guard let header else { continue }
            blocks[b].eraseCount = header.eraseCount
            // The header's number until the log is known (below): then 0 unless the block is in it.
            blocks[b].sequence = header.sequence
            highest = max(highest, header.sequence)
            var scan = VariableLogScannedBlock(first: records.count, end: records.count)
            while let (at, h) = nextRecord(in: b, &scan.cursor) {
                if scan.kept && replayActs(on: h) {
                    if records.count < records.capacity {
                        records.append(at: at, h)
                        if h.kind == VariableLogFormat.kindVariable { nameBytes += (h.nameCount + 7) & ~7 }
                    } else {
                        scan.kept = false
                        records.truncate(to: scan.first)
                    }
                }
                guard h.kind == VariableLogFormat.kindReclaimMark, h.isCommitted else { continue }
                // A mark's body: its 8 data bytes and CRC (the header checked the sizes).
                var mark: (UInt64, UInt64) = (0, 0)
                let verified = withUnsafeMutableBytes(of: &mark) {
                    Self.verifiedBody(flash, at: b * blockSize + at, h, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<12]))
                }
                guard verified else { continue }
                let d = UInt64(littleEndian: mark.0)
                // A reclaim always writes its mark in a block newer than the one it kills. A mark
                // naming its own block or a newer one is not ours, and trusting it would let the
                // erase of its own (dead) block bring the blocks it killed back.
                if d < header.sequence { deadThrough = max(deadThrough, d) }
            }
            scan.end = records.count
            scanned[b] = scan
        }

        // The log: blocks newer than every reclaim mark, one per sequence number (the first
        // block holding it), oldest first; sorted by insertion, as the blocks are a handful.
        // The first `liveCount` of `live` (one allocation: no array code for a list of Ints).
        let live = UnsafeMutableBufferPointer<Int>.allocate(capacity: blockCount)
        defer { live.deallocate() }
        var liveCount = 0
        for b in 0..<blockCount {
            let sequence = blocks[b].sequence
            var taken = sequence <= deadThrough
            for i in 0..<liveCount where blocks[live[i]].sequence == sequence { taken = true }
            if taken { blocks[b].sequence = 0; continue }
            var k = liveCount
            liveCount += 1
            while k > 0 && blocks[live[k - 1]].sequence > sequence { live[k] = live[k - 1]; k -= 1 }
            live[k] = b
        }
        // No free block means a reclaim was cut before its mark: the newest block holds only
        // copies of records the oldest still has (or a torn mark), so it goes.
        if liveCount == blockCount && liveCount > 0 {
            liveCount -= 1
            statistics.repairs += 1
            try eraseBlock(live[liveCount])
        }

        // The body of the record replayed (the largest a put writes; a longer one, which only a
        // flash we did not write holds, gets its own), and the names taken in, for the sort.
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: (maximumFootprint + 7) & ~7, alignment: 8)
        defer { scratch.deallocate() }
        var names = VariableLogNameCopies(byteCount: nameBytes, count: limits.maximumVariableCount)
        defer { names.free() }
        for i in 0..<liveCount {
            let b = live[i]
            // The flash is as the scan read it: the replay only programs words of records it
            // has already passed.
            var c: VariableLogCursor
            if scanned[b].kept {
                for k in scanned[b].first..<scanned[b].end {
                    let (at, h) = records.record(k)
                    try replay(in: b, at: at, h, scratch, &names)
                }
                c = scanned[b].cursor
            } else {
                c = VariableLogCursor()
                while let (at, h) = nextRecord(in: b, &c) { try replay(in: b, at: at, h, scratch, &names) }
            }
            blocks[b].writeOffset = c.offset
            blocks[b].sealed = true
            // Only the newest block takes more records, and only if nothing was half-written past
            // its last record (programming over such bytes would corrupt the next record). Our
            // own torn append lies within one record's footprint of the end, so only that much is
            // read; anything further (a flash we did not write) is caught before each append
            // (`place`), so the mount never reads the whole block.
            if i == liveCount - 1 {
                let clean = c.endIsErased
                    && isErased(offset: b * blockSize + c.offset, count: min(blockSize - c.offset, maximumFootprint))
                blocks[b].sealed = !clean
                if !clean { statistics.sealedBlocks += 1 }
            }
        }
        nextSequence = max(highest, deadThrough) + 1
        rebuildOrder(names: UnsafeRawPointer(names.bytes.baseAddress!), nameAt: names.nameAt)
        if liveCount == 0 {
            foundNoLog = true
            _ = try openBlock()
        }
    }

    /// Whether `replay` does anything with a record of header `h`: finish a half-cleared state
    /// word, or take in a committed current variable.
    func replayActs(on h: VariableLogRecordHeader) -> Bool {
        (h.commitWord != VariableLogFormat.stateBlank && h.commitWord != 0)
            || (h.obsoleteWord != VariableLogFormat.stateBlank && h.obsoleteWord != 0)
            || (h.kind == VariableLogFormat.kindVariable && h.isCommitted && !h.isObsolete)
    }

    /// The replay of the record at `at` of log block `b`, whose header is `h`. A variable's body
    /// is read into `scratch` once, checked, and its name hashed there; the index keeps its entry,
    /// `names` a copy of its name for the sort.
    mutating func replay(in b: Int, at: Int, _ h: VariableLogRecordHeader, _ scratch: UnsafeMutableRawBufferPointer,
                         _ names: inout VariableLogNameCopies) throws(PersistenceError) {
        let base = b * blockSize + at
        if h.commitWord != VariableLogFormat.stateBlank && h.commitWord != 0 { try repairWord(base) }
        if h.obsoleteWord != VariableLogFormat.stateBlank && h.obsoleteWord != 0 { try repairWord(base + 4) }
        guard h.kind == VariableLogFormat.kindVariable, h.isCommitted, !h.isObsolete else { return }
        let body = h.footprint - VariableLogFormat.recordHeaderSize
        let own = body <= scratch.count ? nil : UnsafeMutableRawBufferPointer.allocate(byteCount: (body + 7) & ~7, alignment: 8)
        defer { own?.deallocate() }
        let buffer = UnsafeMutableRawBufferPointer(rebasing: (own ?? scratch)[0..<body])
        // Through a copy of the flash handle: a method call on `self` here copies the whole log.
        guard Self.verifiedBody(flash, at: base, h, into: buffer) else { statistics.damagedRecords += 1; return }
        let name = UnsafeRawBufferPointer(rebasing: buffer[0..<h.nameCount])
        let location = VariableLogLocation(block: b, offset: at, footprint: h.footprint)
        let cost = indexCost(nameCount: h.nameCount, dataCount: h.dataCount)
        let (hash, found) = position(guid: h.guid, rawName: name)
        if let i = found {
            // An update or a reclaim copy cut before the old record was retired.
            guard indexBytes - indexCost(nameCount: entries[i].nameCount, dataCount: entries[i].dataCount) + cost
                    <= limits.indexCapacity else {
                try drop(base); return
            }
            try repairWord(entries[i].location.block * blockSize + entries[i].location.offset + 4)
            replace(i, attributes: h.attributes, dataCount: h.dataCount, at: location)
        } else {
            guard entries.count < limits.maximumVariableCount,
                  indexBytes + cost <= limits.indexCapacity else { try drop(base); return }
            names.add(name, for: entries.count)
            insert(VariableLogEntry(guid: h.guid, hash: hash, attributes: h.attributes, nameCount: h.nameCount,
                                    dataCount: h.dataCount, location: location), name: name)
        }
    }

    /// Finishes a state word mount has decided (commit, or obsolete): programs it to 0.
    @inline(never)   // four sites in the mount's replay and repairs
    mutating func repairWord(_ offset: Int) throws(PersistenceError) {
        do { try flash.program(offset: offset, bytes: vlogZeroWord) } catch { hasFailed = true; throw .deviceError }
        statistics.repairs += 1
    }

    /// A record past the limits: only a flash we did not write holds one. Made obsolete, so that
    /// a later mount, with room freed, does not bring it back over newer changes.
    mutating func drop(_ offset: Int) throws(PersistenceError) {
        try repairWord(offset + 4)
        statistics.droppedRecords += 1
    }

    /// The next record of block `b` after `c`, and its offset; nil at an erased header, at bytes
    /// that are not a valid record header, or at the end of the block. Never resynchronises.
    @inline(__always)
    func nextRecord(in b: Int, _ c: inout VariableLogCursor) -> (Int, VariableLogRecordHeader)? {
        let rh = VariableLogFormat.recordHeaderSize
        guard !c.done, c.offset <= blockSize - rh else { c.done = true; return nil }
        var raw: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)  // 48 bytes on the stack
        let room = blockSize - c.offset
        let (erased, header) = withUnsafeMutableBytes(of: &raw) { buffer in
            let hb = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<rh])
            flash.read(offset: b * blockSize + c.offset, into: hb)
            // 44 bytes of an 8-byte aligned buffer: five words and a half.
            var ones = UInt64(UnsafeRawBufferPointer(hb).vlogLE32(40)) | 0xFFFF_FFFF_0000_0000
            for i in stride(from: 0, to: 40, by: 8) { ones &= UnsafeRawBufferPointer(buffer).vlogLE64(i) }
            return (ones == ~0, VariableLogRecordHeader(raw: UnsafeRawBufferPointer(hb), room: room))
        }
        if erased { c.done = true; return nil }
        guard let h = header else {
            c.endIsErased = false
            c.done = true
            return nil
        }
        let at = c.offset
        c.offset += h.footprint
        return (at, h)
    }

    /// Whether the body of the record at flash offset `base` (header `h`) checks: read into
    /// `buffer` (exactly the body: name, data, padding, CRC), the checksum resumed from the header's.
    static func verifiedBody(_ flash: F, at base: Int, _ h: VariableLogRecordHeader,
                             into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        let body = buffer.count
        flash.read(offset: base + VariableLogFormat.recordHeaderSize, into: buffer)
        var crc = VariableLogCRC32(resuming: h.bodyCRCState)
        crc.update(UnsafeRawBufferPointer(rebasing: buffer[0..<(body - 4)]))
        return UnsafeRawBufferPointer(buffer).vlogLE32(body - 4) == crc.value
    }

    /// `count` bytes of flash as a new array, read in place.
    func readArray(offset: Int, count: Int) -> [UInt8] { Self.readArray(flash, offset: offset, count: count) }

    static func readArray(_ flash: F, offset: Int, count: Int) -> [UInt8] {
        guard count > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialised in
            flash.read(offset: offset, into: UnsafeMutableRawBufferPointer(buffer))
            initialised = count
        }
    }
}
