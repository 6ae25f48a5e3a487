import Testing
@testable import EL3

let gicd: UInt64 = 0x0800_0000
let gicr: UInt64 = 0x080A_0000

@Suite struct GICDetectTests {
    @Test func systemRegisterInterfaceAndArchRevNameTheVersion() {
        #expect(GICDetect.version(pfr0: 1 << 24, pidr2: 0x3B) == .v3)
        #expect(GICDetect.version(pfr0: 3 << 24, pidr2: 0x4B) == .v3)
        #expect(GICDetect.version(pfr0: 0, pidr2: 0x2B) == .v2)
        #expect(GICDetect.version(pfr0: 0, pidr2: 0x1B) == .v2)
        #expect(GICDetect.version(pfr0: 1 << 24, pidr2: 0x2B) == nil)   // sysregs but a GICv2 distributor
        #expect(GICDetect.version(pfr0: 0, pidr2: 0x3B) == nil)         // GICv3 without the CPU interface
        #expect(GICDetect.version(pfr0: 0, pidr2: 0) == nil)
    }

    @Test func pidr2IsReadWhereThatVersionHasIt() {
        #expect(GICDetect.pidr2Offset(pfr0: 1 << 24) == 0xFFE8)
        #expect(GICDetect.pidr2Offset(pfr0: 0xF0FF_FFFF) == 0xFE8)
    }
}

@Suite struct GICv3SetupTests {
    func setUp(lines typer: UInt32 = 8, affinities: [UInt32] = [0]) -> FakeGIC {
        let fake = FakeGIC()
        fake.registers[gicd + 4] = typer
        fake.addRedistributors(base: gicr, affinities: affinities)
        return fake
    }

    @Test func distributorGroupsOffThenAffinityRoutingThenGroup1NS() throws {
        let fake = setUp()
        fake.registers[gicd] = 0x7   // a previous stage left every group on
        var s = GICv3Setup(access: fake, distributor: gicd, redistributors: gicr)
        try s.configureDistributor()
        let ctlr = fake.writes(to: gicd)
        #expect(ctlr.count == 3)
        #expect(ctlr[0] & 0x7 == 0)                       // groups off first
        #expect(ctlr[1] == 1 << 4 | 1 << 5)               // ARE_S | ARE_NS, still off
        #expect(ctlr[2] == 1 << 4 | 1 << 5 | 1 << 1)      // then Group 1 NS only: no secure interrupts
    }

    @Test func everySPIIsGroup1NonSecureAndNothingElse() throws {
        let fake = setUp(lines: 8)   // ITLinesNumber 8: INTIDs 0..287
        var s = GICv3Setup(access: fake, distributor: gicd, redistributors: gicr)
        try s.configureDistributor()
        let igroupr = fake.writes.filter { $0.0 >= gicd + 0x80 && $0.0 < gicd + 0x100 }
        #expect(igroupr.map(\.0) == (1...8).map { gicd + 0x80 + UInt64($0 * 4) })   // not the banked register 0
        #expect(igroupr.allSatisfy { $0.1 == 0xFFFF_FFFF })
        let grpmod = fake.writes.filter { $0.0 >= gicd + 0xD00 && $0.0 < gicd + 0xD80 }
        #expect(grpmod.count == 8 && grpmod.allSatisfy { $0.1 == 0 })
        let prio = fake.writes.filter { $0.0 >= gicd + 0x400 && $0.0 < gicd + 0x800 }
        #expect(prio.first?.0 == gicd + 0x420 && prio.count == (288 - 32) / 4)
        #expect(prio.allSatisfy { $0.1 == 0x8080_8080 })
        let cfg = fake.writes.filter { $0.0 >= gicd + 0xC00 && $0.0 < gicd + 0xD00 }
        #expect(cfg.map(\.0) == (2..<18).map { gicd + 0xC00 + UInt64($0 * 4) })
    }

    @Test func extendedSPIsAreGroup1NonSecureToo() throws {
        let fake = setUp(lines: 1 << 8 | 1 << 27)   // ESPI with ESPI_range 1: INTIDs 4096..4159
        var s = GICv3Setup(access: fake, distributor: gicd, redistributors: gicr)
        try s.configureDistributor()
        #expect(fake.writes(to: gicd + 0x1000) == [0xFFFF_FFFF] && fake.writes(to: gicd + 0x1004) == [0xFFFF_FFFF])
        #expect(fake.writes(to: gicd + 0x1008).isEmpty)
        #expect(fake.writes(to: gicd + 0x3400) == [0] && fake.writes(to: gicd + 0x3404) == [0])
        #expect(fake.writes.filter { $0.0 >= gicd + 0x2000 && $0.0 < gicd + 0x3000 }.count == 16)
        #expect(fake.writes.filter { $0.0 >= gicd + 0x3000 && $0.0 < gicd + 0x3400 }.count == 4)
        let plain = setUp(lines: 8)
        var p = GICv3Setup(access: plain, distributor: gicd, redistributors: gicr)
        try p.configureDistributor()
        #expect(plain.writes.allSatisfy { $0.0 < gicd + 0x1000 })
    }

    @Test func interruptLinesFollowTyperUpTo1020() {
        #expect(GICv3Setup<FakeGIC>.interruptLines(typer: 0) == 32)
        #expect(GICv3Setup<FakeGIC>.interruptLines(typer: 8) == 288)
        #expect(GICv3Setup<FakeGIC>.interruptLines(typer: 0xFFFF_FFFF) == 1020)
    }

    @Test func aWriteThatNeverCompletesIsReported() {
        let fake = setUp()
        fake.rwpStuck = true
        var s = GICv3Setup(access: fake, distributor: gicd, redistributors: gicr)
        #expect(throws: GICSetupError.registerWriteTimeout) { try s.configureDistributor() }
    }

    @Test func redistributorFoundByAffinity() throws {
        let fake = setUp(affinities: [0x0000_0000, 0x0000_0001, 0x0001_0000, 0x0100_0203])
        var s = GICv3Setup(access: fake, distributor: gicd, redistributors: gicr)
        #expect(try s.findRedistributor(mpidr: 0x8000_0000) == gicr)                  // MPIDR.U/MT bits ignored
        #expect(try s.findRedistributor(mpidr: 0x0001) == gicr + 0x2_0000)
        #expect(try s.findRedistributor(mpidr: 0x1_0000) == gicr + 0x4_0000)
        #expect(try s.findRedistributor(mpidr: 0x1_0000_0203 | 0x8000_0000) == gicr + 0x6_0000)  // Aff3 at 39:32
        #expect(throws: GICSetupError.redistributorNotFound) { try s.findRedistributor(mpidr: 0x2) }
    }

    @Test func gicv4FramesAreTwiceAsLarge() throws {
        let fake = FakeGIC()
        fake.addRedistributors(base: gicr, affinities: [0, 1], vlpis: true)
        var s = GICv3Setup(access: fake, distributor: gicd, redistributors: gicr)
        #expect(try s.findRedistributor(mpidr: 1) == gicr + 0x4_0000)
    }

    @Test func redistributorWokenAndItsSGIsAndPPIsGroup1NS() throws {
        let fake = setUp()
        var s = GICv3Setup(access: fake, distributor: gicd, redistributors: gicr)
        let rd = try s.run(mpidr: 0)
        #expect(rd == gicr)
        #expect(fake.writes(to: gicr + 0x14) == [1 << 2])                 // ProcessorSleep cleared
        #expect(fake.registers[gicr + 0x14]! & 0x6 == 0)
        let sgi = gicr + 0x1_0000
        #expect(fake.writes(to: sgi + 0x80) == [0xFFFF_FFFF])             // IGROUPR0
        #expect(fake.writes(to: sgi + 0xD00) == [0])                      // IGRPMODR0
        #expect(fake.writes(to: sgi + 0xC04) == [0])                      // ICFGR1: PPIs level
        #expect(fake.writes(to: sgi + 0x180) == [0xFFFF_FFFF])            // ICENABLER0
        let order = fake.writes.map(\.0)
        #expect(order.firstIndex(of: sgi + 0x180)! < order.firstIndex(of: sgi + 0x80)!)  // disabled first
        #expect(order.firstIndex(of: gicr + 0x14)! < order.firstIndex(of: sgi + 0x80)!)  // awake first
    }

    @Test func aRedistributorThatStaysAsleepIsReported() {
        let fake = setUp()
        fake.childrenStayAsleep = true
        var s = GICv3Setup(access: fake, distributor: gicd, redistributors: gicr)
        #expect(throws: GICSetupError.redistributorStaysAsleep) { _ = try s.run(mpidr: 0) }
    }

    @Test func cpuInterfaceBitsAsTheArchitectureNamesThem() {
        #expect(ICCSRE.el3AndEL2 == 0xF)
    }
}

@Suite struct GICv2SetupTests {
    let gicc: UInt64 = 0x0801_0000

    @Test func everyInterruptGroup1BothGroupsOnCPUInterfaceOpen() {
        let fake = FakeGIC()
        fake.registers[gicd + 4] = 2   // 96 interrupts
        var s = GICv2Setup(access: fake, distributor: gicd, cpuInterface: gicc)
        s.run()
        let ctlr = fake.writes(to: gicd)
        #expect(ctlr == [0, 0x3])                                              // off, then both groups on
        #expect((0..<3).map { fake.writes(to: gicd + 0x80 + UInt64($0 * 4)) } == [[0xFFFF_FFFF], [0xFFFF_FFFF], [0xFFFF_FFFF]])
        #expect(fake.writes(to: gicd + 0x80 + 12).isEmpty)
        #expect(fake.writes(to: gicc + 4) == [0xFF])                           // GICC_PMR
        let gcc = fake.writes(to: gicc)
        #expect(gcc.count == 1 && gcc[0] & 0x3 == 0x3 && gcc[0] & 1 << 2 == 0)  // both groups, AckCtl 0
        let order = fake.writes.map(\.0)
        #expect(order.lastIndex(of: gicd)! > order.lastIndex(of: gicd + 0x80 + 8)!)  // enabled after grouping
    }
}
