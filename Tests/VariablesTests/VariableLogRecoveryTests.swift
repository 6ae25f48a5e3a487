import Testing
import MM
@testable import Variables
import TestSupport

private let blockSize = 4096

private func name(_ i: Int) -> [UInt8] { [0x4E, 0, UInt8(0x30 + i / 10 % 10), 0, UInt8(0x30 + i % 10), 0, 0, 0] }

private func mount(_ f: RAMFlash) throws -> FlashVariableLog<RAMFlash> {
    try FlashVariableLog(flash: f, maximumVariableSize: 512)
}

/// A store in a consistent state: unique keys, figures that add up, and it takes a put that
/// survives a remount.
private func expectConsistent(_ f: RAMFlash, _ log: inout FlashVariableLog<RAMFlash>, _ comment: Comment? = nil) {
    for i in log.variables.indices {
        for j in log.variables.indices where j > i {
            #expect(!(log.variables[i].guid == log.variables[j].guid && log.variables[i].name == log.variables[j].name), comment)
        }
    }
    #expect(powerCutFiguresHold(log), comment)
    let probe = StoredVariable(guid: .zero, name: [0x50, 0, 0, 0], attributes: 7, data: [1, 2, 3])
    while log.footprint(of: probe) > log.remaining, let v = log.variables.first {
        do { try log.remove(guid: v.guid, name: v.name) } catch { Issue.record("remove failed \(error)"); return }
    }
    do { try log.put(probe) } catch { Issue.record("put after mount failed: \(error) \(comment.map { "\($0)" } ?? "")"); return }
    guard let again = try? mount(f) else { Issue.record("remount failed"); return }
    #expect(powerCutSameVariables(again.variables, log.variables), comment)
    #expect(f.misuses == 0, comment)
}

/// A log image after some churn, and every value each key ever had.
private func churnedImage(seed: UInt64, steps: Int = 150) -> (image: [UInt8], history: [StoredVariable]) {
    let f = RAMFlash(blockCount: 4, eraseBlockSize: blockSize)
    var log = try! mount(f)
    var r = SplitMix64(seed: seed)
    var history: [StoredVariable] = []
    for step in 0..<steps {
        let k = r.below(8)
        if r.below(6) == 0 {
            try! log.remove(guid: .globalVariable, name: name(k))
            continue
        }
        let v = StoredVariable(guid: .globalVariable, name: name(k), attributes: 7,
                               data: [UInt8](repeating: UInt8(step & 0xFF), count: r.below(300)))
        if log.footprint(of: v) <= log.remaining {
            try! log.put(v)
            history.append(v)
        }
    }
    return (f.bytes, history)
}

@Test func randomImagesMountAsConsistentStores() {
    var r = SplitMix64(seed: 1234)
    for trial in 0..<60 {
        var image = [UInt8](repeating: 0, count: 4 * blockSize)
        for i in image.indices { image[i] = r.byte() }
        let f = RAMFlash(bytes: image, eraseBlockSize: blockSize)
        guard var log = try? mount(f) else { Issue.record("mount threw on random image \(trial)"); continue }
        #expect(log.variables.isEmpty)
        expectConsistent(f, &log, "random image \(trial)")
    }
}

@Test func randomImagesWithOurHeadersMountAsConsistentStores() {
    // Valid block headers over random records: the walk must stop at the first non-record.
    var r = SplitMix64(seed: 99)
    for trial in 0..<60 {
        var image = [UInt8](repeating: 0, count: 4 * blockSize)
        for i in image.indices { image[i] = r.byte() }
        for b in 0..<4 where r.below(4) != 0 {
            let h = VariableLogBlockHeader(sequence: UInt64(1 + r.below(6)), eraseCount: UInt32(r.below(9)))
                .encoded(eraseBlockSize: blockSize, blockCount: 4)
            for i in 0..<32 { image[b * blockSize + i] = h[i] }
        }
        let f = RAMFlash(bytes: image, eraseBlockSize: blockSize)
        guard var log = try? mount(f) else { Issue.record("mount threw, trial \(trial)"); continue }
        expectConsistent(f, &log, "headers over random, trial \(trial)")
    }
}

@Test func damagedLogImagesNeverYieldAValueNeverWritten() {
    var r = SplitMix64(seed: 5)
    for trial in 0..<120 {
        var (image, history) = churnedImage(seed: UInt64(trial % 12))
        // Damage: bit flips, zeroed or erased runs, a block copied over another, swapped blocks.
        for _ in 0..<(1 + r.below(6)) {
            let at = r.below(image.count)
            switch r.below(5) {
            case 0: image[at] ^= UInt8(1) << UInt8(r.below(8))
            case 1: for i in at..<min(at + 1 + r.below(64), image.count) { image[i] = 0 }
            case 2: for i in at..<min(at + 1 + r.below(512), image.count) { image[i] = 0xFF }
            case 3:
                let (a, b) = (r.below(4), r.below(4))
                for i in 0..<blockSize { image[b * blockSize + i] = image[a * blockSize + i] }
            default:
                let (a, b) = (r.below(4), r.below(4))
                for i in 0..<blockSize { image.swapAt(a * blockSize + i, b * blockSize + i) }
            }
        }
        let f = RAMFlash(bytes: image, eraseBlockSize: blockSize)
        guard var log = try? mount(f) else { Issue.record("mount threw on damaged image \(trial)"); continue }
        for v in log.variables { #expect(history.contains(v), "trial \(trial): a value never written") }
        expectConsistent(f, &log, "damaged image \(trial)")
    }
}

@Test func truncatedAndShiftedGeometriesAreUnrecognisedNotTrusted() throws {
    let (image, _) = churnedImage(seed: 3)
    // Same bytes seen with another erase-block size: every header disagrees, so it is formatted.
    let f = RAMFlash(bytes: image, eraseBlockSize: 2 * blockSize)
    var log = try mount(f)
    #expect(log.variables.isEmpty)
    expectConsistent(f, &log)
}

// MARK: - Crafted recovery cases

/// Runs `build` on a fresh store and returns the device.
private func store(_ build: (inout FlashVariableLog<RAMFlash>) throws -> Void) throws -> RAMFlash {
    let f = RAMFlash(blockCount: 4, eraseBlockSize: blockSize)
    var log = try mount(f)
    try build(&log)
    return f
}

private func v(_ i: Int, _ data: [UInt8]) -> StoredVariable {
    StoredVariable(guid: .globalVariable, name: name(i), attributes: 7, data: data)
}

@Test func anUncommittedRecordIsIgnoredAndSkipped() throws {
    let f = try store { try $0.put(v(1, [1])) }
    // A second record fully programmed but never committed, then a committed one after it.
    let fp1 = VariableLogFormat.footprint(nameCount: 8, dataCount: 1)
    var at = 32 + fp1
    let uncommitted = encodeVariableLogRecord(kind: 1, guid: .globalVariable, name: name(1), attributes: 7, data: [2])
    try f.program(offset: at, bytes: uncommitted)
    at += uncommitted.count
    let committed = encodeVariableLogRecord(kind: 1, guid: .globalVariable, name: name(2), attributes: 7, data: [3])
    try f.program(offset: at, bytes: committed)
    try f.program(offset: at, bytes: [0, 0, 0, 0])
    let log = try mount(f)
    #expect(powerCutSameVariables(log.variables, [v(1, [1]), v(2, [3])]))
    #expect(log.blocks[0].writeOffset == at + committed.count && !log.blocks[0].sealed)
}

@Test func aHalfClearedCommitWordCountsAsCommittedAndIsFinished() throws {
    let f = try store { try $0.put(v(1, [1])) }
    let at = 32 + VariableLogFormat.footprint(nameCount: 8, dataCount: 1)
    try f.program(offset: at, bytes: encodeVariableLogRecord(kind: 1, guid: .globalVariable, name: name(1), attributes: 7, data: [9]))
    try f.program(offset: at, bytes: [0xFF, 0xEF, 0xFF, 0xFF])
    let log = try mount(f)
    #expect(log.variables == [v(1, [9])])
    #expect(f.read(offset: at, count: 4) == [0, 0, 0, 0])                  // finished
    #expect(f.read(offset: 32 + 4, count: 4) == [0, 0, 0, 0])              // the old one retired
    #expect(log.statistics.repairs == 2)
}

@Test func aHalfClearedObsoleteWordCountsAsRemovedAndIsFinished() throws {
    let f = try store { try $0.put(v(1, [1])); try $0.put(v(2, [2])) }
    try f.program(offset: 32 + 4, bytes: [0xFF, 0xFF, 0x7F, 0xFF])
    let log = try mount(f)
    #expect(log.variables == [v(2, [2])])
    #expect(f.read(offset: 32 + 4, count: 4) == [0, 0, 0, 0])
}

@Test func anUpdateCutBeforeRetiringTheOldRecordKeepsTheNewOne() throws {
    let f = try store { try $0.put(v(1, [1])) }
    let at = 32 + VariableLogFormat.footprint(nameCount: 8, dataCount: 1)
    try f.program(offset: at, bytes: encodeVariableLogRecord(kind: 1, guid: .globalVariable, name: name(1), attributes: 7, data: [5, 5]))
    try f.program(offset: at, bytes: [0, 0, 0, 0])
    var log = try mount(f)
    #expect(log.variables == [v(1, [5, 5])])
    #expect(f.read(offset: 32 + 4, count: 4) == [0, 0, 0, 0])
    // Removing it now must not uncover the older record.
    try log.remove(guid: .globalVariable, name: name(1))
    #expect(try mount(f).variables.isEmpty)
}

@Test func aDamagedCommittedRecordIsDroppedAndCounted() throws {
    let f = try store { try $0.put(v(1, [1, 2, 3, 4])); try $0.put(v(2, [7])) }
    f.overwrite(offset: 32 + 44 + 8, with: [0xAA])      // a data byte of the first record
    let log = try mount(f)
    #expect(log.variables == [v(2, [7])])
    #expect(log.statistics.damagedRecords == 1)
}

@Test func tornBytesAfterTheLastRecordSealTheBlock() throws {
    let f = try store { try $0.put(v(1, [1])) }
    let end = 32 + VariableLogFormat.footprint(nameCount: 8, dataCount: 1)
    // Header blank, but bits cleared further on (a torn program that got only that far).
    try f.program(offset: end + 60, bytes: [0x00, 0xFF, 0xFF, 0xFF])
    var log = try mount(f)
    #expect(log.blocks[0].sealed && log.statistics.sealedBlocks == 1)
    try log.put(v(2, [2]))
    #expect(log.entries[1].location.block != 0)
    #expect(powerCutSameVariables(try mount(f).variables, [v(1, [1]), v(2, [2])]))
    #expect(f.misuses == 0)
}

@Test func aTornRecordHeaderSealsTheBlock() throws {
    let f = try store { try $0.put(v(1, [1])) }
    let end = 32 + VariableLogFormat.footprint(nameCount: 8, dataCount: 1)
    let r = encodeVariableLogRecord(kind: 1, guid: .globalVariable, name: name(2), attributes: 7, data: [2])
    var torn = r
    for i in 8..<torn.count where i % 3 == 0 { torn[i] = 0xFF }
    try f.program(offset: end, bytes: torn)
    var log = try mount(f)
    #expect(log.variables == [v(1, [1])] && log.blocks[0].sealed)
    try log.put(v(3, [3]))
    #expect(powerCutSameVariables(try mount(f).variables, [v(1, [1]), v(3, [3])]))
}

@Test func aReclaimCutBeforeItsMarkIsUndone() throws {
    // Three blocks in the log and a fourth with a header and copies, but no mark: a reclaim cut
    // short. Mount erases the fourth and keeps the oldest.
    let f = try store { log in
        var step = 0
        while log.freeBlocks > 1 {
            try log.put(v(step % 6, [UInt8](repeating: UInt8(step & 0xFF), count: 300)))
            step += 1
        }
    }
    var free = -1
    for b in 0..<4 where VariableLogBlockHeader(decoding: f.read(offset: b * blockSize, count: 32), eraseBlockSize: blockSize, blockCount: 4) == nil { free = b }
    #expect(free >= 0)
    let before = try mount(f).variables
    let header = VariableLogBlockHeader(sequence: 99, eraseCount: 0).encoded(eraseBlockSize: blockSize, blockCount: 4)
    try f.program(offset: free * blockSize, bytes: header)
    let copy = encodeVariableLogRecord(kind: 1, guid: .globalVariable, name: name(0), attributes: 7, data: [0xC0])
    try f.program(offset: free * blockSize + 32, bytes: copy)
    try f.program(offset: free * blockSize + 32, bytes: [0, 0, 0, 0])
    let log = try mount(f)
    #expect(log.statistics.repairs >= 1)
    #expect(powerCutSameVariables(log.variables, before))
    #expect(f.read(offset: free * blockSize, count: blockSize).allSatisfy { $0 == 0xFF })
}

@Test func aMarkedBlockStaysDeadWhateverItsTornEraseLeft() throws {
    // A variable removed in the oldest block; the block is reclaimed (mark committed) but its
    // erase is cut with the removed record's obsolete word set back to 1s and every other byte
    // intact. The mark must keep the removed variable dead.
    let f = RAMFlash(blockCount: 4, eraseBlockSize: blockSize)
    var log = try mount(f)
    try log.put(v(1, [0x11]))
    try log.remove(guid: .globalVariable, name: name(1))
    var snapshot: [UInt8] = []
    var step = 0
    while log.statistics.reclaims == 0 {
        snapshot = f.read(offset: 0, count: blockSize)
        try log.put(v(2 + step % 3, [UInt8](repeating: UInt8(step & 0xFF), count: 300)))
        step += 1
    }
    // Block 0 was reclaimed and erased; put back its old content with the record un-removed.
    #expect(f.read(offset: 0, count: blockSize) != snapshot)
    var resurrected = snapshot
    for i in 36..<40 { resurrected[i] = 0xFF }
    let now = try mount(f).variables
    let saved = f.read(offset: 0, count: blockSize)
    f.overwrite(offset: 0, with: resurrected)
    let after = try mount(f)
    #expect(after.variable(guid: .globalVariable, name: name(1)) == nil)
    #expect(powerCutSameVariables(after.variables, now))
    _ = saved
}

@Test func duplicateSequenceNumbersKeepOneBlock() throws {
    let f = try store { try $0.put(v(1, [1])) }
    // Block 2 claims the same sequence number as block 0 (only garbage can do that).
    let header = VariableLogBlockHeader(sequence: 1, eraseCount: 0).encoded(eraseBlockSize: blockSize, blockCount: 4)
    try f.program(offset: 2 * blockSize, bytes: header)
    let r = encodeVariableLogRecord(kind: 1, guid: .globalVariable, name: name(7), attributes: 7, data: [7])
    try f.program(offset: 2 * blockSize + 32, bytes: r)
    try f.program(offset: 2 * blockSize + 32, bytes: [0, 0, 0, 0])
    var log = try mount(f)
    #expect(log.variables == [v(1, [1])])
    expectConsistent(f, &log)
}
