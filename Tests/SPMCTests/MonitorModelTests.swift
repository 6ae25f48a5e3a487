import Testing
import ABI
@testable import SPMC
import SecureMonitor
import TestSupport

@Test func smcccVersionIs1_2() {
    var h = Harness()
    #expect(h.ask(SMCCC.SMCCC_VERSION) == inX0(regs(SMCCC.SMCCC_VERSION), 0x1_0002))
}

@Test func smcccArchFeaturesKnowsOnlyTheArchitectureCalls() {
    var h = Harness()
    #expect(h.ask(SMCCC.SMCCC_ARCH_FEATURES, [UInt64(SMCCC.SMCCC_VERSION)]) == inX0(regs(SMCCC.SMCCC_ARCH_FEATURES, [UInt64(SMCCC.SMCCC_VERSION)]), 0))
    #expect(h.ask(SMCCC.SMCCC_ARCH_FEATURES, [UInt64(SMCCC.SMCCC_ARCH_FEATURES)]) == inX0(regs(SMCCC.SMCCC_ARCH_FEATURES, [UInt64(SMCCC.SMCCC_ARCH_FEATURES)]), 0))
    // SMCCC_ARCH_WORKAROUND_1 is not implemented.
    #expect(h.ask(SMCCC.SMCCC_ARCH_FEATURES, [0x8000_8000]) == inX0(regs(SMCCC.SMCCC_ARCH_FEATURES, [0x8000_8000]), 0xFFFF_FFFF))
}

@Test func psciVersionIs1_1() {
    var h = Harness()
    #expect(h.ask(SMCCC.PSCI_VERSION) == inX0(regs(SMCCC.PSCI_VERSION), 0x1_0001))
}

@Test func psciFeaturesReportsImplementedFunctionsIncludingSMCCCVersion() {
    var h = Harness()
    for f in [SMCCC.SMCCC_VERSION, SMCCC.PSCI_VERSION, SMCCC.PSCI_FEATURES,
              SMCCC.PSCI_SYSTEM_OFF, SMCCC.PSCI_SYSTEM_RESET] {
        #expect(h.ask(SMCCC.PSCI_FEATURES, [UInt64(f)]) == inX0(regs(SMCCC.PSCI_FEATURES, [UInt64(f)]), 0))
    }
    for f in [SMCCC.PSCI_CPU_OFF, SMCCC.PSCI_CPU_ON_64, FFAFunction.FFA_VERSION] {
        #expect(h.ask(SMCCC.PSCI_FEATURES, [UInt64(f)]) == inX0(regs(SMCCC.PSCI_FEATURES, [UInt64(f)]), 0xFFFF_FFFF))
    }
}

@Test func systemOffAndResetAreActions() {
    var h = Harness()
    #expect(h.call(regs(SMCCC.PSCI_SYSTEM_OFF)).action == .systemOff)
    #expect(h.call(regs(SMCCC.PSCI_SYSTEM_RESET)).action == .systemReset)
}

@Test func aPartitionCannotPowerTheMachineOff() {
    var h = Harness()
    #expect(h.ask(SMCCC.PSCI_SYSTEM_OFF, from: .partition(mm)) == inX0(regs(SMCCC.PSCI_SYSTEM_OFF), 0xFFFF_FFFD))   // DENIED
}

@Test func otherPSCIFunctionsAreNotSupported() {
    var h = Harness()
    #expect(h.ask(SMCCC.PSCI_CPU_ON_64, [0, 0x6000_0000]) == inX0(regs(SMCCC.PSCI_CPU_ON_64, [0, 0x6000_0000]), 0xFFFF_FFFF))
    #expect(h.ask(SMCCC.PSCI_CPU_OFF) == inX0(regs(SMCCC.PSCI_CPU_OFF), 0xFFFF_FFFF))
}

@Test func reservedBitsMakeAnyCallUnknown() {
    var h = Harness()
    // FFA_VERSION and PSCI_VERSION with bit 17 set: plain -1, not FFA_ERROR.
    #expect(h.ask(FFAFunction.FFA_VERSION | 0x0002_0000, [0x1_0002]) == inX0(regs(FFAFunction.FFA_VERSION | 0x0002_0000, [0x1_0002]), 0xFFFF_FFFF))
    #expect(h.ask(SMCCC.PSCI_VERSION | 0x0080_0000) == inX0(regs(SMCCC.PSCI_VERSION | 0x0080_0000), 0xFFFF_FFFF))
}

@Test func theSVEHintBitIsIgnored() {
    var h = Harness()
    #expect(h.ask(FFAFunction.FFA_VERSION | 0x0001_0000, [0x1_0002]) == Registers(0x1_0002))   // FF-A: x1...x7 MBZ
    #expect(h.ask(SMCCC.SMCCC_VERSION | 0x0001_0000) == inX0(regs(SMCCC.SMCCC_VERSION | 0x0001_0000), 0x1_0002))
}

@Test func yieldingCallsAreNotSupported() {
    var h = Harness()
    #expect(h.ask(FFAFunction.FFA_VERSION & 0x7FFF_FFFF, [0x1_0000]) == inX0(regs(FFAFunction.FFA_VERSION & 0x7FFF_FFFF, [0x1_0000]), 0xFFFF_FFFF))
}

@Test func unknownIDsOutsideFFAGetMinusOne() {
    var h = Harness()
    #expect(h.ask(0x8200_0001) == inX0(regs(0x8200_0001), 0xFFFF_FFFF))          // SiP
    #expect(h.ask(0xC200_0001) == inX0(regs(0xC200_0001), UInt64.max))           // SiP, SMC64: all ones
    #expect(h.ask(0x8400_0040) == inX0(regs(0x8400_0040), 0xFFFF_FFFF))          // SPM-MM range
    #expect(h.ask(0xBF00_0000) == inX0(regs(0xBF00_0000), 0xFFFF_FFFF))          // trusted OS
}

@Test func unknownIDsInsideFFAGetFFAErrorNotSupported() {
    var h = Harness()
    #expect(isError(h.ask(0xC400_0073), .notSupported))   // FFA_MEM_SHARE_64
    #expect(isError(h.ask(0x8400_0077), .notSupported))   // FFA_MEM_RECLAIM
    #expect(isError(h.ask(0x8400_00FF), .notSupported))
    #expect(isError(h.ask(0xC400_0063), .notSupported))   // FFA_VERSION has no SMC64 form
    #expect(isError(h.ask(FFAFunction.FFA_RUN, [0x8001_0000]), .notSupported))
}

@Test func ffaResultsZeroX1ToX7AndKeepX8ToX17() {
    var h = Harness()
    var r = regs(FFAFunction.FFA_ID_GET)
    for i in 1..<Registers.count { r[i] = 0xAAAA_AAAA_AAAA_AAAA }
    guard case .resume(.normal, let out) = h.call(r).action else { Issue.record("no answer"); return }
    #expect(out == r.overwriting(first: 8, from: Registers(UInt64(FFAFunction.FFA_SUCCESS_32), 0, 0)))
}

@Test func upperHalfOfX0IsIgnored() {
    var h = Harness()
    #expect(h.ask(UInt32(SMCCC.SMCCC_VERSION)) == h.call(Registers(0xFFFF_0000_8000_0000)).resumedRegisters)
}

/// `call` with x0 replaced: the answer of a call whose result is w0 alone.
func inX0(_ call: Registers, _ x0: UInt64) -> Registers {
    call.overwriting(first: 1, from: Registers(x0))
}

extension MonitorStep {
    var resumedRegisters: Registers? {
        if case .resume(_, let r) = action { return r }
        return nil
    }
}
