import Testing
import ABI
@testable import SPMC

/// (requested version word, answer in w0, version the SPMC then uses with the caller)
let versionMatrix: [(UInt32, UInt64, FFAVersion?)] = [
    (0x1_0000, 0x1_0002, .v1_0),
    (0x1_0001, 0x1_0002, .v1_1),
    (0x1_0002, 0x1_0002, .v1_2),
    (0x1_0003, 0x1_0002, .v1_2),          // newer minor: served with our formats
    (0x1_FFFF, 0x1_0002, .v1_2),
    (0x2_0000, 0xFFFF_FFFF, nil),         // incompatible major
    (0x0_0001, 0xFFFF_FFFF, nil),         // major 0
    (0x8001_0000, 0xFFFF_FFFF, nil),      // bit 31 set
]

@Test(arguments: versionMatrix.indices)
func versionNegotiationMatrix(_ i: Int) {
    let (requested, answer, uses) = versionMatrix[i]
    var h = Harness()
    #expect(h.ask(FFAFunction.FFA_VERSION, [UInt64(requested)]) == Registers(answer))
    #expect(h.spmc.normalWorld.version == (uses ?? SPMC.version))
    #expect(h.spmc.normalWorld.versionNegotiated == (uses != nil))
}

@Test func versionIgnoresTheUpperHalfOfX1() {
    var h = Harness()
    #expect(h.ask(FFAFunction.FFA_VERSION, [0xFFFF_FFFF_0001_0000]) == Registers(0x1_0002))
    #expect(h.spmc.normalWorld.version == .v1_0)
}

@Test func versionCanChangeUntilAnotherCallLocksIt() {
    var h = Harness()
    h.negotiate(.v1_0)
    h.negotiate(.v1_2)
    #expect(h.spmc.normalWorld.version == .v1_2)
    #expect(!h.spmc.normalWorld.versionLocked)
}

@Test func lockedVersionIsReturnedForADifferentRequest() {
    var h = Harness()
    h.negotiate(.v1_0)
    _ = h.ask(FFAFunction.FFA_ID_GET)
    #expect(h.spmc.normalWorld.versionLocked)
    #expect(h.ask(FFAFunction.FFA_VERSION, [0x1_0002]) == Registers(0x1_0000))
    #expect(h.spmc.normalWorld.version == .v1_0)
    // The same request as the locked one gets the ordinary answer.
    #expect(h.ask(FFAFunction.FFA_VERSION, [0x1_0000]) == Registers(0x1_0002))
}

@Test func anyOtherFFACallLocksEvenAnUnknownOne() {
    var h = Harness()
    h.negotiate(.v1_1)
    _ = h.ask(0x8400_0077)   // FFA_MEM_RECLAIM, not implemented
    #expect(h.ask(FFAFunction.FFA_VERSION, [0x1_0000]) == Registers(0x1_0001))
}

@Test func nonFFACallsDoNotLockTheVersion() {
    var h = Harness()
    _ = h.ask(SMCCC.PSCI_VERSION)
    _ = h.ask(SMCCC.SMCCC_VERSION)
    h.negotiate(.v1_0)
    #expect(h.spmc.normalWorld.version == .v1_0)
}

@Test func lockedWithoutNegotiationAnswersADifferentRequestNotSupported() {
    var h = Harness()
    _ = h.ask(FFAFunction.FFA_ID_GET)
    #expect(h.ask(FFAFunction.FFA_VERSION, [0x1_0000]) == Registers(0xFFFF_FFFF))
    #expect(h.ask(FFAFunction.FFA_VERSION, [0x1_0002]) == Registers(0x1_0002))
    #expect(h.spmc.normalWorld.version == .v1_2)
}

@Test func incompatibleRequestsStayNotSupportedWhenLocked() {
    var h = Harness()
    h.negotiate(.v1_2)
    _ = h.ask(FFAFunction.FFA_ID_GET)
    #expect(h.ask(FFAFunction.FFA_VERSION, [0x2_0000]) == Registers(0xFFFF_FFFF))
}

@Test func partitionsGetOurVersionWithoutNegotiating() {
    var h = Harness(initialise: false)
    #expect(h.ask(FFAFunction.FFA_VERSION, [0x1_0001], from: .partition(mm)) == Registers(0x1_0002))
    #expect(h.ask(FFAFunction.FFA_VERSION, [0x8000_0000], from: .partition(mm)) == Registers(0xFFFF_FFFF))
    #expect(h.spmc.normalWorld.version == SPMC.version && !h.spmc.normalWorld.versionNegotiated)
}

@Test func newerABIsAreHiddenFromOlderCallers() {
    var h = Harness()
    h.negotiate(.v1_0)
    #expect(isError(h.ask(FFAFunction.FFA_SPM_ID_GET), .notSupported))
    #expect(isError(h.ask(FFAFunction.FFA_PARTITION_INFO_GET_REGS), .notSupported))
    #expect(isError(h.ask(FFAFunction.FFA_MSG_SEND_DIRECT_REQ2, [UInt64(mm)]), .notSupported))
    var h11 = Harness()
    h11.negotiate(.v1_1)
    #expect(h11.ask(FFAFunction.FFA_SPM_ID_GET) == .ffaSuccess(0x8000))
    #expect(isError(h11.ask(FFAFunction.FFA_PARTITION_INFO_GET_REGS), .notSupported))
}
