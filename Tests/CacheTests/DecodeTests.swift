import Testing
@testable import Cache

// CLIDR value of QEMU's cortex-a53/a57/a72 models: L1 separate I+D, L2 unified, LoUIS 1, LoC 2, LoUU 1.
let qemuA5xCLIDR = CLIDR(0x0a20_0023)

@Test func clidrFieldsOfTheQEMUCortexModels() {
    #expect(qemuA5xCLIDR.cacheType(level: 0) == .separate)
    #expect(qemuA5xCLIDR.cacheType(level: 1) == .unified)
    for level in 2..<7 { #expect(qemuA5xCLIDR.cacheType(level: level) == CacheType.none) }
    #expect(qemuA5xCLIDR.levelOfUnificationInnerShareable == 1)
    #expect(qemuA5xCLIDR.levelOfCoherence == 2)
    #expect(qemuA5xCLIDR.levelOfUnificationUniprocessor == 1)
    #expect(qemuA5xCLIDR.setWayLevels == [0, 1])
}

@Test func clidrOfQEMUMaxClearsLoUISAndLoUU() {
    let clidr = CLIDR(0x0200_0023)
    #expect(clidr.levelOfUnificationInnerShareable == 0)
    #expect(clidr.levelOfUnificationUniprocessor == 0)
    #expect(clidr.levelOfCoherence == 2)
}

@Test func clidrLevelsOutOfRangeReadAsNoCache() {
    let all = CLIDR(UInt64.max)
    #expect(all.cacheType(level: -1) == CacheType.none)
    #expect(all.cacheType(level: 7) == CacheType.none)
    #expect(all.cacheType(level: 6) == .reserved(7))
    #expect(all.innerCacheBoundary == 7)
}

@Test func cacheTypeFieldRoundTripsAndWalksFromTwoUp() {
    for f in UInt8(0)...7 {
        let t = CacheType(field: f)
        #expect(t.field == f)
        #expect(t.isWalkedBySetWay == (f >= 2))
    }
    #expect(CacheType(field: 1) == .instructionOnly)
    #expect(CacheType(field: 2) == .dataOnly)
}

@Test func clidrSkipsInstructionOnlyLevelsAndStopsAtLoC() {
    // L1 I-only, L2 unified, L3 D-only, L4 unified beyond LoC = 3.
    let clidr = CLIDR(UInt64(3) << 24 | 4 << 9 | 2 << 6 | 4 << 3 | 1)
    #expect(clidr.setWayLevels == [1, 2])
    #expect(CLIDR(0x0000_0023).setWayLevels == [])  // LoC = 0
}

@Test func ccidxFieldSelectsTheFormat() {
    #expect(IDAA64MMFR2(0).ccsidrFormat == .legacy)
    #expect(IDAA64MMFR2(0x0010_0000).ccsidrFormat == .ccidx)
    #expect(IDAA64MMFR2(0x0010_0000).ccidx == 1)
    #expect(IDAA64MMFR2(0xFF0F_FFFF).ccsidrFormat == .legacy)  // every other bit set, CCIDX = 0
    #expect(IDAA64MMFR2(0x00F0_0000).ccidx == 0xF)
}

struct Geometry: Sendable {
    let ccsidr: UInt64, format: CCSIDRFormat, lineBytes: UInt64, ways: UInt32, sets: UInt32, size: UInt64
}

let knownGeometries: [Geometry] = [
    // QEMU cortex-a53 L1D, L2; cortex-a57 (older QEMU) L1D, L1I, L2; Neoverse N1 L1D, L2.
    Geometry(ccsidr: 0x700f_e01a, format: .legacy, lineBytes: 64, ways: 4, sets: 128, size: 32 << 10),
    Geometry(ccsidr: 0x707f_e07a, format: .legacy, lineBytes: 64, ways: 16, sets: 1024, size: 1 << 20),
    Geometry(ccsidr: 0x701f_e00a, format: .legacy, lineBytes: 64, ways: 2, sets: 256, size: 32 << 10),
    Geometry(ccsidr: 0x201f_e012, format: .legacy, lineBytes: 64, ways: 3, sets: 256, size: 48 << 10),
    Geometry(ccsidr: 0x70ff_e07a, format: .legacy, lineBytes: 64, ways: 16, sets: 2048, size: 2 << 20),
    Geometry(ccsidr: 0x701f_e01a, format: .legacy, lineBytes: 64, ways: 4, sets: 256, size: 64 << 10),
    Geometry(ccsidr: 0x70ff_e03a, format: .legacy, lineBytes: 64, ways: 8, sets: 2048, size: 1 << 20),
    // Neoverse N2-style FEAT_CCIDX L1D: 64 KiB, 4-way, 64 B.
    Geometry(ccsidr: 0x0000_00ff_0000_001a, format: .ccidx, lineBytes: 64, ways: 4, sets: 256, size: 64 << 10),
    // CCIDX with fields wider than the legacy layout allows: 2048 ways, 2^20 sets, 128 B lines.
    Geometry(ccsidr: 0x000f_ffff_0000_3ffb, format: .ccidx, lineBytes: 128, ways: 2048, sets: 1 << 20, size: 1 << 38),
]

@Test(arguments: knownGeometries)
func ccsidrDecodesToTheDocumentedGeometry(_ g: Geometry) {
    let geometry = CCSIDR(g.ccsidr, format: g.format).geometry
    #expect(geometry.lineBytes == g.lineBytes)
    #expect(geometry.ways == g.ways)
    #expect(geometry.sets == g.sets)
    #expect(geometry.sizeBytes == g.size)
}

@Test func legacyIgnoresTheUpperWriteHintBitsAndHighWord() {
    let plain = CCSIDR(0x000f_e01a, format: .legacy).geometry
    #expect(CCSIDR(0xffff_ffff_f00f_e01a, format: .legacy).geometry == plain)
}

@Test func theSameValueDecodesDifferentlyPerFormat() {
    // N2's CCIDX value read as legacy: Associativity = 3, NumSets = 0 (bits [27:13] are zero).
    let asLegacy = CCSIDR(0x0000_00ff_0000_001a, format: .legacy).geometry
    #expect(asLegacy.ways == 4 && asLegacy.sets == 1)
    // A legacy value read as CCIDX: NumSets [55:32] = 0, Associativity takes bits [23:3].
    let asCCIDX = CCSIDR(0x700f_e01a, format: .ccidx).geometry
    #expect(asCCIDX.sets == 1 && asCCIDX.ways == 0x1fc04)
}

@Test func ccsidrExtremesStayInRange() {
    let legacyMax = CCSIDR(UInt64.max, format: .legacy).geometry
    #expect(legacyMax.lineShift == 11 && legacyMax.ways == 1024 && legacyMax.sets == 32768)
    let ccidxMax = CCSIDR(UInt64.max, format: .ccidx).geometry
    #expect(ccidxMax.ways == 1 << 21 && ccidxMax.sets == 1 << 24)
    #expect(ccidxMax.sizeBytes == 1 << 56)
    let minimum = CCSIDR(0, format: .ccidx).geometry
    #expect(minimum.lineBytes == 16 && minimum.ways == 1 && minimum.sets == 1)
}

@Test func wayFieldWidthIsCeilLog2OfWays() {
    let cases: [(UInt32, Int)] = [(1, 0), (2, 1), (3, 2), (4, 2), (5, 3), (8, 3), (16, 4), (17, 5), (1 << 21, 21)]
    for (ways, bits) in cases {
        let g = CacheGeometry(lineShift: 6, ways: ways, sets: 1)
        #expect(g.wayBits == bits)
        #expect(g.wayShift == 32 - bits)
    }
}

@Test func operandPlacesWaySetAndLevel() {
    let l2 = CacheGeometry(lineShift: 6, ways: 16, sets: 2048)
    #expect(l2.operand(level: 1, set: 0, way: 0) == 0x2)
    #expect(l2.operand(level: 1, set: 2047, way: 15) == 0xF000_0000 | 2047 << 6 | 2)
    let threeWay = CacheGeometry(lineShift: 6, ways: 3, sets: 256)
    #expect(threeWay.operand(level: 0, set: 1, way: 2) == 2 << 30 | 1 << 6)
}

@Test func directMappedCacheHasNoWayField() {
    let g = CacheGeometry(lineShift: 5, ways: 1, sets: 512)
    #expect(g.wayShift == 32)
    #expect(g.operand(level: 2, set: 511, way: 0) == 511 << 5 | 4)
}
