import Testing
@testable import Cache

/// A core's cache description: CLIDR plus the data/unified CCSIDR of each level.
struct Hierarchy: Sendable, CustomTestStringConvertible {
    let name: String
    let clidr: UInt64
    let ccsidr: [UInt64]     // indexed by 0-based level
    let format: CCSIDRFormat
    let levels: [Int]        // levels the walk must visit
    let count: UInt64        // Σ sets · ways over those levels

    var testDescription: String { name }

    func sequence(_ instruction: SetWayInstruction) -> SetWaySequence {
        SetWaySequence(allLevels: CLIDR(clidr), instruction: instruction) { level in
            CCSIDR(level < ccsidr.count ? ccsidr[level] : 0, format: format)
        }
    }
}

let hierarchies: [Hierarchy] = [
    // QEMU 7.2 models (decoded from its CLIDR/CCSIDR values); L1D 4-way × 128 sets, L2 16-way × 1024 sets.
    Hierarchy(name: "cortex-a53", clidr: 0x0a20_0023, ccsidr: [0x700f_e01a, 0x707f_e07a], format: .legacy,
              levels: [0, 1], count: 512 + 16384),
    // L1D 2-way × 256 sets, L2 16-way × 2048 sets.
    Hierarchy(name: "cortex-a57", clidr: 0x0a20_0023, ccsidr: [0x701f_e00a, 0x70ff_e07a], format: .legacy,
              levels: [0, 1], count: 512 + 32768),
    Hierarchy(name: "cortex-a72", clidr: 0x0a20_0023, ccsidr: [0x701f_e00a, 0x707f_e07a], format: .legacy,
              levels: [0, 1], count: 512 + 16384),
    Hierarchy(name: "max", clidr: 0x0200_0023, ccsidr: [0x701f_e00a, 0x70ff_e07a], format: .legacy,
              levels: [0, 1], count: 512 + 32768),
    // Neoverse N1: L1D 64 KiB 4-way, L2 1 MiB 8-way; ICB = 2.
    Hierarchy(name: "neoverse-n1", clidr: 0x8200_0023, ccsidr: [0x701f_e01a, 0x70ff_e03a], format: .legacy,
              levels: [0, 1], count: 1024 + 16384),
    // N2-style FEAT_CCIDX: L1D 64 KiB 4-way, L2 1 MiB 8-way.
    Hierarchy(name: "n2-ccidx", clidr: 0x8200_0023, ccsidr: [0x0000_00ff_0000_001a, 0x0000_07ff_0000_003a],
              format: .ccidx, levels: [0, 1], count: 1024 + 16384),
    // One direct-mapped unified level, 32-byte lines, 512 sets.
    Hierarchy(name: "direct-mapped", clidr: 0x0100_0004, ccsidr: [0x003f_e001], format: .legacy,
              levels: [0], count: 512),
    // LoC = 0: nothing to do even though L1 and L2 exist.
    Hierarchy(name: "loc-0", clidr: 0x0000_0023, ccsidr: [0x700f_e01a, 0x707f_e07a], format: .legacy,
              levels: [], count: 0),
    // L1 instruction-only, L2 unified 3-way: only L2 is walked.
    Hierarchy(name: "icache-only-l1", clidr: 0x0200_0021, ccsidr: [0x201f_e012, 0x000f_e012], format: .legacy,
              levels: [1], count: 3 * 128),
]

@Test(arguments: hierarchies)
func allLevelsVisitsLevelsBelowLoCWithDataCaches(_ h: Hierarchy) {
    let seq = h.sequence(.cleanInvalidate)
    #expect(seq.passes.map(\.level) == h.levels)
    #expect(seq.count == h.count)
}

@Test(arguments: hierarchies)
func allLevelsIssuesSetsTimesWaysUniqueOperands(_ h: Hierarchy) {
    for instruction in [SetWayInstruction.cleanInvalidate, .invalidate] {
        let ops = Array(h.sequence(instruction))
        #expect(UInt64(ops.count) == h.count)
        #expect(ops.allSatisfy { $0.instruction == instruction })
        #expect(Set(ops.map(\.operand)).count == ops.count)
    }
}

@Test(arguments: hierarchies)
func everyOperandDecodesBackToItsLevelSetAndWay(_ h: Hierarchy) {
    let seq = h.sequence(.invalidate)
    var ops = seq.makeIterator()
    for pass in seq.passes {
        let g = pass.geometry
        var set = g.sets
        while set > 0 {
            set -= 1
            var way = g.ways
            while way > 0 {
                way -= 1
                let op = ops.next()
                #expect(op?.operand == g.operand(level: pass.level, set: set, way: way))
                #expect((op?.operand ?? 0) >> 1 & 0b111 == UInt64(pass.level))
                #expect((op?.operand ?? 0) & 1 == 0)
            }
        }
    }
    #expect(ops.next() == nil)
}

@Test func cortexA53OrderIsSetsHighToLowThenWaysHighToLow() {
    let ops = Array(hierarchies[0].sequence(.cleanInvalidate).map(\.operand))
    // L1D: 4 ways (A = 2, way at bit 30), 128 sets, 64-byte lines (set at bit 6).
    let set127: UInt64 = 127 << 6, set126: UInt64 = 126 << 6
    let expected: [UInt64] = [3 << 30 | set127, 2 << 30 | set127, 1 << 30 | set127, set127, 3 << 30 | set126]
    #expect(Array(ops.prefix(5)) == expected)
    #expect(ops[511] == 0)
    // L2: 16 ways (way at bit 28), 1024 sets, level field 1.
    #expect(ops[512] == 15 << 28 | 1023 << 6 | 2)
    #expect(ops.last == 2)
}

@Test func ccidxLevelUsesTheWideFields() {
    let seq = hierarchies[5].sequence(.cleanInvalidate)
    #expect(seq.passes[1].geometry == CacheGeometry(lineShift: 6, ways: 8, sets: 2048))
    #expect(seq.first(where: { _ in true })?.operand == 3 << 30 | 255 << 6)
}

@Test func oneLevelIgnoresLoCButNotCtype() {
    let clidr = CLIDR(0x0000_0023)  // LoC = 0
    let l2 = CCSIDR(0x707f_e07a, format: .legacy)
    let seq = SetWaySequence(level: 1, clidr: clidr, ccsidr: l2, instruction: .invalidate)
    #expect(seq.count == 16384)
    #expect(seq.passes == [SetWayPass(level: 1, geometry: l2.geometry)])
    #expect(Array(seq.prefix(1)) == [SetWayOperation(.invalidate, 15 << 28 | 1023 << 6 | 2)])
}

@Test func oneLevelIsEmptyForNoDataCacheOrBadLevel() {
    let clidr = CLIDR(0x0200_0021)  // L1 instruction only
    let any = CCSIDR(0x700f_e01a, format: .legacy)
    #expect(SetWaySequence(level: 0, clidr: clidr, ccsidr: any, instruction: .cleanInvalidate).count == 0)
    #expect(SetWaySequence(level: 2, clidr: clidr, ccsidr: any, instruction: .cleanInvalidate).count == 0)
    #expect(SetWaySequence(level: 7, clidr: CLIDR(UInt64.max), ccsidr: any, instruction: .invalidate).count == 0)
    #expect(SetWaySequence(level: -1, clidr: CLIDR(UInt64.max), ccsidr: any, instruction: .invalidate).count == 0)
    #expect(Array(SetWaySequence(level: 0, clidr: clidr, ccsidr: any, instruction: .invalidate)).isEmpty)
}

@Test func allLevelsAsksForCCSIDROfWalkedLevelsOnly() {
    var asked: [Int] = []
    _ = SetWaySequence(allLevels: CLIDR(0x0300_0061), instruction: .cleanInvalidate) { level in
        asked.append(level)
        return CCSIDR(0, format: .legacy)
    }
    // L1 I-only, L2 unified, L3 I-only, LoC = 3.
    #expect(asked == [1])
}

@Test func countOfAHugeCCIDXHierarchyDoesNotOverflow() {
    // Seven unified levels, LoC = 7, each the largest CCIDX geometry.
    let seq = SetWaySequence(allLevels: CLIDR(0x0712_4924), instruction: .invalidate) { _ in
        CCSIDR(UInt64.max, format: .ccidx)
    }
    #expect(seq.passes.count == 7)
    #expect(seq.count == 7 << 45)
    #expect(seq.underestimatedCount == 7 << 45)
}

func esr(op0: UInt64 = 1, op1: UInt64 = 0, crn: UInt64 = 7, crm: UInt64, op2: UInt64 = 2, rt: UInt64,
         read: Bool = false, ec: UInt64 = 0x18) -> UInt64 {
    ec << 26 | 1 << 25 | op0 << 20 | op2 << 17 | op1 << 14 | crn << 10 | rt << 5 | crm << 1 | (read ? 1 : 0)
}

@Test func trapDecodesTheThreeSetWayInstructions() {
    #expect(SetWayTrap(esr: esr(crm: 14, rt: 9)) == SetWayTrap(instruction: .cleanInvalidate, rt: 9))
    #expect(SetWayTrap(esr: esr(crm: 6, rt: 0)) == SetWayTrap(instruction: .invalidate, rt: 0))
    #expect(SetWayTrap(esr: esr(crm: 10, rt: 31)) == SetWayTrap(instruction: .clean, rt: 31))
}

@Test func trapRejectsEverythingElse() {
    #expect(SetWayTrap(esr: esr(crm: 14, rt: 9, ec: 0x16)) == nil)           // HVC
    #expect(SetWayTrap(esr: esr(op1: 3, crm: 14, op2: 1, rt: 9)) == nil)     // DC CIVAC
    #expect(SetWayTrap(esr: esr(crm: 6, op2: 1, rt: 9)) == nil)              // DC IVAC
    #expect(SetWayTrap(esr: esr(op0: 3, crn: 0, crm: 0, op2: 0, rt: 1, read: true)) == nil)  // MRS
    #expect(SetWayTrap(esr: esr(crm: 14, rt: 9, read: true)) == nil)
    #expect(SetWayTrap(esr: esr(crm: 5, rt: 9)) == nil)
    #expect(SetWayTrap(esr: 0) == nil)
}

@Test func instructionCRmRoundTrips() {
    for i in [SetWayInstruction.invalidate, .clean, .cleanInvalidate] { #expect(SetWayInstruction(crm: i.crm) == i) }
    #expect(SetWayInstruction(crm: 0) == nil)
}

extension SetWayTrap {
    init(instruction: SetWayInstruction, rt: Int) {
        self.init(esr: esr(crm: UInt64(instruction.crm), rt: UInt64(rt)))!
    }
}
