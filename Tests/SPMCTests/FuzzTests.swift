import Testing
import ABI
@testable import SPMC
import SecureMonitor
import TestSupport

/// Thousands of random 18-register calls from both worlds, biased by the fuzz decoder toward
/// the interesting IDs and addresses so the state gets somewhere (buffers mapped, requests
/// outstanding, partitions failed). Every call must keep the invariants.
@Test func seededRandomCallsKeepEveryInvariant() {
    var rng = SplitMix64(seed: 0x5EC0_FFA0_2026)
    var total = SPMCFuzz.Report()
    for _ in 0..<100 {
        let length = Int(rng.next() % 16384) + 1
        var data = [UInt8](repeating: 0, count: length)
        for i in data.indices { data[i] = UInt8(truncatingIfNeeded: rng.next()) }
        let report = SPMCFuzz.execute(data)
        #expect(report.invariantsHeld)
        total.calls += report.calls
        total.requestsRouted += report.requestsRouted
        total.responsesReturned += report.responsesReturned
        total.buffersMapped += report.buffersMapped
        total.rxWrites += report.rxWrites
    }
    // The decoder reaches the deep states: routed requests, answers, mapped buffers, RX writes.
    #expect(total.calls > 20_000)
    #expect(total.requestsRouted > 90 && total.responsesReturned > 70)
    #expect(total.buffersMapped > 20 && total.rxWrites > 10)
}

/// Raw random registers, no bias: x0 included, from every world including strays.
@Test func unbiasedRandomRegistersNeverTrap() {
    var rng = SplitMix64(seed: 42)
    var monitor = MonitorModel(config: SPMCFuzz.config)
    var memory = FakeMemory()
    let worlds: [World] = [.normal, .partition(0x8001), .partition(0x8002), .partition(0x8003)]
    for _ in 0..<20_000 {
        var r = Registers()
        for i in 0..<Registers.count { r[i] = rng.next() }
        // Keep x0 in the FF-A range half of the time, or nothing interesting happens.
        if rng.next() & 1 == 0 { r.x0 = 0x8400_0060 | (rng.next() & 0x4000_003F) }
        let world = worlds[Int(rng.next() % 4)]
        let outcome = monitor.handle(r, from: world, memory: &memory)
        #expect(monitor.spmc.invariantsHold)
        if case .resume(let next, _) = outcome.action, next == world {
            #expect(outcome.keepsRegisterRules(stopped: r))
        }
    }
}

/// The fuzz driver's register check can fail: a leak, a zeroed register that should have been
/// kept, a changed x1 under a PSCI answer and 64-bit junk in an SMC32 answer are all caught.
@Test func registerRuleCheckCatchesLeaksAndLosses() {
    var request = Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64), 0x8001)
    for i in 8..<Registers.count { request[i] = 0xA5A5_0000 + UInt64(i) }
    var answer = request.overwriting(first: 8, from: Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64), 0x8001_0000))
    #expect(MonitorStep.resume(.normal, answer).keepsRegisterRules(stopped: request))
    answer.x9 = 0x5EC                                   // the partition's x9 leaks
    #expect(!MonitorStep.resume(.normal, answer).keepsRegisterRules(stopped: request))
    answer.x9 = 0                                       // or the caller's x9 is lost
    #expect(!MonitorStep.resume(.normal, answer).keepsRegisterRules(stopped: request))

    let psci = Registers(UInt64(SMCCC.PSCI_VERSION), 7, 8, 9, 10)
    #expect(MonitorStep.resume(.normal, psci.overwriting(first: 1, from: Registers(0x1_0001))).keepsRegisterRules(stopped: psci))
    #expect(!MonitorStep.resume(.normal, Registers(0x1_0001)).keepsRegisterRules(stopped: psci))

    let id = Registers(UInt64(FFAFunction.FFA_ID_GET))
    #expect(!MonitorStep.resume(.normal, Registers(UInt64(FFAFunction.FFA_SUCCESS_32), 0, 1 << 40)).keepsRegisterRules(stopped: id))
    #expect(MonitorStep.resume(.normal, Registers(UInt64(FFAFunction.FFA_SUCCESS_32), 0, 0)).keepsRegisterRules(stopped: id))
}

@Test func fuzzDriverAcceptsEdgeInputs() {
    #expect(SPMCFuzz.run([]))
    #expect(SPMCFuzz.run([0xFF]))
    #expect(SPMCFuzz.run([UInt8](repeating: 0xFF, count: 1000)))
    #expect(SPMCFuzz.run([UInt8](repeating: 0x00, count: 1000)))
}
