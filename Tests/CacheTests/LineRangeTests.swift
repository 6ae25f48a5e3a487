import Testing
@testable import Cache

@Test func ctrGivesTheDataLineSize() {
    let a57 = CTR(0x8444_c004)  // QEMU cortex-a57: DminLine = 4
    #expect(a57.dminLine == 4 && a57.dataLineBytes == 64 && a57.dataLineShift == 6)
    #expect(!a57.idc && !a57.dic)
    #expect(CTR(0x3000_0000).idc && CTR(0x3000_0000).dic)
    #expect(CTR(0).dataLineBytes == 4)
    #expect(CTR(0xF_0000).dataLineBytes == 128 << 10)
}

@Test func emptyRangeHasNoLines() {
    let r = CacheLineRange(start: 0x1234, length: 0, lineShift: 6)
    #expect(r.count == 0 && r.bounds == nil)
    #expect(Array(r).isEmpty)
}

@Test func alignedRangeCoversWholeLines() {
    let r = CacheLineRange(start: 0x4000_1000, length: 0x100, lineShift: 6)
    #expect(Array(r) == [0x4000_1000, 0x4000_1040, 0x4000_1080, 0x4000_10c0])
    #expect(r.count == 4)
    #expect(!r.startsMidLine && !r.endsMidLine)
    #expect(Array(r).allSatisfy { r.invalidateInstruction(forLine: $0) == .invalidate })
}

@Test func unalignedRangeRoundsOutAndCleansPartialEnds() {
    let r = CacheLineRange(start: 0x1010, length: 0x80, lineShift: 6)  // bytes 0x1010...0x108f
    #expect(Array(r) == [0x1000, 0x1040, 0x1080])
    #expect(r.startsMidLine && r.endsMidLine)
    #expect(r.invalidateInstruction(forLine: 0x1000) == .cleanInvalidate)
    #expect(r.invalidateInstruction(forLine: 0x1040) == .invalidate)
    #expect(r.invalidateInstruction(forLine: 0x1080) == .cleanInvalidate)
}

@Test func onlyTheTailIsPartialWhenStartIsAligned() {
    let r = CacheLineRange(start: 0x2000, length: 0x41, lineShift: 6)
    #expect(Array(r) == [0x2000, 0x2040])
    #expect(!r.startsMidLine && r.endsMidLine)
    #expect(r.invalidateInstruction(forLine: 0x2000) == .invalidate)
    #expect(r.invalidateInstruction(forLine: 0x2040) == .cleanInvalidate)
}

@Test func oneByteIsOnePartialLine() {
    let r = CacheLineRange(start: 0x2005, length: 1, lineShift: 6)
    #expect(Array(r) == [0x2000])
    #expect(r.invalidateInstruction(forLine: 0x2000) == .cleanInvalidate)
}

@Test func rangePastTheTopOfMemoryIsClampedAndTerminates() {
    let r = CacheLineRange(start: UInt64.max - 10, length: 100, lineShift: 6)
    #expect(Array(r) == [UInt64.max & ~63])
    #expect(r.startsMidLine && !r.endsMidLine)
    let top = CacheLineRange(start: UInt64.max - 63, length: 64, lineShift: 6)
    #expect(Array(top) == [UInt64.max - 63] && !top.endsMidLine)
}

@Test func wholeAddressSpaceCountsWithoutOverflow() {
    let r = CacheLineRange(start: 0, length: UInt64.max, lineShift: 2)
    #expect(r.count == 1 << 62)
    #expect(r.underestimatedCount == 1 << 62)
    #expect(CacheLineRange(start: 0, length: UInt64.max, lineShift: 6).count == 1 << 58)
}

@Test func ctrInitialiserUsesDminLine() {
    let r = CacheLineRange(start: 0x1001, length: 0x20, ctr: CTR(0x0003_0000))  // 32-byte lines
    #expect(Array(r) == [0x1000, 0x1020])
    #expect(r == CacheLineRange(start: 0x1001, length: 0x20, lineShift: 5))
    #expect(r != CacheLineRange(start: 0x1000, length: 0x20, lineShift: 5))
}
