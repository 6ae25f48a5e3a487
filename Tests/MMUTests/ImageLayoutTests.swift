import Testing
@testable import MMU

let monitor = ImageLayout(start: 0x0E00_0000, textEnd: 0x0E00_B000, rodataEnd: 0x0E00_D000, end: 0x0E07_0000)

@Test func thePlanMarksTextRXRodataROAndDataRWXN() {
    #expect(monitor.regions == [
        Region(base: 0x0E00_0000, size: 0xB000, .code),
        Region(base: 0x0E00_B000, size: 0x2000, .readOnly),
        Region(base: 0x0E00_D000, size: 0x63000, .readWrite),
    ])
    #expect(monitor.regions.allSatisfy { !($0.access.isWritable && $0.access.isExecutable) })
}

@Test func theBuiltTablesEnforceThePlanPageByPage() {
    let pool = Pool(pages: 8)
    for regime in [Regime.el3, .el1] {
        var t = pool.tables(regime)
        #expect(true == t.map(monitor.regions))
        #expect(t.access(at: 0x0E00_0000)?.access == .code)
        #expect(t.access(at: 0x0E00_A000)?.access == .code)
        #expect(t.access(at: 0x0E00_B000)?.access == .readOnly)
        #expect(t.access(at: 0x0E00_D000)?.access == .readWrite)
        #expect(t.access(at: 0x0E06_F000)?.access == .readWrite)
        #expect(t.lookup(0x0E07_0000) == nil)
        #expect(t.access(at: 0x0E00_0000)?.nonSecure == false)
        let text = t.lookup(0x0E00_0000)!.descriptor, data = t.lookup(0x0E00_D000)!.descriptor
        #expect(text & Descriptor.readOnly != 0)
        if regime == .el3 {
            #expect(text & Descriptor.xn == 0 && data & Descriptor.xn != 0)
        } else {
            #expect(text & Descriptor.pxn == 0 && data & Descriptor.pxn != 0)
        }
    }
}

@Test func emptySectionsGiveNoRegionAndBadLayoutsNone() {
    let noRodata = ImageLayout(start: 0x1000, textEnd: 0x3000, rodataEnd: 0x3000, end: 0x5000)
    #expect(noRodata.regions.map(\.access) == [.code, .readWrite])
    #expect(ImageLayout(start: 0x1000, textEnd: 0x1800, rodataEnd: 0x3000, end: 0x5000).regions.isEmpty)
    #expect(ImageLayout(start: 0x3000, textEnd: 0x2000, rodataEnd: 0x3000, end: 0x5000).regions.isEmpty)
}

/// `map(ImageLayout)` (what the images call, no region list built) writes exactly the tables
/// `map(layout.regions)` writes, and maps nothing for an invalid layout.
@Test func mappingTheLayoutEqualsMappingItsRegions() {
    let a = Pool(pages: 8), b = Pool(pages: 8)
    for regime in [Regime.el3, .el1] {
        var direct = a.tables(regime), listed = b.tables(regime)
        #expect(true == direct.map(monitor))
        #expect(true == listed.map(monitor.regions))
        #expect(direct.pagesUsed == listed.pagesUsed)
        for va in stride(from: UInt64(0x0DFF_F000), through: 0x0E07_1000, by: 0x1000) {
            #expect(direct.lookup(va)?.descriptor == listed.lookup(va)?.descriptor)
        }
    }
    var empty = a.tables(.el3)
    let invalid = ImageLayout(start: 0x0E00_0000, textEnd: 0x0E00_0800, rodataEnd: 0x0E00_D000, end: 0x0E07_0000)
    #expect(!invalid.isValid)
    #expect(true == empty.map(invalid))
    #expect(empty.lookup(0x0E00_0000) == nil)
}
