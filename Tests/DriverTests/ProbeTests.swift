import Testing
import ABI
@testable import Driver

@Test func probeSequenceAtV1_2() throws {
    var d = FFADriver(conduit: RecordingConduit(probeAnswers(id: 0)))
    try d.probe()
    #expect(d.conduit.calls == probeCalls)
    #expect(d.version == .v1_2 && d.spmcVersion == .v1_2)
    #expect(d.registerCount == 18 && d.smcccVersion == 0x1_0002 && d.ownID == 0)
}

@Test func smcccNotSupportedMeansNoFFA() {
    var d = FFADriver(conduit: RecordingConduit([Registers(~0)]))  // a full 64-bit -1
    #expect(throws: FFADriverError.noFFA(.smcccVersionNotSupported)) { try d.probe() }
    #expect(d.conduit.calls == [r(SMCCC.SMCCC_VERSION)])
    #expect(d.version == nil)
}

@Test func smcccBelow1_1MeansNoFFA() {
    var d = FFADriver(conduit: RecordingConduit([Registers(0x1_0000)]))
    #expect(throws: FFADriverError.noFFA(.smcccTooOld(0x1_0000))) { try d.probe() }
    var e = FFADriver(conduit: RecordingConduit([Registers(0x8000_0002)]))
    #expect(throws: FFADriverError.noFFA(.smcccTooOld(0x8000_0002))) { try e.probe() }
    #expect(d.conduit.calls.count == 1 && e.conduit.calls.count == 1)
}

@Test func smccc1_1UsesEightRegisters() throws {
    // Junk in x8..x17 of an SMCCC v1.1 answer is not a result.
    var junk = Registers.ffaSuccess(0)
    junk.x8 = 0xBAD
    var d = FFADriver(conduit: RecordingConduit([Registers(0x1_0001), Registers(0x1_0002), junk]))
    try d.probe()
    #expect(d.registerCount == 8 && d.smcccVersion == 0x1_0001)
    #expect(d.invoke(Registers()).x8 == 0)
}

@Test func ffaVersionNotSupportedMeansNoFFA() {
    var d = FFADriver(conduit: RecordingConduit([Registers(0x1_0002), Registers(~0)]))
    #expect(throws: FFADriverError.noFFA(.ffaVersionNotSupported)) { try d.probe() }
    #expect(d.conduit.calls == Array(probeCalls.prefix(2)))
}

@Test(arguments: [(UInt32(0x1_0000), FFAVersion.v1_0), (0x1_0001, .v1_1), (0x1_0002, .v1_2), (0x1_0003, .v1_2)])
func negotiatesTheLowerVersion(answer: UInt32, negotiated: FFAVersion) throws {
    var d = FFADriver(conduit: RecordingConduit(probeAnswers(version: answer)))
    try d.probe()
    #expect(d.version == negotiated)
    #expect(d.spmcVersion == FFAVersion(word: answer))
}

@Test func versionComparedOnLow32Bits() throws {
    var d = FFADriver(conduit: RecordingConduit([Registers(0xFFFF_0000_0001_0002), Registers(0xDEAD_BEEF_0001_0001), .ffaSuccess(0)]))
    try d.probe()
    #expect(d.version == .v1_1 && d.registerCount == 18)
}

@Test func otherMajorIsIncompatible() {
    var d = FFADriver(conduit: RecordingConduit(probeAnswers(version: 0x2_0000)))
    #expect(throws: FFADriverError.versionIncompatible(0x2_0000)) { try d.probe() }
    var e = FFADriver(conduit: RecordingConduit(probeAnswers(version: 0x8000_0002)))
    #expect(throws: FFADriverError.versionIncompatible(0x8000_0002)) { try e.probe() }
    #expect(d.version == nil && d.conduit.calls.count == 2)
}

@Test func idGetErrorFailsProbe() {
    var d = FFADriver(conduit: RecordingConduit([Registers(0x1_0002), Registers(0x1_0002), failure(.notSupported)]))
    #expect(throws: FFADriverError.ffa(.notSupported)) { try d.probe() }
    #expect(d.version == nil)
}

@Test func idGetUnexpectedFunction() {
    var d = FFADriver(conduit: RecordingConduit([Registers(0x1_0002), Registers(0x1_0002), r(FFAFunction.FFA_MSG_WAIT)]))
    #expect(throws: FFADriverError.unexpectedFunction(FFAFunction.FFA_MSG_WAIT)) { try d.probe() }
}

@Test func unknownErrorCodeIsKept() {
    var d = FFADriver(conduit: RecordingConduit([Registers(0x1_0002), Registers(0x1_0002),
                                                 r(FFAFunction.FFA_ERROR, 0, 0xFFFF_FFD6)]))
    #expect(throws: FFADriverError.unknownErrorCode(0xFFFF_FFD6)) { try d.probe() }
}

@Test func idGetToleratesUnusedRegisters() throws {
    var answer = Registers.ffaSuccess(0xFFFF_0000_0000_0005)
    answer.x1 = 7; answer.x3 = 0x1234; answer.x7 = ~0
    var d = FFADriver(conduit: RecordingConduit([Registers(0x1_0002), Registers(0x1_0002), answer]))
    try d.probe()
    #expect(d.ownID == 5)
}

@Test func successSixtyFourAccepted() throws {
    var d = FFADriver(conduit: RecordingConduit([Registers(0x1_0002), Registers(0x1_0002),
                                                 r(FFAFunction.FFA_SUCCESS_64, 0, 3)]))
    try d.probe()
    #expect(d.ownID == 3)
}

@Test func nothingBeforeProbe() {
    var d = FFADriver(conduit: RecordingConduit())
    #expect(throws: FFADriverError.noFFA(.notProbed)) { _ = try d.features(FFAFunction.FFA_RXTX_MAP_64) }
    #expect(throws: FFADriverError.noFFA(.notProbed)) { try d.mapRXTX(FakeBuffers()) }
    #expect(throws: FFADriverError.noFFA(.notProbed)) { _ = try d.partitionInfoGetRegs(uuid: .mmVariable) }
    #expect(throws: FFADriverError.noFFA(.notProbed)) { _ = try d.sendDirectRequest(to: 0x8001, payload: []) }
    #expect(d.conduit.calls.isEmpty)
}

@Test func featuresAnswers() throws {
    var d = try probed(then: [.ffaSuccess(0x2, 0x7), failure(.notSupported), failure(.denied), r(FFAFunction.FFA_YIELD)])
    #expect(try d.features(FFAFunction.FFA_RXTX_MAP_64) == FeatureProperties(w2: 2, w3: 7))
    #expect(try d.features(0x8400_0099) == nil)
    #expect(throws: FFADriverError.ffa(.denied)) { _ = try d.features(1) }
    #expect(throws: FFADriverError.unexpectedFunction(FFAFunction.FFA_YIELD)) { _ = try d.features(2) }
    #expect(d.conduit.calls == [r(FFAFunction.FFA_FEATURES, UInt64(FFAFunction.FFA_RXTX_MAP_64)),
                                r(FFAFunction.FFA_FEATURES, 0x8400_0099),
                                r(FFAFunction.FFA_FEATURES, 1), r(FFAFunction.FFA_FEATURES, 2)])
}

@Test func everyErrorCodeByName() throws {
    for e in FFAError.allCases {
        var d = try probed(then: [failure(e)])
        #expect(throws: FFADriverError.ffa(e)) { try d.rxRelease() }
        #expect(FFADriverError.ffa(e).name.utf8CodeUnitCount > 0)
        #expect(FFADriverError.ffa(e).name.description == e.name.description)
    }
}

@Test func everyDriverErrorAndNoFFAReasonHasItsOwnName() {
    let errors: [(FFADriverError, String)] = [
        (.unknownErrorCode(7), "unknown FF-A error code"), (.unexpectedFunction(1), "unexpected function ID in the answer"),
        (.unexpectedEndpoints(1), "response from the wrong endpoint"), (.malformedDescriptors, "malformed partition descriptors"),
        (.malformedProperties(1), "malformed FFA_FEATURES properties"), (.versionIncompatible(1), "incompatible FF-A version"),
        (.rxtxNotMapped, "RX/TX buffers not mapped"), (.rxtxBuffersUnsuitable, "RX/TX buffers too small or misaligned"),
        (.retriesExhausted(.busy), "retries exhausted"), (.noFFA(.notProbed), "FF-A not probed"),
    ]
    for (e, name) in errors { #expect(e.name.description == name) }
    let reasons: [(NoFFAReason, String)] = [
        (.noPSCIMethod, "no PSCI conduit in the device tree"), (.noEL3ForSMC, "smc conduit but no EL3"),
        (.noEL2ForHVC, "hvc conduit but no EL2"), (.hvcAtEL2, "hvc conduit while running at EL2"),
        (.unsupportedExceptionLevel(3), "not running at EL1 or EL2"),
        (.smcccVersionNotSupported, "SMCCC_VERSION not supported (SMCCC v1.0)"),
        (.smcccTooOld(0x10000), "SMCCC version below 1.1"), (.ffaVersionNotSupported, "FFA_VERSION not supported"),
        (.notProbed, "FF-A not probed"),
    ]
    for (r, name) in reasons { #expect(r.name.description == name) }
}

@Test func sixtyFourBitErrorIDAccepted() throws {
    var d = try probed(then: [r(0xC400_0060, 0, 0xFFFF_FFFA)])
    #expect(throws: FFADriverError.ffa(.denied)) { try d.rxRelease() }
}
