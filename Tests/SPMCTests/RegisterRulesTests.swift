import Testing
import ABI
@testable import SPMC
import TestSupport

// The SMCCC v1.2 and FF-A v1.2 register rules, register by register, for every call the monitor
// serves. The "before" is the calling world's own registers: x_i = 0xA5A5_0000 + i in the
// normal world, 0x5A5A_0000 + i in the partition, with the call's arguments on top.

let normalPattern: UInt64 = 0xA5A5_0000
let partitionPattern: UInt64 = 0x5A5A_0000

/// A call as a world makes it: `fid` in x0, `args` from x1, every other register `base + i`.
func patterned(_ fid: UInt32, _ args: [UInt64] = [], base: UInt64 = normalPattern) -> Registers {
    var r = Registers(UInt64(fid))
    for i in 1..<Registers.count { r[i] = base + UInt64(i) }
    for (i, a) in args.enumerated() { r[i + 1] = a }
    return r
}

/// Checks `got` against `before` with x0...x(`span` - 1) replaced by `message`, one register at
/// a time, so that a failure names the register.
func expectAnswer(_ got: Registers?, over before: Registers, message: Registers, span: Int,
                  _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let got else {
        Issue.record("\(what): no answer for the calling world", sourceLocation: sourceLocation)
        return
    }
    for i in 0..<Registers.count {
        let want = i < span ? message[i] : before[i]
        #expect(got[i] == want, "\(what): x\(i)", sourceLocation: sourceLocation)
    }
}

/// A result in w0 alone (SMCCC architecture calls, PSCI, unknown IDs): x1...x17 unchanged.
func expectOnlyX0(_ got: Registers?, over before: Registers, _ x0: UInt64, _ what: String,
                  sourceLocation: SourceLocation = #_sourceLocation) {
    expectAnswer(got, over: before, message: Registers(x0), span: 1, what, sourceLocation: sourceLocation)
}

/// An FF-A answer: x0...x7 as `message` (MBZ where it leaves them zero), x8...x17 unchanged.
func expectFFA(_ got: Registers?, over before: Registers, _ message: Registers, _ what: String,
               sourceLocation: SourceLocation = #_sourceLocation) {
    expectAnswer(got, over: before, message: message, span: 8, what, sourceLocation: sourceLocation)
}

extension Harness {
    /// The registers `world` resumes with after `r`, when the answer goes back to it.
    mutating func answer(_ r: Registers, from world: World = .normal) -> Registers? {
        guard case .resume(let next, let out) = call(r, from: world).action, next == world else { return nil }
        return out
    }

    /// A harness whose partition is stopped in an FFA_MSG_WAIT carrying its own pattern in
    /// x8...x17 (w1...w7 MBZ for FFA_MSG_WAIT).
    static func waitingWithPattern() -> (Harness, Registers) {
        var h = Harness(initialise: false)
        let wait = patterned(FFAFunction.FFA_MSG_WAIT, [0, 0, 0, 0, 0, 0, 0], base: partitionPattern)
        _ = h.call(wait, from: .partition(mm))
        return (h, wait)
    }
}

// MARK: SMCCC architecture calls and PSCI: w0 alone

@Test func smcccArchitectureCallsChangeOnlyX0() {
    var h = Harness()
    for world in [World.normal, .partition(mm)] {
        let version = patterned(SMCCC.SMCCC_VERSION)
        expectOnlyX0(h.answer(version, from: world), over: version, 0x1_0002, "SMCCC_VERSION")
        let known = patterned(SMCCC.SMCCC_ARCH_FEATURES, [UInt64(SMCCC.SMCCC_VERSION)])
        expectOnlyX0(h.answer(known, from: world), over: known, 0, "SMCCC_ARCH_FEATURES(SMCCC_VERSION)")
        let workaround = patterned(SMCCC.SMCCC_ARCH_FEATURES, [0x8000_8000])
        expectOnlyX0(h.answer(workaround, from: world), over: workaround, 0xFFFF_FFFF, "SMCCC_ARCH_FEATURES(WORKAROUND_1)")
    }
}

@Test func psciCallsChangeOnlyX0() {
    var h = Harness()
    let version = patterned(SMCCC.PSCI_VERSION)
    expectOnlyX0(h.answer(version), over: version, 0x1_0001, "PSCI_VERSION")
    let features = patterned(SMCCC.PSCI_FEATURES, [UInt64(SMCCC.SMCCC_VERSION)])
    expectOnlyX0(h.answer(features), over: features, 0, "PSCI_FEATURES(SMCCC_VERSION)")
    let missing = patterned(SMCCC.PSCI_FEATURES, [UInt64(SMCCC.PSCI_CPU_OFF)])
    expectOnlyX0(h.answer(missing), over: missing, 0xFFFF_FFFF, "PSCI_FEATURES(CPU_OFF)")
    let cpuOn = patterned(SMCCC.PSCI_CPU_ON_64, [0, 0x6000_0000, 0])
    expectOnlyX0(h.answer(cpuOn), over: cpuOn, 0xFFFF_FFFF, "PSCI_CPU_ON_64")
    let off = patterned(SMCCC.PSCI_SYSTEM_OFF, base: partitionPattern)
    expectOnlyX0(h.answer(off, from: .partition(mm)), over: off, 0xFFFF_FFFD, "SYSTEM_OFF from the partition")
}

// MARK: Unknown function IDs: exactly NOT_SUPPORTED in x0, nothing else

@Test func trngVersionIsUnknownAndLeavesX1ToX17AsTheyWere() {
    // Linux's arm_smccc_version_init keeps a pointer in x4 across this call.
    var h = Harness()
    let trng = patterned(0x8400_0050)
    expectOnlyX0(h.answer(trng), over: trng, 0xFFFF_FFFF, "TRNG_VERSION")
}

@Test func unknownIDsSetOnlyX0InBothWidthsAndBothWorlds() {
    var h = Harness()
    let smc32: [UInt32] = [0x8200_0001, 0x8400_0040, 0x8400_0051, 0xBF00_0000, 0x8000_7FFF, 0x8600_0000,
                           FFAFunction.FFA_VERSION & 0x7FFF_FFFF,   // yielding
                           FFAFunction.FFA_VERSION | 0x0002_0000,   // bits 23:17 set
                           SMCCC.PSCI_VERSION | 0x0080_0000]
    let smc64: [UInt32] = [0xC200_0001, 0xC400_0050, 0xC300_FFFF, 0xF000_0000, 0xC400_0000 | 0x0004_0000]
    for (world, base) in [(World.normal, normalPattern), (.partition(mm), partitionPattern)] {
        for id in smc32 {
            let r = patterned(id, base: base)
            expectOnlyX0(h.answer(r, from: world), over: r, 0xFFFF_FFFF, "unknown SMC32 \(id)")
        }
        for id in smc64 {
            let r = patterned(id, base: base)
            expectOnlyX0(h.answer(r, from: world), over: r, UInt64.max, "unknown SMC64 \(id)")
        }
    }
}

@Test func theUpperHalfOfX0IsReplacedWholeByAnUnknownAnswer() {
    var h = Harness()
    var r = patterned(0x8400_0050)
    r.x0 = 0xDEAD_BEEF_8400_0050
    expectOnlyX0(h.answer(r), over: r, 0xFFFF_FFFF, "TRNG_VERSION with junk in x0[63:32]")
}

// MARK: FF-A calls the SPMC answers: x0...x7 defined (MBZ where unused), x8...x17 kept

@Test func ffaAnswersToTheNormalWorldKeepX8ToX17() {
    var h = Harness()
    let success = UInt64(FFAFunction.FFA_SUCCESS_32)
    let version = patterned(FFAFunction.FFA_VERSION, [0x1_0002])
    expectFFA(h.answer(version), over: version, Registers(0x1_0002), "FFA_VERSION")
    let badVersion = patterned(FFAFunction.FFA_VERSION, [0x2_0000])
    expectFFA(h.answer(badVersion), over: badVersion, Registers(0xFFFF_FFFF), "FFA_VERSION 2.0")
    let features = patterned(FFAFunction.FFA_FEATURES, [UInt64(FFAFunction.FFA_RXTX_MAP_64), 0])
    expectFFA(h.answer(features), over: features, Registers(success, 0, 0), "FFA_FEATURES(RXTX_MAP_64)")
    let noFeature = patterned(FFAFunction.FFA_FEATURES, [UInt64(FFAFunction.FFA_MSG_WAIT), 0])
    expectFFA(h.answer(noFeature), over: noFeature, .ffaError(.notSupported), "FFA_FEATURES(MSG_WAIT)")
    let id = patterned(FFAFunction.FFA_ID_GET)
    expectFFA(h.answer(id), over: id, Registers(success, 0, 0), "FFA_ID_GET")
    let spm = patterned(FFAFunction.FFA_SPM_ID_GET)
    expectFFA(h.answer(spm), over: spm, Registers(success, 0, 0x8000), "FFA_SPM_ID_GET")

    let map = patterned(FFAFunction.FFA_RXTX_MAP_64, [txPage, rxPage, 1, 0, 0, 0, 0])
    expectFFA(h.answer(map), over: map, Registers(success), "FFA_RXTX_MAP_64")
    let again = patterned(FFAFunction.FFA_RXTX_MAP_32, [txPage, rxPage, 1, 0, 0, 0, 0])
    expectFFA(h.answer(again), over: again, .ffaError(.denied), "FFA_RXTX_MAP_32 while mapped")
    let info = patterned(FFAFunction.FFA_PARTITION_INFO_GET, mmWords + [0, 0, 0])
    expectFFA(h.answer(info), over: info, Registers(success, 0, 1, 24), "FFA_PARTITION_INFO_GET")
    let busy = patterned(FFAFunction.FFA_PARTITION_INFO_GET, [0, 0, 0, 0, 0, 0, 0])
    expectFFA(h.answer(busy), over: busy, .ffaError(.busy), "FFA_PARTITION_INFO_GET while RX is owned")
    let release = patterned(FFAFunction.FFA_RX_RELEASE, [0, 0, 0, 0, 0, 0, 0])
    expectFFA(h.answer(release), over: release, Registers(success), "FFA_RX_RELEASE")
    let unmap = patterned(FFAFunction.FFA_RXTX_UNMAP, [0, 0, 0, 0, 0, 0, 0])
    expectFFA(h.answer(unmap), over: unmap, Registers(success), "FFA_RXTX_UNMAP")
    let unmapAgain = patterned(FFAFunction.FFA_RXTX_UNMAP, [0, 0, 0, 0, 0, 0, 0])
    expectFFA(h.answer(unmapAgain), over: unmapAgain, .ffaError(.invalidParameters), "FFA_RXTX_UNMAP of nothing")

    // Unknown IDs inside the FF-A range are FF-A calls: FFA_ERROR(NOT_SUPPORTED) in x0...x7.
    for fid: UInt32 in [0xC400_0073, 0x8400_00FF, FFAFunction.FFA_RUN, FFAFunction.FFA_MSG_WAIT,
                        FFAFunction.FFA_CONSOLE_LOG_64] {
        let r = patterned(fid)
        expectFFA(h.answer(r), over: r, .ffaError(.notSupported), "FF-A \(fid) from the normal world")
    }
    let resp = patterned(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64, [0x8001_0000])
    expectFFA(h.answer(resp), over: resp, .ffaError(.invalidParameters), "a response from the normal world")
}

@Test func partitionInfoGetRegsDefinesEveryRegister() {
    var h = Harness(config: twoPartitions)
    let r = patterned(FFAFunction.FFA_PARTITION_INFO_GET_REGS, [0, 0, 0])
    guard let got = h.answer(r) else { Issue.record("no answer"); return }
    #expect(got.x0 == UInt64(FFAFunction.FFA_SUCCESS_64))
    #expect(got.x1 == 0)
    #expect(got.x2 == 1 | 1 << 16 | 24 << 48)
    // Two descriptors in x3...x8; the unused descriptor registers x9...x17 are MBZ, not the caller's.
    for i in 9..<Registers.count { #expect(got[i] == 0, "x\(i)") }
    let failed = patterned(FFAFunction.FFA_PARTITION_INFO_GET_REGS, [0, 0, 7])
    expectFFA(h.answer(failed), over: failed, .ffaError(.invalidParameters), "GET_REGS past the end")
}

@Test func ffaAnswersToThePartitionKeepX8ToX17() {
    var h = Harness()
    _ = h.call(request())   // the partition is running a request: it may call the SPMC
    let me = World.partition(mm)
    let success = UInt64(FFAFunction.FFA_SUCCESS_32)
    func ask(_ fid: UInt32, _ args: [UInt64] = []) -> (Registers, Registers?) {
        let r = patterned(fid, args, base: partitionPattern)
        return (r, h.answer(r, from: me))
    }
    var (r, got) = ask(FFAFunction.FFA_VERSION, [0x1_0001])
    expectFFA(got, over: r, Registers(0x1_0002), "partition FFA_VERSION")
    (r, got) = ask(FFAFunction.FFA_FEATURES, [UInt64(FFAFunction.FFA_MSG_WAIT), 0])
    expectFFA(got, over: r, Registers(success), "partition FFA_FEATURES(MSG_WAIT)")
    (r, got) = ask(FFAFunction.FFA_ID_GET)
    expectFFA(got, over: r, Registers(success, 0, UInt64(mm)), "partition FFA_ID_GET")
    (r, got) = ask(FFAFunction.FFA_SPM_ID_GET)
    expectFFA(got, over: r, Registers(success, 0, 0x8000), "partition FFA_SPM_ID_GET")
    (r, got) = ask(FFAFunction.FFA_CONSOLE_LOG_32, [4, 0x4141_4141])
    expectFFA(got, over: r, Registers(success), "FFA_CONSOLE_LOG_32")
    (r, got) = ask(FFAFunction.FFA_CONSOLE_LOG_64, [8, 0x4141_4141_4141_4141])
    expectFFA(got, over: r, Registers(success), "FFA_CONSOLE_LOG_64 (x8...x17 were arguments)")
    (r, got) = ask(FFAFunction.FFA_CONSOLE_LOG_32, [0])
    expectFFA(got, over: r, .ffaError(.invalidParameters), "FFA_CONSOLE_LOG_32 of nothing")
    (r, got) = ask(FFAFunction.FFA_MSG_WAIT)
    expectFFA(got, over: r, .ffaError(.invalidParameters), "FFA_MSG_WAIT with arguments")
    (r, got) = ask(FFAFunction.FFA_RXTX_MAP_64, [txPage, rxPage, 1])
    expectFFA(got, over: r, .ffaError(.notSupported), "partition FFA_RXTX_MAP_64")
    (r, got) = ask(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64, [UInt64(mm) << 16])
    expectFFA(got, over: r, .ffaError(.invalidParameters), "partition direct request")
}

// MARK: Direct messages: the message is written over the receiver's own registers

@Test func directRequest64EntersThePartitionOverItsOwnRegisters() {
    var (h, wait) = Harness.waitingWithPattern()
    let r = patterned(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64, [UInt64(mm), 0, 0x4010_0000, 4, 5, 6, 7])
    guard case .resume(.partition(mm), let entered) = h.call(r).action else { Issue.record("not routed"); return }
    var message = r
    message.x2 = 0
    // x0...x7: the request (flags MBZ); x8...x17: the partition's own, never the sender's.
    expectFFA(entered, over: wait, message, "REQ_64 as the partition sees it")
}

@Test func directRequest32CarriesLowHalvesOverThePartitionsRegisters() {
    var (h, wait) = Harness.waitingWithPattern()
    var r = patterned(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32, [UInt64(mm), 0])
    for i in 3...7 { r[i] = 0xFFFF_FFFF_0000_0000 | UInt64(i) }
    r.x1 |= 0xFFFF_FFFF_0000_0000
    r.x2 = 0x1234_5678_0000_0000   // w2 (the flags) is zero; the upper half is ignored
    guard case .resume(.partition(mm), let entered) = h.call(r).action else { Issue.record("not routed"); return }
    var message = Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32), UInt64(mm))
    for i in 3...7 { message[i] = UInt64(i) }
    expectFFA(entered, over: wait, message, "REQ_32 as the partition sees it")
}

@Test func directResponse64ReturnsOverTheSendersRegisters() {
    var (h, _) = Harness.waitingWithPattern()
    let req = patterned(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64, [UInt64(mm), 0, 0, 0, 0, 0, 0])
    _ = h.call(req)
    var resp = patterned(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64, [UInt64(mm) << 16, 0], base: partitionPattern)
    resp.x3 = 0xFFFF_FFFF_FFFF_FFFE
    guard case .resume(.normal, let back) = h.call(resp, from: .partition(mm)).action else {
        Issue.record("no response"); return
    }
    // x0...x7: the response; x8...x17: the normal world's own from its request.
    expectFFA(back, over: req, resp, "RESP_64 as the normal world sees it")
    // The partition's next message is written over its response, whose x8...x17 it keeps.
    guard case .resume(.partition(mm), let next) = h.call(req).action else { Issue.record("not routed"); return }
    expectFFA(next, over: resp, req, "the next REQ_64 over the partition's response")
}

@Test func directResponse32ReturnsLowHalvesOverTheSendersRegisters() {
    var (h, _) = Harness.waitingWithPattern()
    let req = patterned(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32, [UInt64(mm), 0, 0, 0, 0, 0, 0])
    _ = h.call(req)
    var resp = patterned(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32, [UInt64(mm) << 16, 0], base: partitionPattern)
    for i in 3...7 { resp[i] |= 0xFFFF_FFFF_0000_0000 }
    guard case .resume(.normal, let back) = h.call(resp, from: .partition(mm)).action else {
        Issue.record("no response"); return
    }
    var message = Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32), UInt64(mm) << 16)
    for i in 3...7 { message[i] = partitionPattern + UInt64(i) }
    expectFFA(back, over: req, message, "RESP_32 as the normal world sees it")
}

@Test func req2AndResp2DefineEveryRegister() {
    var (h, _) = Harness.waitingWithPattern()
    var req = patterned(FFAFunction.FFA_MSG_SEND_DIRECT_REQ2, [UInt64(mm), 0x0942_e699_33d5_32ed, 0xa798_d9cd_722d_c09c])
    for i in 4..<Registers.count { req[i] = 0x1000 + UInt64(i) }
    guard case .resume(.partition(mm), let entered) = h.call(req).action else { Issue.record("not routed"); return }
    expectAnswer(entered, over: Registers(), message: req, span: Registers.count, "REQ2 as the partition sees it")

    var resp = patterned(FFAFunction.FFA_MSG_SEND_DIRECT_RESP2, [UInt64(mm) << 16, 0, 0], base: partitionPattern)
    guard case .resume(.normal, let back) = h.call(resp, from: .partition(mm)).action else {
        Issue.record("no response"); return
    }
    resp.x2 = 0
    resp.x3 = 0
    expectAnswer(back, over: req, message: resp, span: Registers.count, "RESP2 as the normal world sees it")
}

@Test func refusedRequestsAndPartitionErrorsKeepTheSendersX8ToX17() {
    var (h, _) = Harness.waitingWithPattern()
    let toNobody = patterned(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64, [0x8005, 0, 0, 0, 0, 0, 0])
    expectFFA(h.answer(toNobody), over: toNobody, .ffaError(.invalidParameters), "REQ_64 to no partition")
    let req = patterned(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64, [UInt64(mm), 0, 0, 0, 0, 0, 0])
    _ = h.call(req)
    let busy = patterned(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64, [UInt64(mm), 0, 0, 0, 0, 0, 0], base: 0xB0B0_0000)
    expectFFA(h.answer(busy), over: busy, .ffaError(.busy), "REQ_64 while busy")
    // The partition gives up with FFA_ERROR: the error goes back over the normal world's saved
    // registers, those of its latest call (the refused one: answers are written in place).
    let error = patterned(FFAFunction.FFA_ERROR, [0, UInt64(UInt32(bitPattern: -8))], base: partitionPattern)
    guard case .resume(.normal, let back) = h.call(error, from: .partition(mm)).action else {
        Issue.record("no error"); return
    }
    expectFFA(back, over: busy, .ffaError(.aborted), "the partition's FFA_ERROR as the sender sees it")
}

// MARK: The same rules under random registers

@Test func randomCallsOfEveryServedFunctionKeepTheRules() {
    var rng = SplitMix64(seed: 0x5EED_0010)
    var h = Harness()
    let served: [UInt32] = [SMCCC.SMCCC_VERSION, SMCCC.SMCCC_ARCH_FEATURES, SMCCC.PSCI_VERSION,
                            SMCCC.PSCI_FEATURES, 0x8400_0050, 0xC400_0050, FFAFunction.FFA_VERSION,
                            FFAFunction.FFA_FEATURES, FFAFunction.FFA_ID_GET, FFAFunction.FFA_SPM_ID_GET,
                            FFAFunction.FFA_RXTX_MAP_64, FFAFunction.FFA_RXTX_UNMAP, FFAFunction.FFA_RX_RELEASE,
                            FFAFunction.FFA_PARTITION_INFO_GET, FFAFunction.FFA_PARTITION_INFO_GET_REGS,
                            0x8200_0001, 0xC200_0001]
    for _ in 0..<5_000 {
        var r = Registers()
        for i in 1..<Registers.count { r[i] = rng.next() % 4 == 0 ? 0 : rng.next() }
        r.x0 = UInt64(served[Int(rng.next() % UInt64(served.count))])
        let outcome = h.call(r)
        #expect(outcome.keepsRegisterRules(stopped: r))
        // Only GET_REGS's FFA_SUCCESS_64 may write x8...x17.
        if case .resume(.normal, let got) = outcome.action, got.x0 != UInt64(FFAFunction.FFA_SUCCESS_64) {
            for i in 8..<Registers.count { #expect(got[i] == r[i], "x\(i) of \(r.w(0))") }
        }
    }
}
