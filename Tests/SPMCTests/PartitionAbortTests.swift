import Testing
import ABI
@testable import SPMC

// A partition that stops for good (FFA_ABORT from its exception vectors): the machine goes on
// without it (issue 10, part 1).

@Test func abortDuringInitialisationEndsItAndTheMonitorBootsOn() {
    var h = Harness(initialise: false)
    // Whatever the other registers hold: a partition that aborts cannot go on.
    #expect(h.call(regs(FFAFunction.FFA_ABORT_32, [7, 0xBAD]), from: .partition(mm)).action
            == .partitionInitialised(id: mm, succeeded: false))
    #expect(h.spmc.partitions[0].runtime == .aborted)
    #expect(h.spmc.invariantsHold)
    // Requests to it are ABORTED from now on; it is still listed.
    #expect(h.call(request()).action == .resume(.normal, .ffaError(.aborted)))
    #expect(h.call(request(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32)).action == .resume(.normal, .ffaError(.aborted)))
    #expect(h.spmc.partitions.map(\.info.id) == [mm])
    // It is not running, so a call that claims to come from it is refused.
    #expect(isError(h.ask(FFAFunction.FFA_MSG_WAIT, from: .partition(mm)), .denied))
    #expect(h.spmc.partitions[0].runtime == .aborted)
}

@Test func abortWhileHandlingARequestAnswersTheSenderAborted() {
    var h = Harness()
    var req = request()
    for i in 8..<Registers.count { req[i] = 0xA0 + UInt64(i) }   // the caller's, to be kept
    _ = h.call(req)
    #expect(h.spmc.partitions[0].runtime == .handling(PendingRequest(origin: 0, kind: .smc64)))
    let out = h.call(regs(FFAFunction.FFA_ABORT_64), from: .partition(mm))
    var expected = req
    Interface.failure(.aborted).encode(into: &expected)
    #expect(out.action == .resume(.normal, expected))
    #expect(out.keepsRegisterRules(stopped: req) && h.spmc.invariantsHold)
    #expect(h.spmc.partitions[0].runtime == .aborted)
    #expect(h.call(request()).action == .resume(.normal, .ffaError(.aborted)))
    // The rest of FF-A keeps working for the normal world.
    #expect(isSuccess(h.ask(FFAFunction.FFA_ID_GET)))
}

@Test func theNormalWorldCannotAbort() {
    var h = Harness()
    #expect(isError(h.ask(FFAFunction.FFA_ABORT_32), .notSupported))
    #expect(isError(h.ask(FFAFunction.FFA_ABORT_64), .notSupported))
    #expect(h.spmc.partitions[0].runtime == .waiting)
}
