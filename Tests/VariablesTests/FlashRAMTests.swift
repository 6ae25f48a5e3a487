import Testing
@testable import Variables
import TestSupport

@Test func ramFlashStartsErasedAndProgramsByAnding() throws {
    let f = RAMFlash(blockCount: 2, eraseBlockSize: 64)
    #expect(f.size == 128 && f.read(offset: 0, count: 128).allSatisfy { $0 == 0xFF })
    try f.program(offset: 4, bytes: [0x0F, 0xF0, 0x00, 0xFF])
    #expect(f.read(offset: 4, count: 4) == [0x0F, 0xF0, 0x00, 0xFF])
    try f.program(offset: 4, bytes: [0x0E, 0x00, 0x00, 0x7F])
    #expect(f.read(offset: 4, count: 4) == [0x0E, 0x00, 0x00, 0x7F])
    #expect(f.misuses == 0 && f.programs == 2)
}

@Test func ramFlashCountsSettingAZeroBitAsMisuseAndKeepsItZero() throws {
    let f = RAMFlash(blockCount: 1, eraseBlockSize: 64)
    try f.program(offset: 8, bytes: [0x00, 0xFF, 0xFF, 0xFF])
    try f.program(offset: 8, bytes: [0x01, 0xFF, 0xFF, 0xFF])
    #expect(f.misuses == 1 && f.firstMisuseOffset == 8)
    #expect(f.read(offset: 8, count: 1) == [0x00])
}

@Test func ramFlashRejectsMisalignedAndOutOfRangePrograms() {
    let f = RAMFlash(blockCount: 1, eraseBlockSize: 64)
    #expect(throws: FlashError.misaligned) { try f.program(offset: 2, bytes: [0, 0, 0, 0]) }
    #expect(throws: FlashError.misaligned) { try f.program(offset: 4, bytes: [0, 0]) }
    #expect(throws: FlashError.outOfRange) { try f.program(offset: 64, bytes: [0, 0, 0, 0]) }
    #expect(throws: FlashError.outOfRange) { try f.program(offset: -4, bytes: [0, 0, 0, 0]) }
    #expect(throws: FlashError.outOfRange) { try f.erase(block: 1) }
    #expect(f.misuses == 5)
    #expect(f.read(offset: 0, count: 64).allSatisfy { $0 == 0xFF })
}

@Test func ramFlashEraseSetsOnlyItsBlock() throws {
    let f = RAMFlash(blockCount: 2, eraseBlockSize: 64)
    try f.program(offset: 0, bytes: [0, 0, 0, 0])
    try f.program(offset: 64, bytes: [0, 0, 0, 0])
    try f.erase(block: 1)
    #expect(f.read(offset: 0, count: 4) == [0, 0, 0, 0])
    #expect(f.read(offset: 64, count: 4) == [0xFF, 0xFF, 0xFF, 0xFF])
    #expect(f.erases == 1)
}

@Test func ramFlashCopiesShareTheDevice() throws {
    let a = RAMFlash(blockCount: 1, eraseBlockSize: 64)
    let b = a
    try b.program(offset: 0, bytes: [1, 2, 3, 4])
    #expect(a.read(offset: 0, count: 4) == [1, 2, 3, 4])
}

@Test func powerCutTearsTheNextOperationAndFailsEveryLaterOne() throws {
    let f = RAMFlash(blockCount: 2, eraseBlockSize: 64)
    f.cutPower(afterOperations: 2, seed: 1)
    try f.program(offset: 0, bytes: [0, 0, 0, 0])
    try f.erase(block: 1)
    #expect(throws: FlashError.deviceFailure) { try f.program(offset: 4, bytes: [0x12, 0x34, 0x56, 0x78]) }
    #expect(f.powerIsCut)
    #expect(throws: FlashError.deviceFailure) { try f.program(offset: 8, bytes: [0, 0, 0, 0]) }
    #expect(throws: FlashError.deviceFailure) { try f.erase(block: 0) }
    #expect(f.read(offset: 8, count: 4) == [0xFF, 0xFF, 0xFF, 0xFF])
    f.restorePower()
    try f.program(offset: 8, bytes: [0, 0, 0, 0])
    #expect(f.read(offset: 8, count: 4) == [0, 0, 0, 0] && f.misuses == 0)
}

@Test func aTornProgramClearsOnlyBitsItWasAskedToClear() {
    var sawPartial = false
    for seed in UInt64(0)..<200 {
        let f = RAMFlash(blockCount: 1, eraseBlockSize: 64)
        let target: [UInt8] = [0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0]
        f.cutPower(afterOperations: 0, seed: seed)
        #expect(throws: FlashError.deviceFailure) { try f.program(offset: 16, bytes: target) }
        let got = f.read(offset: 16, count: 8)
        for i in 0..<8 { #expect(got[i] & target[i] == target[i]) }  // never below the target
        if got != target && got != [UInt8](repeating: 0xFF, count: 8) { sawPartial = true }
        #expect(f.read(offset: 0, count: 16).allSatisfy { $0 == 0xFF })
    }
    #expect(sawPartial)
}

@Test func aTornEraseLeavesOtherBlocksAlone() throws {
    var sawGarbage = false
    for seed in UInt64(0)..<50 {
        let f = RAMFlash(blockCount: 2, eraseBlockSize: 64)
        try f.program(offset: 0, bytes: [UInt8](repeating: 0, count: 128))
        f.cutPower(afterOperations: 0, seed: seed)
        #expect(throws: FlashError.deviceFailure) { try f.erase(block: 1) }
        #expect(f.read(offset: 0, count: 64).allSatisfy { $0 == 0 })
        let torn = f.read(offset: 64, count: 64)
        if !torn.allSatisfy({ $0 == 0 }) && !torn.allSatisfy({ $0 == 0xFF }) { sawGarbage = true }
    }
    #expect(sawGarbage)
}
