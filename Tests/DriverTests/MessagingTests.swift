import Testing
import ABI
@testable import Driver

func resp64(from sender: UInt64 = 0x8001, to receiver: UInt64 = 0, _ x3: UInt64 = 0, _ x4: UInt64 = 0,
            _ x5: UInt64 = 0, _ x6: UInt64 = 0, _ x7: UInt64 = 0) -> Registers {
    r(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64, sender << 16 | receiver, 0, x3, x4, x5, x6, x7)
}

let req64 = r(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 0x11, 0x22, 0x33, 0x44, 0x55)
let payload: [UInt64] = [0x11, 0x22, 0x33, 0x44, 0x55]

@Test func directRequest64() throws {
    var d = try probed(then: [resp64(0, 1, 2, 3, 0xFFFF_FFFF_0000_0004)])
    let answer = try d.sendDirectRequest(to: 0x8001, payload: payload)
    #expect(d.conduit.calls == [req64])
    #expect(answer == .response([0, 1, 2, 3, 0xFFFF_FFFF_0000_0004]))
}

@Test func directRequestCarriesOwnID() throws {
    var d = FFADriver(conduit: RecordingConduit(probeAnswers(id: 3) + [resp64(to: 3)]))
    try d.probe()
    _ = try d.sendDirectRequest(to: 0x8001, payload: [])
    #expect(d.conduit.calls.last == r(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64, 3 << 16 | 0x8001))
}

@Test func directRequest32MasksUpperHalves() throws {
    var d = try probed(then: [r(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32, 0x8001 << 16, 0, 0xABCD_0000_0000_0007)])
    let answer = try d.sendDirectRequest(to: 0x8001, payload: [0xFFFF_FFFF], width: .smc32)
    #expect(d.conduit.calls == [r(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32, 0x8001, 0, 0xFFFF_FFFF)])
    #expect(answer == .response([7, 0, 0, 0, 0]))
}

@Test func directRequest32RefusesWideWords() throws {
    var d = try probed()
    #expect(throws: FFADriverError.ffa(.invalidParameters)) {
        _ = try d.sendDirectRequest(to: 0x8001, payload: [0x1_0000_0000], width: .smc32)
    }
    #expect(d.conduit.calls.isEmpty)
}

@Test func directRequestAtMostFiveWords() throws {
    var d = try probed()
    #expect(throws: FFADriverError.ffa(.invalidParameters)) { _ = try d.sendDirectRequest(to: 0x8001, payload: [1, 2, 3, 4, 5, 6]) }
    #expect(d.conduit.calls.isEmpty)
}

@Test func successMeansDeliveredWithoutResponse() throws {
    var d = try probed(then: [success])
    #expect(try d.sendDirectRequest(to: 0x8001, payload: payload) == .delivered)
}

@Test func responseFromTheWrongSender() throws {
    var d = try probed(then: [resp64(from: 0x8002)])
    #expect(throws: FFADriverError.unexpectedEndpoints(0x8002_0000)) { _ = try d.sendDirectRequest(to: 0x8001, payload: []) }
}

@Test func responseToTheWrongReceiver() throws {
    var d = try probed(then: [resp64(to: 5)])
    #expect(throws: FFADriverError.unexpectedEndpoints(0x8001_0005)) { _ = try d.sendDirectRequest(to: 0x8001, payload: []) }
}

@Test func responseOfTheWrongWidth() throws {
    var d = try probed(then: [r(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32, 0x8001 << 16)])
    #expect(throws: FFADriverError.unexpectedFunction(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32)) {
        _ = try d.sendDirectRequest(to: 0x8001, payload: [])
    }
}

@Test func unknownSMCAnswer() throws {
    var d = try probed(then: [Registers(~0)])
    #expect(throws: FFADriverError.unexpectedFunction(0xFFFF_FFFF)) { _ = try d.sendDirectRequest(to: 0x8001, payload: []) }
}

@Test func interruptIsFollowedByRun() throws {
    var d = try probed(then: [r(FFAFunction.FFA_INTERRUPT, 0x8001_0000, 27), r(FFAFunction.FFA_INTERRUPT, 0x8001_0000),
                              resp64(9)])
    #expect(try d.sendDirectRequest(to: 0x8001, payload: payload) == .response([9, 0, 0, 0, 0]))
    #expect(d.conduit.calls == [req64, r(FFAFunction.FFA_RUN, 0x8001_0000), r(FFAFunction.FFA_RUN, 0x8001_0000)])
}

@Test func interruptWithoutEndpointRunsTheTarget() throws {
    var d = try probed(then: [r(FFAFunction.FFA_INTERRUPT, 0), resp64()])
    _ = try d.sendDirectRequest(to: 0x8001, payload: payload)
    #expect(d.conduit.calls[1] == r(FFAFunction.FFA_RUN, 0x8001_0000))
}

@Test func yieldIsFollowedByRun() throws {
    var d = try probed(then: [r(FFAFunction.FFA_YIELD, 0x8001_0000, 0, 100), resp64()])
    _ = try d.sendDirectRequest(to: 0x8001, payload: payload)
    #expect(d.conduit.calls == [req64, r(FFAFunction.FFA_RUN, 0x8001_0000)])
}

@Test func runLoopIsBounded() throws {
    var d = try probed()
    d.runLimit = 4
    d.conduit.respond = { _ in r(FFAFunction.FFA_INTERRUPT, 0x8001_0000) }
    #expect(throws: FFADriverError.retriesExhausted(.interrupted)) { _ = try d.sendDirectRequest(to: 0x8001, payload: []) }
    #expect(d.conduit.calls.count == 5)
}

@Test(arguments: [FFAError.busy, .retry])
func busyAndRetryRepeatTheRequest(error: FFAError) throws {
    var d = try probed(then: [failure(error), failure(error), resp64(1)])
    #expect(try d.sendDirectRequest(to: 0x8001, payload: payload) == .response([1, 0, 0, 0, 0]))
    #expect(d.conduit.calls == [req64, req64, req64])
}

@Test func busyAfterRunRepeatsTheRun() throws {
    var d = try probed(then: [r(FFAFunction.FFA_INTERRUPT, 0x8001_0000), failure(.busy), resp64()])
    _ = try d.sendDirectRequest(to: 0x8001, payload: payload)
    #expect(d.conduit.calls == [req64, r(FFAFunction.FFA_RUN, 0x8001_0000), r(FFAFunction.FFA_RUN, 0x8001_0000)])
}

@Test(arguments: [FFAError.busy, .retry])
func busyAndRetryAreBounded(error: FFAError) throws {
    var d = try probed()
    d.retryLimit = 2
    d.conduit.respond = { _ in failure(error) }
    #expect(throws: FFADriverError.retriesExhausted(error)) { _ = try d.sendDirectRequest(to: 0x8001, payload: []) }
    #expect(d.conduit.calls.count == 3)
}

@Test(arguments: FFAError.allCases.filter { $0 != .busy && $0 != .retry })
func otherErrorsEndTheRequest(error: FFAError) throws {
    var d = try probed(then: [failure(error)])
    #expect(throws: FFADriverError.ffa(error)) { _ = try d.sendDirectRequest(to: 0x8001, payload: []) }
    #expect(d.conduit.calls.count == 1)
}

@Test func unknownErrorEndsTheRequest() throws {
    var d = try probed(then: [r(FFAFunction.FFA_ERROR, 0, 0xFFFF_FF00)])
    #expect(throws: FFADriverError.unknownErrorCode(0xFFFF_FF00)) { _ = try d.sendDirectRequest(to: 0x8001, payload: []) }
}

// MARK: FFA_MSG_SEND_DIRECT_REQ2

let req2Target = PartitionInfo(id: 0x8001, executionContexts: 1,
                               properties: PartitionInfo.Property.receivesDirectRequests
                                   | PartitionInfo.Property.receivesDirectRequest2, uuid: .mmVariable)

@Test func directRequest2() throws {
    var answer = Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_RESP2), 0x8001_0000)
    for i in 4...17 { answer[i] = UInt64(i) * 0x100 }
    var d = try probed(then: [answer])
    let got = try d.sendDirectRequest2(to: req2Target, service: otherUUID, payload: [0xA, 0xB])
    var expected = Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_REQ2), 0x8001, otherUUID.bytes.0, otherUUID.bytes.1, 0xA, 0xB)
    expected.x17 = 0
    #expect(d.conduit.calls == [expected])
    #expect(got == .response((4...17).map { UInt64($0) * 0x100 }))
}

@Test func directRequest2OnlyWhenTheTargetSaysSo() throws {
    var d = try probed()
    #expect(throws: FFADriverError.ffa(.notSupported)) { _ = try d.sendDirectRequest2(to: mmInfo, service: .mmVariable, payload: []) }
    #expect(d.conduit.calls.isEmpty)
}

@Test func directRequest2NeedsV1_2AndEighteenRegisters() throws {
    var old = try probed(version: 0x1_0001)
    #expect(throws: FFADriverError.ffa(.notSupported)) { _ = try old.sendDirectRequest2(to: req2Target, service: .mmVariable, payload: []) }
    var narrow = try probed(smccc: 0x1_0001)
    #expect(throws: FFADriverError.ffa(.notSupported)) { _ = try narrow.sendDirectRequest2(to: req2Target, service: .mmVariable, payload: []) }
    var long = try probed()
    #expect(throws: FFADriverError.ffa(.invalidParameters)) {
        _ = try long.sendDirectRequest2(to: req2Target, service: .mmVariable, payload: Array(repeating: 1, count: 15))
    }
    #expect(old.conduit.calls.isEmpty && narrow.conduit.calls.isEmpty && long.conduit.calls.isEmpty)
}

@Test func directRequest2InterruptAndWrongResponder() throws {
    var d = try probed(then: [r(FFAFunction.FFA_INTERRUPT, 0x8001_0000), r(FFAFunction.FFA_MSG_SEND_DIRECT_RESP2, 0x8003_0000)])
    #expect(throws: FFADriverError.unexpectedEndpoints(0x8003_0000)) {
        _ = try d.sendDirectRequest2(to: req2Target, service: .mmVariable, payload: [])
    }
    #expect(d.conduit.calls[1] == r(FFAFunction.FFA_RUN, 0x8001_0000))
}

@Test func directRequest2SuccessMeansDelivered() throws {
    var d = try probed(then: [success])
    #expect(try d.sendDirectRequest2(to: req2Target, service: .mmVariable, payload: []) == .delivered)
}
