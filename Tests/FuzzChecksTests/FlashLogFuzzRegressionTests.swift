import Testing
import FuzzChecks

/// Inputs of the flash-log fuzz target (`FlashLogFuzz`, input layout in its doc comment) that
/// once broke a promise, and edge inputs; each must pass every check.

@Test func flashLogEdgeInputs() {
    #expect(FlashLogFuzz.check([]) == nil)
    #expect(FlashLogFuzz.check([UInt8](repeating: 0x00, count: 600)) == nil)
    #expect(FlashLogFuzz.check([UInt8](repeating: 0xFF, count: 600)) == nil)
}

// MARK: - A reclaim mark kept only in a block that is not part of the log

/// Found by FlashLogFuzzer (then reduced by hand): block 0 holds a committed reclaim mark naming
/// its own sequence number (5). Mount once counted blocks 0 and 1 (sequence 4) dead and opened a
/// new block; once block 0 was erased for reuse, the mark was gone and the next mount brought
/// block 1 back. A mark now counts only for blocks older than its own.
@Test func flashLogMarkInADeadBlockDoesNotResurrectIt() {
    let input = flashLogInput(blockCountBits: 2, blockSizeBits: 1, operations: [], blocks: [
        header(sequence: 5, eraseCount: 0) + record(kind: 2, name: [], data: le64(5)),
        header(sequence: 4, eraseCount: 0) + record(kind: 1, name: [0x58, 0, 0, 0], data: [1]),
    ])
    #expect(FlashLogFuzz.check(input) == nil)
}

/// The same image, with the erase counts steering the first opened block elsewhere: puts fill
/// blocks 2 and 3, the fifth opens block 0 (erasing the mark), and the remount finds four live
/// blocks, erases the newest and loses that acknowledged put (and shows block 1's variable).
@Test func flashLogMarkInADeadBlockDoesNotLoseAnAcknowledgedPut() {
    let big: UInt8 = 246   // 358 data bytes: two records per 1 KiB block
    let input = flashLogInput(blockCountBits: 2, blockSizeBits: 1, operations: [
        0 << 2 | 1, big, 0, 1 << 2 | 1, big, 0, 2 << 2 | 1, big, 0,    // put A, B, C
        0 << 2 | 3, 0, 0, 1 << 2 | 3, 0, 0,                            // remove A, B
        3 << 2 | 1, big, 0, 4 << 2 | 1, big, 0,                        // put D, E
    ], blocks: [
        header(sequence: 5, eraseCount: 2) + record(kind: 2, name: [], data: le64(5)),
        header(sequence: 4, eraseCount: 2) + record(kind: 1, name: [0x58, 0, 0, 0], data: [1]),
    ])
    #expect(FlashLogFuzz.check(input) == nil)
}

// MARK: - Stores at and past their limits (issue 10: a full store bricked the machine)

/// A crafted image holding six variables under a limit of three: mount keeps three, makes the
/// rest obsolete, and the puts that follow meet the count limit (updates still fit).
@Test func flashLogCraftedStorePastTheCountMountsWithinIt() {
    var block = header(sequence: 1, eraseCount: 0)
    for k in 0..<6 { block += record(kind: 1, name: [0x41 + UInt8(k), 0, 0, 0], data: [UInt8(k)]) }
    let input = flashLogInput(blockCountBits: 2, blockSizeBits: 1, limitsChoice: 1, operations: [
        0 << 2 | 1, 20, 9, 6 << 2 | 1, 20, 9,       // put (update) a held key, put a new key
        12 << 2 | 3, 0, 0, 7 << 2 | 1, 40, 1,       // remove a held key, put a new one
    ], blocks: [block])
    #expect(FlashLogFuzz.check(input) == nil)
}

/// The same store filled by puts under a small index RAM, with a power cut in the middle.
@Test func flashLogStoreFilledToItsRAMSurvivesACut() {
    var operations: [UInt8] = []
    for k in 0..<12 { operations += [UInt8(k) << 2 | 1, UInt8(30 + 10 * k), UInt8(k)] }
    var input = flashLogInput(blockCountBits: 1, blockSizeBits: 0, limitsChoice: 3, operations: operations, blocks: [])
    input[1] = 0x08; input[2] = 40; input[3] = 7          // cut after 40 flash operations
    #expect(FlashLogFuzz.check(input) == nil)
}

// MARK: - Building inputs (checksums are left zero: flags 7 make the driver fill them in)

/// 4 blocks (`blockCountBits` 2) of 1 KiB (`blockSizeBits` 1), default maximum size.
private func flashLogInput(blockCountBits: UInt8, blockSizeBits: UInt8, limitsChoice: UInt8 = 0,
                           operations: [UInt8], blocks: [[UInt8]]) -> [UInt8] {
    let blockSize = 512 << Int(blockSizeBits)
    var input: [UInt8] = [blockCountBits | blockSizeBits << 2 | limitsChoice << 6, 0x07, 0, 0]
    input += operations + [UInt8](repeating: 0, count: 3 * FlashLogFuzz.operationCount - operations.count)
    for block in blocks { input += block + [UInt8](repeating: 0xFF, count: blockSize - block.count) }
    return input
}

/// Magic, then the fields the driver does not fill in: sequence and erase count.
private func header(sequence: UInt64, eraseCount: UInt32) -> [UInt8] {
    [0x56, 0x4C, 0x4F, 0x47] + [UInt8](repeating: 0, count: 12) + le64(sequence) + le32(eraseCount) + [0, 0, 0, 0]
}

/// A committed, current record with a zero GUID.
private func record(kind: UInt8, name: [UInt8], data: [UInt8]) -> [UInt8] {
    var r = le32(0) + le32(0xFFFF_FFFF) + [0x56, 0x52, kind, 0]
    r += le32(UInt32(name.count)) + le32(UInt32(data.count)) + le32(7) + [UInt8](repeating: 0, count: 16) + le32(0)
    r += name + data
    r += [UInt8](repeating: 0, count: (4 - r.count % 4) % 4) + le32(0)
    return r
}

private func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
private func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
