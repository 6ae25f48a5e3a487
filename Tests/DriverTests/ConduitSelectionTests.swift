import Testing
@testable import Driver

// ID_AA64PFR0_EL1 values: EL0/EL1 AArch64 in bits 7:0, EL2 in 11:8, EL3 in 15:12.
let pfr0WithEL2AndEL3: UInt64 = 0x0000_0000_1000_2211   // EL2 and EL3 implemented
let pfr0WithEL2Only: UInt64 = 0x0000_0000_1000_0111      // EL2 only
let pfr0WithEL3Only: UInt64 = 0x0000_0000_1000_1011      // EL3 only
let pfr0PlainVirt: UInt64 = 0x0000_0000_1000_0011        // neither

@Test func pfr0FieldsDecode() {
    #expect(ImplementedLevels(idAA64PFR0: pfr0WithEL2AndEL3) == ImplementedLevels(el2: true, el3: true))
    #expect(ImplementedLevels(idAA64PFR0: pfr0WithEL2Only) == ImplementedLevels(el2: true, el3: false))
    #expect(ImplementedLevels(idAA64PFR0: pfr0WithEL3Only) == ImplementedLevels(el2: false, el3: true))
    #expect(ImplementedLevels(idAA64PFR0: pfr0PlainVirt) == ImplementedLevels(el2: false, el3: false))
}

@Test func currentELRegisterDecodes() {
    #expect(ExceptionLevel(currentEL: 0x4) == .el1)
    #expect(ExceptionLevel(currentEL: 0x8) == .el2)
    #expect(ExceptionLevel(currentEL: 0xC) == .el3)
    #expect(ExceptionLevel(currentEL: 0x0) == .el0)
}

@Test func smcFromEL2WithEL3() {
    #expect(ConduitChoice.select(psciMethod: .smc, currentEL: .el2, idAA64PFR0: pfr0WithEL2AndEL3) == .smc)
}

@Test func smcFromEL1WithEL3() {
    #expect(ConduitChoice.select(psciMethod: .smc, currentEL: .el1, idAA64PFR0: pfr0WithEL3Only) == .smc)
}

@Test func noSMCWithoutEL3() {
    // -M virt,virtualization=on: QEMU's PSCI says smc, but no EL3 exists to take one.
    #expect(ConduitChoice.select(psciMethod: .smc, currentEL: .el2, idAA64PFR0: pfr0WithEL2Only) == .noFFA(.noEL3ForSMC))
    #expect(ConduitChoice.select(psciMethod: .smc, currentEL: .el1, idAA64PFR0: pfr0PlainVirt) == .noFFA(.noEL3ForSMC))
}

@Test func noHVCWithoutEL2() {
    // Plain -M virt at EL1: QEMU's PSCI says hvc, but no EL2 exists.
    #expect(ConduitChoice.select(psciMethod: .hvc, currentEL: .el1, idAA64PFR0: pfr0PlainVirt) == .noFFA(.noEL2ForHVC))
}

@Test func hvcFromEL1WithEL2() {
    #expect(ConduitChoice.select(psciMethod: .hvc, currentEL: .el1, idAA64PFR0: pfr0WithEL2Only) == .hvc)
}

@Test func hvcAtEL2IsNotACallAbove() {
    #expect(ConduitChoice.select(psciMethod: .hvc, currentEL: .el2, idAA64PFR0: pfr0WithEL2AndEL3) == .noFFA(.hvcAtEL2))
}

@Test func ownEL2StubMakesHVCAtEL1() {
    // MODE=hvc: the device tree still says smc; the shell at EL1 goes through our stub.
    #expect(ConduitChoice.select(psciMethod: .smc, currentEL: .el1, idAA64PFR0: pfr0WithEL2AndEL3,
                                 el2StubForwardsToEL3: true) == .hvc)
    #expect(ConduitChoice.select(psciMethod: .none, currentEL: .el1, idAA64PFR0: pfr0WithEL2AndEL3,
                                 el2StubForwardsToEL3: true) == .hvc)
}

@Test func ownEL2StubNeedsEL3() {
    #expect(ConduitChoice.select(psciMethod: .hvc, currentEL: .el1, idAA64PFR0: pfr0WithEL2Only,
                                 el2StubForwardsToEL3: true) == .noFFA(.noEL3ForSMC))
}

@Test func stubFlagIgnoredAtEL2() {
    #expect(ConduitChoice.select(psciMethod: .smc, currentEL: .el2, idAA64PFR0: pfr0WithEL2AndEL3,
                                 el2StubForwardsToEL3: true) == .smc)
}

@Test func noPSCIMethodMeansNoFFA() {
    #expect(ConduitChoice.select(psciMethod: .none, currentEL: .el2, idAA64PFR0: pfr0WithEL2AndEL3) == .noFFA(.noPSCIMethod))
}

@Test func onlyEL1AndEL2() {
    #expect(ConduitChoice.select(psciMethod: .smc, currentEL: .el3, idAA64PFR0: pfr0WithEL2AndEL3)
            == .noFFA(.unsupportedExceptionLevel(3)))
    #expect(ConduitChoice.select(psciMethod: .smc, currentEL: .el0, idAA64PFR0: pfr0WithEL2AndEL3)
            == .noFFA(.unsupportedExceptionLevel(0)))
}
