import Testing
@testable import MMU

/// A page-aligned pool on the host; table addresses are host pointers, which fit 48 bits.
final class Pool {
    let pages: Int
    let base: UnsafeMutableRawPointer
    init(pages: Int) {
        self.pages = pages
        base = UnsafeMutableRawPointer.allocate(byteCount: pages * 4096, alignment: 4096)
    }
    deinit { base.deallocate() }
    func tables(_ regime: Regime) -> TranslationTables { TranslationTables(pool: base, pages: pages, regime: regime) }
}

@Test func fourGiBOfRAMAtOneGiBTakesOnlyTheRootAndOneLevel1Table() {
    let pool = Pool(pages: 4)
    var t = pool.tables(.el3)
    #expect(true == t.map(0x4000_0000, 4 << 30, .readWrite, nonSecure: true))
    #expect(t.pagesUsed == 2)
    for a: UInt64 in [0x4000_0000, 0xBE46_F000, 0x1_0000_0000, 0x1_3FFF_FFF8] {
        #expect(t.lookup(a)?.level == 1)
        #expect(t.access(at: a)?.access == .readWrite)
        #expect(t.access(at: a)?.nonSecure == true)
    }
    #expect(t.lookup(0x3FFF_F000) == nil)
    #expect(t.lookup(0x1_4000_0000) == nil)
}

@Test func raggedRangesUseTwoMiBBlocksAndPagesAtTheirEdges() {
    let pool = Pool(pages: 16)
    var t = pool.tables(.el3)
    // Pages up to 0x4040_0000, 2 MiB blocks up to 0x8060_0000 (no whole aligned GiB), then pages.
    #expect(true == t.map(0x4020_1000, 0x8060_3000 - 0x4020_1000, .readWrite))
    #expect(t.lookup(0x4020_1000)?.level == 3)
    #expect(t.lookup(0x4040_0000)?.level == 2)
    #expect(t.lookup(0x8000_0000)?.level == 2)
    #expect(t.lookup(0x8060_2000)?.level == 3)
    #expect(t.lookup(0x4020_0000) == nil)
    #expect(t.lookup(0x8060_3000) == nil)
    #expect(t.pagesUsed <= 7)
}

@Test func ramAboveFiveHundredTwelveGiBAndUpTo2Pow48IsReachable() {
    let pool = Pool(pages: 8)
    var t = pool.tables(.el2)
    #expect(true == t.map(0x80_0000_0000, 1 << 30, .readWrite))             // 512 GiB: second level-0 entry
    #expect(true == t.map(0xFFFF_C000_0000, 1 << 30, .readWrite))           // the last GiB below 2^48
    #expect(t.access(at: 0x80_0000_0000)?.access == .readWrite)
    #expect(t.access(at: 0xFFFF_FFFF_F000)?.access == .readWrite)
    #expect(false == t.map(0xFFFF_FFFF_F000, 0x2000, .readWrite))          // crosses 2^48
    #expect(false == t.map(UInt64.max - 0xFFF, 0x1000, .readWrite))
}

@Test func unalignedRangesAreRefusedNotRoundedOutward() {
    let pool = Pool(pages: 4)
    var t = pool.tables(.el3)
    #expect(false == t.map(0x4000_0800, 0x1000, .readWrite))
    #expect(false == t.map(0x4000_0000, 0x800, .readWrite))
    #expect(t.lookup(0x4000_0000) == nil)
    #expect(true == t.map(0x4000_0000, 0, .readWrite))                      // nothing to do
}

@Test func anExhaustedPoolReportsFailure() {
    let pool = Pool(pages: 3)                                        // root, L1, L2: no L3 left
    var t = pool.tables(.el3)
    #expect(true == t.map(0x4000_0000, 0x20_0000, .readWrite))
    #expect(false == t.map(0x4100_0000, 0x1000, .readWrite))
    #expect(t.pagesUsed == 3)
}

@Test func aFinerMappingSplitsABlockAndKeepsTheRest() {
    let pool = Pool(pages: 8)
    var t = pool.tables(.el3)
    #expect(true == t.map(0x0E00_0000, 0x100_0000, .readWrite))
    #expect(t.lookup(0x0E00_0000)?.level == 2)
    #expect(true == t.map(0x0E00_0000, 0x3000, .code))
    #expect(t.access(at: 0x0E00_2000)?.access == .code)
    #expect(t.access(at: 0x0E00_3000)?.access == .readWrite)
    #expect(t.access(at: 0x0E1F_F000)?.access == .readWrite)
    #expect(t.lookup(0x0E1F_F000)?.level == 3)
    #expect(t.lookup(0x0E20_0000)?.level == 2)
    #expect(t.lookup(0x0F00_0000) == nil)
}

@Test func aCoarserMappingOverAFinerTableFillsItInsteadOfLeakingIt() {
    let pool = Pool(pages: 8)
    var t = pool.tables(.el3)
    #expect(true == t.map(0x4000_0000, 0x1000, .code))
    let used = t.pagesUsed
    #expect(true == t.map(0x4000_0000, 1 << 30, .readWrite, nonSecure: true))
    #expect(t.pagesUsed == used)
    #expect(t.access(at: 0x4000_0000)?.access == .readWrite)
    #expect(t.access(at: 0x4000_0000)?.nonSecure == true)
    #expect(t.access(at: 0x7FFF_F000)?.access == .readWrite)
}

@Test func descriptorsFollowTheRegime() {
    // EL3 / EL2: one XN bit (54), AP[1] RES1, bit 53 RES0.
    let code3 = Descriptor.attributes(.code, nonSecure: false, regime: .el3)
    #expect(code3 & Descriptor.xn == 0 && code3 & Descriptor.pxn == 0)
    #expect(code3 & Descriptor.readOnly != 0 && code3 & Descriptor.ap1 != 0)
    let data3 = Descriptor.attributes(.readWrite, nonSecure: true, regime: .el3)
    #expect(data3 & Descriptor.xn != 0 && data3 & Descriptor.pxn == 0)
    #expect(data3 & Descriptor.readOnly == 0 && data3 & Descriptor.nonSecure != 0)
    // EL1&0: nothing for EL0 (AP[1] clear, UXN set), PXN on everything but code.
    let code1 = Descriptor.attributes(.code, nonSecure: false, regime: .el1)
    #expect(code1 & Descriptor.ap1 == 0 && code1 & Descriptor.xn != 0 && code1 & Descriptor.pxn == 0)
    let ro1 = Descriptor.attributes(.readOnly, nonSecure: false, regime: .el1)
    #expect(ro1 & Descriptor.pxn != 0 && ro1 & Descriptor.readOnly != 0)
    let dev = Descriptor.attributes(.device, nonSecure: false, regime: .el1)
    #expect((dev >> 2) & 7 == 0 && dev & Descriptor.pxn != 0)
    #expect((Descriptor.attributes(.readWrite, nonSecure: false, regime: .el1) >> 2) & 7 == 1)
    for access in [Access.code, .readOnly, .readWrite, .readWriteExecute, .device] {
        for regime in [Regime.el1, .el2, .el3] {
            let d = Descriptor.attributes(access, nonSecure: false, regime: regime) | Descriptor.valid
            #expect(Descriptor.access(of: d, regime: regime) == access)
        }
    }
}

@Test func physicalAddressRangeDecodesParange() {
    #expect(PhysicalAddressRange.bits(parange: 2) == 40)
    #expect(PhysicalAddressRange.bits(parange: 5) == 48)
    #expect(PhysicalAddressRange.bits(parange: 7) == nil)
    #expect(PhysicalAddressRange.limit(parange: 2) == 1 << 40)
    #expect(PhysicalAddressRange.limit(parange: 6) == 1 << 48)       // 52-bit PAs need LPA2 tables
    #expect(PhysicalAddressRange.tcrPS(parange: 6) == 5)
    #expect(PhysicalAddressRange.tcrPS(parange: 4) == 4)
    #expect(PhysicalAddressRange.tcrPS(parange: 0xF) == 0)
}
