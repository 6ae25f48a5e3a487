import Testing
import ABI
@testable import SPMC

/// A request from the normal world (ID 0) to the MM partition, payload x3..x7 = 3...7.
func request(_ fid: UInt32 = FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64, sender: UInt16 = 0,
             receiver: UInt16 = mm, flags: UInt64 = 0) -> Registers {
    var r = regs(fid, [UInt64(sender) << 16 | UInt64(receiver), flags])
    for i in 3...7 { r[i] = UInt64(i) }
    return r
}

func response(_ fid: UInt32 = FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64, sender: UInt16 = mm,
              receiver: UInt16 = 0) -> Registers {
    var r = regs(fid, [UInt64(sender) << 16 | UInt64(receiver)])
    for i in 3..<Registers.count { r[i] = 0x5EC0_0000 + UInt64(i) }   // secure values in every register
    return r
}

@Test func requestEntersThePartitionWithTheRequestRegisters() {
    var h = Harness()
    var r = request()
    for i in 8..<Registers.count { r[i] = 0xBAD }
    let out = h.call(r)
    var expected = request()
    expected.x0 = UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64)
    #expect(out.action == .resume(.partition(mm), expected))
    #expect(h.spmc.partitions[0].runtime == .handling(PendingRequest(origin: 0, kind: .smc64)))
}

@Test func responseReturnsToTheNormalWorldWithOnlyItsDefinedRegisters() {
    var h = Harness()
    _ = h.call(request())
    let out = h.call(response(), from: .partition(mm))
    var expected = Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64), UInt64(mm) << 16)
    for i in 3...7 { expected[i] = 0x5EC0_0000 + UInt64(i) }
    #expect(out.action == .resume(.normal, expected))
    #expect(h.spmc.partitions[0].runtime == .waiting)
}

@Test func thirtyTwoBitRoundTripCarriesOnlyLowHalves() {
    var h = Harness()
    var r = request(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32)
    r.x3 = 0xFFFF_FFFF_0000_0003
    guard case .resume(.partition(mm), let entered) = h.call(r).action else { Issue.record("not routed"); return }
    #expect(entered.x3 == 3 && entered.x0 == UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32))
    guard case .resume(.normal, let back) = h.call(response(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32),
                                                   from: .partition(mm)).action
    else { Issue.record("no response"); return }
    #expect(back.x3 == 0x5EC0_0003 && back.x7 == 0x5EC0_0007)
    for i in 8..<Registers.count { #expect(back[i] == 0) }
}

@Test func req2RoundTripCarriesTheUUIDAndFourteenRegisters() {
    var h = Harness()
    var r = regs(FFAFunction.FFA_MSG_SEND_DIRECT_REQ2, [UInt64(mm), 0x0942_e699_33d5_32ed, 0xa798_d9cd_722d_c09c])
    for i in 4..<Registers.count { r[i] = UInt64(i) }
    #expect(h.call(r).action == .resume(.partition(mm), r))
    var resp = regs(FFAFunction.FFA_MSG_SEND_DIRECT_RESP2, [UInt64(mm) << 16])
    for i in 4..<Registers.count { resp[i] = 0x100 + UInt64(i) }
    #expect(h.call(resp, from: .partition(mm)).action == .resume(.normal, resp))
}

@Test func req2WithANilServiceUUIDIsRouted() {
    var h = Harness()
    let r = regs(FFAFunction.FFA_MSG_SEND_DIRECT_REQ2, [UInt64(mm)])
    #expect(h.call(r).action == .resume(.partition(mm), r))
}

@Test func req2WithAnotherServiceUUIDIsInvalid() {
    var h = Harness()
    #expect(isError(h.ask(FFAFunction.FFA_MSG_SEND_DIRECT_REQ2, [UInt64(mm), 1, 2]), .invalidParameters))
}

@Test func req2ToAPartitionWithoutTheREQ2PropertyIsDenied() {
    var h = Harness(config: twoPartitions)
    #expect(isError(h.ask(FFAFunction.FFA_MSG_SEND_DIRECT_REQ2, [0x8002]), .denied))
}

@Test func requestToAPartitionThatReceivesNoRequestsIsDenied() {
    var c = SPMCConfig.qemuVirt(nonSecureMemory: [nsRAM])
    c.partitions[0].properties = PartitionInfo.Property.aarch64
    var h = Harness(config: c)
    #expect(isError(h.call(request()).resumedRegisters ?? Registers(), .denied))
}

@Test func spoofedSenderIsInvalid() {
    var h = Harness()
    #expect(isError(h.call(request(sender: 1)).resumedRegisters ?? Registers(), .invalidParameters))
    #expect(isError(h.call(request(sender: mm)).resumedRegisters ?? Registers(), .invalidParameters))
    #expect(h.spmc.partitions[0].runtime == .waiting)
}

@Test func requestToANormalWorldIDIsInvalid() {
    var h = Harness()
    #expect(isError(h.call(request(receiver: 0)).resumedRegisters ?? Registers(), .invalidParameters))
    #expect(isError(h.call(request(receiver: 5)).resumedRegisters ?? Registers(), .invalidParameters))
}

@Test func requestToAnUnknownSecureIDIsInvalid() {
    var h = Harness()
    #expect(isError(h.call(request(receiver: 0x8005)).resumedRegisters ?? Registers(), .invalidParameters))
    #expect(isError(h.call(request(receiver: Endpoint.spmc)).resumedRegisters ?? Registers(), .invalidParameters))
}

@Test func requestFlagsMustBeZero() {
    var h = Harness()
    #expect(isError(h.call(request(flags: 1)).resumedRegisters ?? Registers(), .invalidParameters))
    // Framework messages (bit 31) are not routed to partitions.
    #expect(isError(h.call(request(flags: 0x8000_0000)).resumedRegisters ?? Registers(), .invalidParameters))
    // SMC64: all of x2; SMC32: only w2.
    #expect(isError(h.call(request(flags: 1 << 40)).resumedRegisters ?? Registers(), .invalidParameters))
    let r32 = h.call(request(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32, flags: 1 << 40))
    #expect(r32.action == .resume(.partition(mm), { var e = request(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32); e.x2 = 0; return e }()))
}

@Test func aSecondRequestWhileTheFirstIsHandledIsBusy() {
    var h = Harness()
    _ = h.call(request())
    #expect(isError(h.call(request()).resumedRegisters ?? Registers(), .busy))
    #expect(h.spmc.partitions[0].runtime == .handling(PendingRequest(origin: 0, kind: .smc64)))
}

@Test func requestBeforeInitialisationEndsIsBusy() {
    var h = Harness(initialise: false)
    #expect(isError(h.call(request()).resumedRegisters ?? Registers(), .busy))
}

@Test func requestToAFailedPartitionIsAborted() {
    var h = Harness(initialise: false)
    #expect(h.call(Registers.ffaError(.noMemory), from: .partition(mm)).action
            == .partitionInitialised(id: mm, succeeded: false))
    #expect(isError(h.call(request()).resumedRegisters ?? Registers(), .aborted))
}

@Test func requestToAPartitionTheImageCouldNotStartIsAborted() {
    var h = Harness(initialise: false)
    h.monitor.partitionFailedToStart(mm)
    #expect(isError(h.call(request()).resumedRegisters ?? Registers(), .aborted))
}

@Test func responseWithoutARequestIsDeniedToThePartition() {
    var h = Harness()
    #expect(isError(h.ask(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64, [UInt64(mm) << 16], from: .partition(mm)), .denied))
}

@Test func responseDuringInitialisationIsDenied() {
    var h = Harness(initialise: false)
    #expect(isError(h.ask(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64, [UInt64(mm) << 16], from: .partition(mm)), .denied))
    #expect(h.spmc.partitions[0].runtime == .initialising)
}

@Test func responseMustHaveTheRequestsWidth() {
    var h = Harness()
    _ = h.call(request(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32))
    #expect(isError(h.call(response(), from: .partition(mm)).resumedRegisters ?? Registers(), .denied))
    var resp2 = regs(FFAFunction.FFA_MSG_SEND_DIRECT_RESP2, [UInt64(mm) << 16])
    resp2.x4 = 1
    #expect(isError(h.call(resp2, from: .partition(mm)).resumedRegisters ?? Registers(), .denied))
    guard case .resume(.normal, let back) = h.call(response(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32),
                                                   from: .partition(mm)).action
    else { Issue.record("the matching response was refused"); return }
    #expect(back.x0 == UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32))
}

@Test func responseMustComeFromThePartitionItself() {
    var h = Harness()
    _ = h.call(request())
    #expect(isError(h.call(response(sender: 0x8002), from: .partition(mm)).resumedRegisters ?? Registers(),
                    .invalidParameters))
}

@Test func responseMustGoToTheRequestsSender() {
    var h = Harness()
    _ = h.call(request())
    #expect(isError(h.call(response(receiver: 7), from: .partition(mm)).resumedRegisters ?? Registers(), .denied))
    #expect(h.spmc.partitions[0].runtime == .handling(PendingRequest(origin: 0, kind: .smc64)))
}

@Test func responseFlagsMustBeZero() {
    var h = Harness()
    _ = h.call(request())
    var r = response()
    r.x2 = 0x8000_0000
    #expect(isError(h.call(r, from: .partition(mm)).resumedRegisters ?? Registers(), .invalidParameters))
}

@Test func resp2UUIDRegistersMustBeZero() {
    var h = Harness()
    _ = h.call(regs(FFAFunction.FFA_MSG_SEND_DIRECT_REQ2, [UInt64(mm)]))
    #expect(isError(h.ask(FFAFunction.FFA_MSG_SEND_DIRECT_RESP2, [UInt64(mm) << 16, 0, 1], from: .partition(mm)),
                    .invalidParameters))
}

@Test func theNormalWorldCannotSendAResponse() {
    var h = Harness()
    #expect(isError(h.call(response()).resumedRegisters ?? Registers(), .invalidParameters))
}

@Test func aPartitionCannotSendARequest() {
    var h = Harness()
    _ = h.call(request())
    #expect(isError(h.call(request(sender: mm, receiver: 0), from: .partition(mm)).resumedRegisters ?? Registers(),
                    .invalidParameters))
}

@Test func errorFromAPartitionHandlingARequestCancelsIt() {
    var h = Harness()
    _ = h.call(request())
    var e = Registers.ffaError(.invalidParameters)
    e.x5 = 0x5EC   // must not reach the normal world
    #expect(h.call(e, from: .partition(mm)).action == .resume(.normal, .ffaError(.invalidParameters)))
    #expect(h.spmc.partitions[0].runtime == .waiting)
    // An undefined error code reaches the normal world as ABORTED.
    _ = h.call(request())
    #expect(h.call(regs(FFAFunction.FFA_ERROR, [0, 0x1234]), from: .partition(mm)).action
            == .resume(.normal, .ffaError(.aborted)))
}

@Test func twoRequestsInARowAfterResponses() {
    var h = Harness()
    // Each request is written over the call the partition is stopped in: its FFA_MSG_WAIT,
    // then its last response (whose x8...x17 it keeps).
    var stopped = regs(FFAFunction.FFA_MSG_WAIT)
    for _ in 0..<3 {
        #expect(h.call(request()).action == .resume(.partition(mm), stopped.overwriting(first: 8, from: request())))
        stopped = response()
        if case .resume(.normal, let r) = h.call(response(), from: .partition(mm)).action {
            #expect(r.x0 == UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64))
        } else {
            Issue.record("no response")
        }
    }
}

@Test func theSVEHintIsDroppedFromTheForwardedFunctionID() {
    var h = Harness()
    var r = request()
    r.x0 = 0xFFFF_FFFF_0000_0000 | UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64 | 0x0001_0000)
    #expect(h.call(r).action == .resume(.partition(mm), request()))
}
