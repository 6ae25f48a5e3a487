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
            var raw: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 32 bytes on the stack
            let header = withUnsafeMutableBytes(of: &raw) { buffer in
                flash.read(offset: b * blockSize, into: buffer)
                return VariableLogBlockHeader(raw: UnsafeRawBufferPointer(buffer), eraseBlockSize: blockSize, blockCount: blockCount)
            }
            headers.append(header)
            guard let header else { continue }
            blocks[b].eraseCount = header.eraseCount
            highest = max(highest, header.sequence)
            var c = VariableLogCursor()
            while let (at, h) = nextRecord(in: b, &c) {
                guard h.kind == VariableLogFormat.kindReclaimMark, h.isCommitted,
                      let body = verifiedRecord(in: b, at: at, h) else { continue }
                let d = vlogLE64(body.data, 0)
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
                guard let body = verifiedRecord(in: b, at: at, h) else { statistics.damagedRecords += 1; continue }
                let v = StoredVariable(guid: h.guid, name: body.name, attributes: h.attributes, data: body.data)
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
            // its last record (programming over such bytes would corrupt the next record). Our
            // own torn append lies within one record's footprint of the end, so only that much is
            // read; anything further (a flash we did not write) is caught before each append
            // (`place`), so the mount never reads the whole block.
            if b == live.last?.block {
                let clean = c.endIsErased
                    && isErased(offset: b * blockSize + c.offset, count: min(blockSize - c.offset, maximumFootprint))
                blocks[b].sealed = !clean
                if !clean { statistics.sealedBlocks += 1 }
            }
        }
        nextSequence = max(highest, deadThrough) + 1
        rebuildOrder()
        if live.isEmpty {
            foundNoLog = true
            _ = try openBlock()
        }
    }

    /// Finishes a state word mount has decided (commit, or obsolete): programs it to 0.
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
    func nextRecord(in b: Int, _ c: inout VariableLogCursor) -> (Int, VariableLogRecordHeader)? {
        let rh = VariableLogFormat.recordHeaderSize
        guard !c.done, c.offset <= blockSize - rh else { c.done = true; return nil }
        var raw: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)  // 48 bytes on the stack
        let room = blockSize - c.offset
        let (erased, header) = withUnsafeMutableBytes(of: &raw) { buffer in
            let hb = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<rh])
            flash.read(offset: b * blockSize + c.offset, into: hb)
            var ones: UInt32 = 0xFFFF_FFFF
            for i in stride(from: 0, to: rh, by: 4) { ones &= UnsafeRawBufferPointer(hb).vlogLE32(i) }
            return (ones == 0xFFFF_FFFF, VariableLogRecordHeader(raw: UnsafeRawBufferPointer(hb), room: room))
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

    /// The name and data of the record at `at` of block `b` when its body checksum holds: read
    /// straight into their own arrays (the data's with the padding and CRC after it, in spare
    /// capacity), the checksum resumed from the header's.
    func verifiedRecord(in b: Int, at: Int, _ h: VariableLogRecordHeader) -> (name: [UInt8], data: [UInt8])? {
        let base = b * blockSize + at
        let nameStart = base + VariableLogFormat.recordHeaderSize
        let dataStart = nameStart + h.nameCount
        let rest = h.footprint - VariableLogFormat.recordHeaderSize - h.nameCount  // data, padding, CRC
        var crc = VariableLogCRC32(resuming: h.bodyCRCState)
        let name = readArray(offset: nameStart, count: h.nameCount)
        name.withUnsafeBytes { crc.update($0) }
        var ok = false
        func check(_ buffer: UnsafeMutableRawBufferPointer) {
            flash.read(offset: dataStart, into: buffer)
            crc.update(UnsafeRawBufferPointer(rebasing: buffer[0..<(rest - 4)]))
            ok = UnsafeRawBufferPointer(buffer).vlogLE32(rest - 4) == crc.value
        }
        let data: [UInt8]
        if h.dataCount > 0 {
            data = [UInt8](unsafeUninitializedCapacity: rest) { buffer, initialised in
                check(UnsafeMutableRawBufferPointer(buffer))
                initialised = h.dataCount
            }
        } else {
            var raw: UInt64 = 0  // padding (none) and CRC: 4 bytes
            withUnsafeMutableBytes(of: &raw) { check(UnsafeMutableRawBufferPointer(rebasing: $0[0..<rest])) }
            data = []
        }
        return ok ? (name, data) : nil
    }

    /// `count` bytes of flash as a new array, read in place.
    func readArray(offset: Int, count: Int) -> [UInt8] {
        guard count > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialised in
            flash.read(offset: offset, into: UnsafeMutableRawBufferPointer(buffer))
            initialised = count
        }
    }
}
