/// Where a walk of a block's records is: the next record's offset, and how the walk ended.
struct VariableLogCursor {
    var offset = VariableLogFormat.blockHeaderSize
    /// The walk stopped at an erased header (or the block's end) rather than at bytes that are
    /// not a record.
    var endIsErased = true
    var done = false
}

/// Mounting: finding the log, replaying it, finishing what a power cut interrupted.
extension FlashVariableLog {
    /// Two passes, block by block, in memory bounded by the index's limits and time linear in
    /// the flash read (docs/variable-store.md, Mount):
    /// 1. every block header, and the committed reclaim marks of our blocks;
    /// 2. the blocks newer than every mark (the log), oldest first: a committed current record
    ///    of a variable replaces any earlier one, which is made obsolete at once (so that later
    ///    removes cannot uncover it), half-cleared state words are finished, and records past
    ///    the limits are made obsolete.
    mutating func mount() throws(PersistenceError) {
        clearIndex()
        // Records come in log order: the key order is sorted once at the end.
        orderDeferred = true
        var headers: [VariableLogBlockHeader?] = []
        var deadThrough: UInt64 = 0
        var highest: UInt64 = 0
        for b in 0..<blockCount {
            blocks[b] = VariableLogBlock()
            let header = VariableLogBlockHeader(decoding: flash.read(offset: b * blockSize, count: VariableLogFormat.blockHeaderSize),
                                                eraseBlockSize: blockSize, blockCount: blockCount)
            headers.append(header)
            guard let header else { continue }
            blocks[b].eraseCount = header.eraseCount
            highest = max(highest, header.sequence)
            var c = VariableLogCursor()
            while let (at, h) = nextRecord(in: b, &c) {
                guard h.kind == VariableLogFormat.kindReclaimMark, h.isCommitted,
                      let whole = verifiedRecord(in: b, at: at, h) else { continue }
                let d = vlogLE64(whole, VariableLogFormat.recordHeaderSize)
                // A reclaim always writes its mark in a block newer than the one it kills. A mark
                // naming its own block or a newer one is not ours, and trusting it would let the
                // erase of its own (dead) block bring the blocks it killed back.
                if d < header.sequence { deadThrough = max(deadThrough, d) }
            }
        }

        // The log: blocks newer than every reclaim mark, one per sequence number, oldest first.
        var live: [(block: Int, sequence: UInt64)] = []
        for b in 0..<blockCount {
            guard let header = headers[b], header.sequence > deadThrough,
                  !live.contains(where: { $0.sequence == header.sequence })
            else { continue }
            live.append((b, header.sequence))
        }
        live.sort { $0.sequence < $1.sequence }
        // No free block means a reclaim was cut before its mark: the newest block holds only
        // copies of records the oldest still has (or a torn mark), so it goes.
        if live.count == blockCount, let newest = live.last {
            live.removeLast()
            statistics.repairs += 1
            try eraseBlock(newest.block)
        }

        for (b, sequence) in live {
            var c = VariableLogCursor()
            while let (at, h) = nextRecord(in: b, &c) {
                let base = b * blockSize + at
                if h.commitWord != VariableLogFormat.stateBlank && h.commitWord != 0 { try repairWord(base) }
                if h.obsoleteWord != VariableLogFormat.stateBlank && h.obsoleteWord != 0 { try repairWord(base + 4) }
                guard h.kind == VariableLogFormat.kindVariable, h.isCommitted, !h.isObsolete else { continue }
                guard let whole = verifiedRecord(in: b, at: at, h) else { statistics.damagedRecords += 1; continue }
                let nameEnd = VariableLogFormat.recordHeaderSize + h.nameCount
                let v = StoredVariable(guid: h.guid, name: Array(whole[VariableLogFormat.recordHeaderSize..<nameEnd]),
                                       attributes: h.attributes, data: Array(whole[nameEnd..<(nameEnd + h.dataCount)]))
                let location = VariableLogLocation(block: b, offset: at, footprint: h.footprint)
                if let i = index(guid: v.guid, name: v.name) {
                    // An update or a reclaim copy cut before the old record was retired.
                    guard indexBytes - indexCost(of: variables[i]) + indexCost(of: v) <= limits.indexCapacity else {
                        try drop(base); continue
                    }
                    try repairWord(locations[i].block * blockSize + locations[i].offset + 4)
                    replace(i, with: v, at: location)
                } else {
                    guard variables.count < limits.maximumVariableCount,
                          indexBytes + indexCost(of: v) <= limits.indexCapacity else { try drop(base); continue }
                    insert(v, at: location)
                }
            }
            blocks[b].sequence = sequence
            blocks[b].writeOffset = c.offset
            blocks[b].sealed = true
            // Only the newest block takes more records, and only if nothing was half-written past
            // its last record (programming over such bytes would corrupt the next record).
            if b == live.last?.block {
                let clean = c.endIsErased && isErased(offset: b * blockSize + c.offset, count: blockSize - c.offset)
                blocks[b].sealed = !clean
                if !clean { statistics.sealedBlocks += 1 }
            }
        }
        nextSequence = max(highest, deadThrough) + 1
        rebuildOrder()
        if live.isEmpty { _ = try openBlock() }
    }

    /// Finishes a state word mount has decided (commit, or obsolete): programs it to 0.
    mutating func repairWord(_ offset: Int) throws(PersistenceError) {
        do { try flash.program(offset: offset, bytes: [0, 0, 0, 0]) } catch { hasFailed = true; throw .deviceError }
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
    func nextRecord(in b: Int, _ c: inout VariableLogCursor) -> (Int, VariableLogRecordHeader)? {
        let rh = VariableLogFormat.recordHeaderSize
        guard !c.done, c.offset <= blockSize - rh else { c.done = true; return nil }
        let hb = flash.read(offset: b * blockSize + c.offset, count: rh)
        if vlogAllErased(hb) { c.done = true; return nil }
        guard let h = VariableLogRecordHeader(decoding: hb, room: blockSize - c.offset) else {
            c.endIsErased = false
            c.done = true
            return nil
        }
        let at = c.offset
        c.offset += h.footprint
        return (at, h)
    }

    /// The whole record at `at` of block `b` when its body checksum holds.
    func verifiedRecord(in b: Int, at: Int, _ h: VariableLogRecordHeader) -> [UInt8]? {
        let whole = flash.read(offset: b * blockSize + at, count: h.footprint)
        guard whole.count == h.footprint,
              vlogLE32(whole, h.footprint - 4) == VariableLogCRC32.checksum(whole, from: 8, to: h.footprint - 4)
        else { return nil }
        return whole
    }
}
