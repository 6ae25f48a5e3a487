/// One record found by walking a block.
struct VariableLogScannedRecord {
    var offset: Int
    var footprint: Int
    var commitWord: UInt32
    var obsoleteWord: UInt32
    /// A committed, current variable record whose checksum holds.
    var variable: StoredVariable?
    /// A committed reclaim mark whose checksum holds.
    var deadThrough: UInt64?
}

struct VariableLogBlockScan {
    var records: [VariableLogScannedRecord] = []
    /// First offset the chain of records does not cover.
    var end: Int
    /// The chain stopped at an erased header rather than at bytes that are not a record.
    var endIsErased = true
    /// Committed records whose checksum failed.
    var damaged = 0
}

/// Mounting: finding the log, replaying it, finishing what a power cut interrupted.
extension FlashVariableLog {
    /// Reads every block header and walks the records of our blocks (cost linear in the used
    /// space, plus one pass over the tail's free space). The blocks newer than every reclaim mark
    /// form the log; replaying it oldest first, a committed current record of a variable replaces
    /// any earlier one. Then it completes half-cleared state words and marks superseded records
    /// obsolete, so that later removes cannot uncover them.
    mutating func mount() throws(PersistenceError) {
        var headers: [VariableLogBlockHeader?] = []
        var scans: [VariableLogBlockScan?] = []
        var deadThrough: UInt64 = 0
        var highest: UInt64 = 0
        for b in 0..<blockCount {
            blocks[b] = VariableLogBlock()
            let header = VariableLogBlockHeader(decoding: flash.read(offset: b * blockSize, count: VariableLogFormat.blockHeaderSize),
                                                eraseBlockSize: blockSize, blockCount: blockCount)
            headers.append(header)
            guard let header else { scans.append(nil); continue }
            blocks[b].eraseCount = header.eraseCount
            highest = max(highest, header.sequence)
            let scan = scanBlock(b)
            for r in scan.records { if let d = r.deadThrough { deadThrough = max(deadThrough, d) } }
            scans.append(scan)
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

        var fixes: [Int] = []
        for (b, sequence) in live {
            guard let scan = scans[b] else { continue }
            statistics.damagedRecords += scan.damaged
            let base = b * blockSize
            for r in scan.records {
                if r.commitWord != VariableLogFormat.stateBlank && r.commitWord != 0 { fixes.append(base + r.offset) }
                if r.obsoleteWord != VariableLogFormat.stateBlank && r.obsoleteWord != 0 { fixes.append(base + r.offset + 4) }
                guard let v = r.variable else { continue }
                let at = VariableLogLocation(block: b, offset: r.offset, footprint: r.footprint)
                if let i = index(guid: v.guid, name: v.name) {
                    // An update or a reclaim copy cut before the old record was retired.
                    fixes.append(locations[i].block * blockSize + locations[i].offset + 4)
                    usedBytes += r.footprint - locations[i].footprint
                    variables[i] = v
                    locations[i] = at
                } else {
                    usedBytes += r.footprint
                    variables.append(v)
                    locations.append(at)
                }
            }
            blocks[b].sequence = sequence
            blocks[b].writeOffset = scan.end
            blocks[b].sealed = true
        }
        // Only the newest block takes more records, and only if nothing was half-written past
        // its last record (programming over such bytes would corrupt the next record).
        if let t = live.last?.block, let scan = scans[t] {
            let clean = scan.endIsErased && isErased(offset: t * blockSize + scan.end, count: blockSize - scan.end)
            blocks[t].sealed = !clean
            if !clean { statistics.sealedBlocks += 1 }
        }
        nextSequence = max(highest, deadThrough) + 1

        for word in fixes {
            do { try flash.program(offset: word, bytes: [0, 0, 0, 0]) } catch { hasFailed = true; throw .deviceError }
            statistics.repairs += 1
        }
        if live.isEmpty { _ = try openBlock() }
    }

    /// Walks the records of block `b` from its header until an erased header, bytes that are
    /// not a valid record header, or the end of the block.
    func scanBlock(_ b: Int) -> VariableLogBlockScan {
        let base = b * blockSize
        let rh = VariableLogFormat.recordHeaderSize
        var scan = VariableLogBlockScan(end: VariableLogFormat.blockHeaderSize)
        var p = VariableLogFormat.blockHeaderSize
        while p <= blockSize - rh {
            let hb = flash.read(offset: base + p, count: rh)
            if vlogAllErased(hb) { break }
            guard let h = VariableLogRecordHeader(decoding: hb, room: blockSize - p) else {
                scan.endIsErased = false
                break
            }
            var r = VariableLogScannedRecord(offset: p, footprint: h.footprint, commitWord: h.commitWord, obsoleteWord: h.obsoleteWord)
            let isMark = h.kind == VariableLogFormat.kindReclaimMark
            if h.isCommitted && (isMark || !h.isObsolete) {
                let whole = flash.read(offset: base + p, count: h.footprint)
                if vlogLE32(whole, h.footprint - 4) == VariableLogCRC32.checksum(whole, from: 8, to: h.footprint - 4) {
                    if isMark {
                        let d = vlogLE64(whole, rh)
                        if d < VariableLogFormat.sequenceLimit { r.deadThrough = d }
                    } else {
                        let nameEnd = rh + h.nameCount
                        r.variable = StoredVariable(guid: h.guid, name: Array(whole[rh..<nameEnd]), attributes: h.attributes,
                                                    data: Array(whole[nameEnd..<(nameEnd + h.dataCount)]))
                    }
                } else {
                    scan.damaged += 1
                }
            }
            scan.records.append(r)
            p += h.footprint
        }
        scan.end = p
        return scan
    }
}
