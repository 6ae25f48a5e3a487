import MM

/// Writing records, opening blocks and reclaiming space.
extension FlashVariableLog {
    /// The oldest block of the log.
    var head: Int? { logEnd(newest: false) }

    /// The newest block of the log: the only one records are appended to.
    var tail: Int? { logEnd(newest: true) }

    /// The live block with the highest sequence number (`newest`) or the lowest. One loop for
    /// both: `place` asks for each.
    @inline(never)
    func logEnd(newest: Bool) -> Int? {
        var best: Int?
        for b in 0..<blockCount where blocks[b].isLive {
            if let c = best, (blocks[c].sequence < blocks[b].sequence) != newest || blocks[c].sequence == blocks[b].sequence {
                continue
            }
            best = b
        }
        return best
    }

    var freeBlocks: Int {
        var n = 0
        for b in blocks where !b.isLive { n += 1 }
        return n
    }

    /// Bytes free in log block `b` for a variable (which must leave room for a reclaim mark) or
    /// for a mark.
    func room(in b: Int, forMark: Bool) -> Int {
        let blk = blocks[b]
        guard blk.isLive, !blk.sealed else { return 0 }
        let end = forMark ? blockSize : blockSize - VariableLogFormat.markFootprint
        return max(0, end - blk.writeOffset)
    }

    /// Finds room for a new variable record of `footprint` bytes: in the tail, else in a fresh
    /// block while two blocks are free, else by reclaiming the oldest block. `put` has checked
    /// the figures, so this ends within one round of the blocks (docs/variable-store.md).
    mutating func place(footprint fp: Int) throws(PersistenceError) -> VariableLogLocation {
        for _ in 0..<(2 * blockCount + 4) {
            if let t = tail, room(in: t, forMark: false) >= fp, appendable(t, fp) {
                return VariableLogLocation(block: t, offset: blocks[t].writeOffset, footprint: fp)
            }
            let free = freeBlocks
            if free >= 2 { _ = try openBlock(); continue }
            guard free >= 1, let h = head else { throw .full }
            try reclaim(h)
        }
        throw .full
    }

    /// Copies the live records of block `h` (the oldest) to the end of the log, commits a
    /// reclaim mark naming `h`'s sequence number, then erases `h`. A cut before the mark leaves
    /// duplicates (mount keeps the newer); after it, `h` is dead whatever its erase left.
    mutating func reclaim(_ h: Int) throws(PersistenceError) {
        statistics.reclaims += 1
        blocks[h].sealed = true
        // In the index's order, not the block's: the copies are of distinct keys, so their order
        // in the log does not matter (and no list of them is built and sorted).
        for i in entries.indices where entries[i].location.block == h {
            let fp = entries[i].location.footprint
            let at = try placeForReclaim(fp, forMark: false)
            try copyRecord(from: entries[i].location)
            try commitRecord(recordBuffer, at: at)
            entries[i].location = at
        }
        let at = try placeForReclaim(VariableLogFormat.markFootprint, forMark: true)
        encodeVariableLogMark(into: &recordBuffer, deadThrough: blocks[h].sequence)
        try commitRecord(recordBuffer, at: at)
        try eraseBlock(h)
    }

    /// Room during a reclaim: the tail, else the spare block.
    mutating func placeForReclaim(_ fp: Int, forMark: Bool) throws(PersistenceError) -> VariableLogLocation {
        if let t = tail, room(in: t, forMark: forMark) >= fp, appendable(t, fp) {
            return VariableLogLocation(block: t, offset: blocks[t].writeOffset, footprint: fp)
        }
        guard freeBlocks >= 1 else { throw .full }
        let t = try openBlock()
        guard room(in: t, forMark: forMark) >= fp else { throw .full }
        return VariableLogLocation(block: t, offset: blocks[t].writeOffset, footprint: fp)
    }

    /// The record at `from` into `recordBuffer` as a new copy (state words blank), its bytes
    /// read from the flash and checked again (header and body checksums): a record damaged since
    /// mount is not copied on as if it were good, and the store stops changes (`.deviceError`).
    mutating func copyRecord(from: VariableLogLocation) throws(PersistenceError) {
        let fp = from.footprint, start = from.block * blockSize + from.offset + 8, flash = self.flash
        vlogErasedBuffer(&recordBuffer, count: fp)
        let good = recordBuffer.withUnsafeMutableBytes { r -> Bool in
            flash.read(offset: start, into: UnsafeMutableRawBufferPointer(rebasing: r[8..<fp]))
            guard let h = VariableLogRecordHeader(raw: UnsafeRawBufferPointer(r), room: fp), h.footprint == fp else { return false }
            var crc = VariableLogCRC32(resuming: h.bodyCRCState)
            crc.update(UnsafeRawBufferPointer(rebasing: r[VariableLogFormat.recordHeaderSize..<(fp - 4)]))
            return UnsafeRawBufferPointer(r).vlogLE32(fp - 4) == crc.value
        }
        guard good else { hasFailed = true; throw .deviceError }
    }

    /// Programs `record` (state words blank) at `at`, checks it reads back, then commits it by
    /// clearing its commit word. Throws only when the record is surely not committed.
    mutating func commitRecord(_ record: [UInt8], at: VariableLogLocation) throws(PersistenceError) {
        let base = at.block * blockSize + at.offset
        // The space is used from now on, whatever happens.
        blocks[at.block].writeOffset = at.offset + record.count
        do { try flash.program(offset: base, bytes: record) } catch { hasFailed = true; throw .deviceError }
        guard reads(record, at: base) else { hasFailed = true; throw .deviceError }
        try setStateWord(base)
        statistics.recordsWritten += 1
    }

    /// Sets the state word at flash offset `offset` (a commit or an obsolete word: programs it
    /// to 0). When the program fails, the store stops changes (`hasFailed`) and the word is read
    /// back: any cleared bit counts as set at the next mount, so the word is set and this
    /// returns; a word still all ones was not, and this throws `.deviceError`.
    mutating func setStateWord(_ offset: Int) throws(PersistenceError) {
        do { try flash.program(offset: offset, bytes: vlogZeroWord) } catch {
            hasFailed = true
            var word: UInt32 = 0
            let flash = self.flash
            withUnsafeMutableBytes(of: &word) { flash.read(offset: offset, into: $0) }
            if word == VariableLogFormat.stateBlank { throw .deviceError }
        }
    }

    /// Clears the obsolete word of a superseded record. A failure leaves both records committed,
    /// and mount keeps the newer one, so it only stops further changes.
    mutating func markObsolete(_ at: VariableLogLocation) {
        do { try flash.program(offset: at.block * blockSize + at.offset + 4, bytes: vlogZeroWord) } catch {
            hasFailed = true
        }
    }

    /// Starts a new block at the end of the log (erasing it first unless it reads erased) and
    /// returns it.
    mutating func openBlock() throws(PersistenceError) -> Int {
        var choice: Int?
        for b in 0..<blockCount where !blocks[b].isLive {
            guard let c = choice else { choice = b; continue }
            // Least worn first (wear levelling), then one known to be erased.
            let better = blocks[b].eraseCount != blocks[c].eraseCount
                ? blocks[b].eraseCount < blocks[c].eraseCount : blocks[b].knownErased && !blocks[c].knownErased
            if better { choice = b }
        }
        guard let b = choice else { throw .full }
        guard nextSequence < VariableLogFormat.sequenceLimit else { hasFailed = true; throw .deviceError }
        if !blocks[b].knownErased && !isErased(offset: b * blockSize, count: blockSize) { try eraseBlock(b) }
        // In the record buffer: no record is being built while a block opens (see `recordBuffer`).
        VariableLogBlockHeader(sequence: nextSequence, eraseCount: blocks[b].eraseCount)
            .encode(into: &recordBuffer, eraseBlockSize: blockSize, blockCount: blockCount)
        blocks[b].knownErased = false
        do { try flash.program(offset: b * blockSize, bytes: recordBuffer) } catch { hasFailed = true; throw .deviceError }
        blocks[b].sequence = nextSequence
        blocks[b].writeOffset = VariableLogFormat.blockHeaderSize
        blocks[b].sealed = false
        nextSequence += 1
        statistics.blocksOpened += 1
        return b
    }

    mutating func eraseBlock(_ b: Int) throws(PersistenceError) {
        blocks[b].sequence = 0
        blocks[b].knownErased = false
        blocks[b].sealed = true
        do { try flash.erase(block: b) } catch { hasFailed = true; throw .deviceError }
        blocks[b].knownErased = true
        if blocks[b].eraseCount < UInt32.max { blocks[b].eraseCount += 1 }
        statistics.erases += 1
    }

    /// Whether the flash at `offset` holds `record` (read back in pieces on the stack).
    func reads(_ record: [UInt8], at offset: Int) -> Bool {
        record.withUnsafeBytes { Self.flashEquals(flash, offset: offset, $0) }
    }

    /// True when `count` bytes at `offset` are all 0xFF (the medium reads them its fastest way).
    func isErased(offset: Int, count: Int) -> Bool {
        flash.isErased(offset: offset, count: count)
    }

    /// Whether a record of `fp` bytes may be programmed at the write offset of block `t`: the
    /// bytes there still read erased. Mount only checked one record's worth past the end of the
    /// log; a flash we did not write may hold more, and programming over it would corrupt the
    /// record. Such a block is sealed and the record goes elsewhere.
    @inline(never)   // a put's placement and a reclaim's
    mutating func appendable(_ t: Int, _ fp: Int) -> Bool {
        if isErased(offset: t * blockSize + blocks[t].writeOffset, count: fp) { return true }
        blocks[t].sealed = true
        statistics.sealedBlocks += 1
        return false
    }
}
