import Testing
@testable import EL3

typealias MDCR = DebugConfiguration

struct DebugConfigurationTests {
    // ID_AA64DFR0_EL1.PMUVer (bits 11:8) and ID_AA64PFR0_EL1.EL1 (bits 7:4).
    static func dfr0(pmu: UInt64) -> UInt64 { pmu << 8 }
    static let el1Both: UInt64 = 2 << 4, el1AArch64: UInt64 = 1 << 4

    @Test func bitPositionsAsTheArmARMNamesThem() {
        #expect(MDCR.tpm == 0x40 && MDCR.tda == 0x200 && MDCR.tdosa == 0x400)
        #expect(MDCR.sdd == 0x1_0000 && MDCR.spme == 0x2_0000 && MDCR.ttrf == 0x8_0000)
        #expect(MDCR.sccd == 0x80_0000 && MDCR.mccd == 1 << 34 && MDCR.spd32Disabled == 0x8000)
    }

    @Test func secureDefaultStopsSecureCountingAndDebug() {
        let v = MDCR.mdcr(dfr0: Self.dfr0(pmu: 7), pfr0: Self.el1Both)
        #expect(v == MDCR.sdd | MDCR.spd32Disabled | MDCR.sccd | MDCR.mccd)
        #expect(v & MDCR.spme == 0)
    }

    @Test func nothingAnOSTouchesIsTrapped() {
        for pmu: UInt64 in [0, 1, 4, 5, 6, 7, 8, 0xF] {
            for secureCounting in [false, true] {
                let v = MDCR.mdcr(dfr0: Self.dfr0(pmu: pmu) | ~0xF00, pfr0: Self.el1Both,
                                  secureCounting: secureCounting)
                #expect(v & (MDCR.tpm | MDCR.tda | MDCR.tdosa | MDCR.ttrf) == 0)
            }
        }
    }

    @Test func counterControlsOnlyWhereThePMUHasThem() {
        #expect(MDCR.mdcr(dfr0: Self.dfr0(pmu: 4), pfr0: Self.el1AArch64) == MDCR.sdd)   // PMUv3p1
        #expect(MDCR.mdcr(dfr0: Self.dfr0(pmu: 6), pfr0: Self.el1AArch64) == MDCR.sdd | MDCR.sccd)
        #expect(MDCR.mdcr(dfr0: Self.dfr0(pmu: 0xF), pfr0: Self.el1AArch64) == MDCR.sdd)  // IMPDEF PMU
    }

    @Test func benchBuildCountsTheSecureSide() {
        let v = MDCR.mdcr(dfr0: Self.dfr0(pmu: 7), pfr0: Self.el1Both, secureCounting: true)
        #expect(v == MDCR.sdd | MDCR.spd32Disabled | MDCR.spme)
    }

    @Test func normalWorldOwnsSPETraceBufferAndBRBE() {
        let dfr0: UInt64 = 1 << 32 | 1 << 44 | 1 << 52
        let v = MDCR.mdcr(dfr0: dfr0, pfr0: Self.el1AArch64)
        #expect(v == MDCR.sdd | MDCR.nspbNonSecure | MDCR.nstbNonSecure | MDCR.sbrbeNonSecure)
    }
}
