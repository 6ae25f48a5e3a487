import Testing
import MM
@testable import Variables
import TestSupport

private func name(_ i: Int) -> [UInt8] { [0x56, 0, UInt8(0x30 + i / 10 % 10), 0, UInt8(0x30 + i % 10), 0, 0, 0] }

private func liveBlocks(_ f: RAMFlash, blocks: Int, size: Int) -> [UInt64] {
    var seqs: [UInt64] = []
    for b in 0..<blocks {
        if let h = VariableLogBlockHeader(decoding: f.read(offset: b * size, count: 32), eraseBlockSize: size, blockCount: blocks) {
            seqs.append(h.sequence)
        }
    }
    return seqs
}

@Test func churnOfFewVariablesReclaimsManyTimesAndKeepsTheLatestValues() throws {
    let f = RAMFlash(blockCount: 4, eraseBlockSize: 4096)
    var log = try FlashVariableLog(flash: f, maximumVariableSize: 512)
    var r = SplitMix64(seed: 42)
    var latest: [StoredVariable] = []
    for step in 0..<600 {
        let i = r.below(5)
        let v = StoredVariable(guid: .globalVariable, name: name(i), attributes: 7,
                               data: [UInt8](repeating: UInt8(step & 0xFF), count: 1 + r.below(400)))
        try log.put(v)
        latest = PowerCutOperation.put(v).applied(to: latest)
    }
    #expect(log.statistics.reclaims >= 20)
    #expect(powerCutSameVariables(log.variables, latest))
    let again = try FlashVariableLog(flash: f, maximumVariableSize: 512)
    #expect(powerCutSameVariables(again.variables, latest))
    #expect(again.usedBytes == log.usedBytes)
    #expect(f.misuses == 0)
    // One block is always spare.
    #expect(liveBlocks(f, blocks: 4, size: 4096).count <= 3)
}

@Test func reclaimSpreadsErasesOverAllBlocks() throws {
    let f = RAMFlash(blockCount: 4, eraseBlockSize: 4096)
    var log = try FlashVariableLog(flash: f, maximumVariableSize: 512)
    for step in 0..<800 {
        try log.put(StoredVariable(guid: .globalVariable, name: name(step % 3), attributes: 7,
                                   data: [UInt8](repeating: UInt8(step & 0xFF), count: 300)))
    }
    var counts: [UInt32] = []
    for b in 0..<4 { counts.append(log.blocks[b].eraseCount) }
    #expect(counts.allSatisfy { $0 >= 10 })
    #expect((counts.max() ?? 0) - (counts.min() ?? 0) <= 2)
}

@Test func reclaimOfADeadBlockWritesOnlyAMark() throws {
    let f = RAMFlash(blockCount: 4, eraseBlockSize: 4096)
    var log = try FlashVariableLog(flash: f, maximumVariableSize: 512)
    // The same variable over and over: every block but the tail holds only dead records.
    var reclaimsSeen = 0
    for step in 0..<200 {
        let before = (log.statistics.reclaims, log.statistics.recordsWritten)
        try log.put(StoredVariable(guid: .globalVariable, name: name(0), attributes: 7,
                                   data: [UInt8](repeating: UInt8(step & 0xFF), count: 200)))
        if log.statistics.reclaims == before.0 + 1 {
            reclaimsSeen += 1
            // The new record and the mark; the live copy of the head, if any, at most one more.
            #expect(log.statistics.recordsWritten - before.1 <= 3)
        }
    }
    #expect(reclaimsSeen >= 5)
}

@Test func twoBlockRegionWorks() throws {
    let f = RAMFlash(blockCount: 2, eraseBlockSize: 4096)
    var log = try FlashVariableLog(flash: f, maximumVariableSize: 512)
    #expect(log.capacity == 4096 - 32 - 168 - 560)
    for step in 0..<300 {
        try log.put(StoredVariable(guid: .globalVariable, name: name(step % 4), attributes: 7,
                                   data: [UInt8](repeating: UInt8(step & 0xFF), count: 100 + step % 50)))
    }
    #expect(log.statistics.reclaims >= 10)
    let again = try FlashVariableLog(flash: f, maximumVariableSize: 512)
    #expect(powerCutSameVariables(again.variables, log.variables))
    #expect(f.misuses == 0)
}

@Test func largestVariablesFillToCapacityAndChurn() throws {
    let f = RAMFlash(blockCount: 4, eraseBlockSize: 4096)
    var log = try FlashVariableLog(flash: f, maximumVariableSize: 512)
    var n = 0
    while true {
        let v = StoredVariable(guid: .globalVariable, name: name(n), attributes: 7, data: [UInt8](repeating: 1, count: 512 - 8))
        guard log.footprint(of: v) <= log.remaining else { break }
        try log.put(v)
        n += 1
    }
    #expect(n == log.capacity / 560)
    // Replacing each by a slightly smaller value needs the old one kept until committed: those
    // fit while remaining allows, and every one is either stored or refused with .full.
    for round in 0..<3 {
        for i in 0..<n {
            let v = StoredVariable(guid: .globalVariable, name: name(i), attributes: 7,
                                   data: [UInt8](repeating: UInt8(round + 2), count: 100))
            if log.footprint(of: v) <= log.remaining { try log.put(v) } else {
                #expect(throws: PersistenceError.full) { try log.put(v) }
            }
        }
    }
    #expect(powerCutSameVariables(try FlashVariableLog(flash: f, maximumVariableSize: 512).variables, log.variables))
    #expect(f.misuses == 0)
}
