import ABI
import MM
import Platform

/// One hostile session: raw SMCCC calls through the real conduit, each checked against the
/// model's prediction, with the SPMC's RX/TX state followed and put back as the driver left it.
struct HostileRun {
    var conduit: RuntimeConduit
    var rng: HostileRandom
    var tally = HostileTally()
    let model: HostileModel
    /// What the SPMC holds now, as far as the answers so far say.
    var state: HostileSPMCState
    /// The pair the shell's FF-A driver mapped at boot: restored after every case.
    let home: HostileMailbox
    /// GET_PAYLOAD_SIZE as the partition first answered it.
    var payloadSize: UInt64 = 0

    init(conduit: RuntimeConduit, seed: UInt64, home: HostileMailbox, ram: [HostileRange], scratch: [HostileRange]) {
        self.conduit = conduit
        rng = HostileRandom(seed: seed)
        model = HostileModel(ram: ram, scratch: scratch)
        state = HostileSPMCState(mailbox: home, rxOwned: false)
        self.home = home
    }

    mutating func call(_ r: Registers) -> Registers {
        tally.calls += 1
        let out = conduit.call(r)
        tally.classify(out)
        return out
    }

    /// Issues `r` when the model can predict its answer, checks the answer and follows the
    /// state; an unexpected answer puts the RX/TX pair back as it was at boot. Returns whether
    /// the call was issued.
    @discardableResult
    mutating func issue(_ label: StaticString, _ r: Registers) -> Bool {
        guard let (want, after) = model.predict(r, state) else { return false }
        let got = call(r)
        if tally.compare(label, request: r, got: got, want: want) {
            state = after
        } else {
            resync()
        }
        return true
    }

    /// After an answer the model did not predict, the SPMC's state is unknown: give RX back,
    /// unmap whatever is mapped, and map the driver's pair again.
    mutating func resync() {
        _ = call(Interface.rxRelease(vmID: 0).registers)
        _ = call(Interface.rxtxUnmap(id: 0).registers)
        let out = call(HostileRun.map(home, is64: true))
        state = HostileSPMCState(mailbox: home, rxOwned: false)
        if Interface.function(of: out) != .success32 { tally.fail("remapping the driver's RX/TX pair") }
    }

    /// Puts the SPMC back in the state the shell's driver expects: its own pair mapped, RX ours.
    mutating func restoreHome() {
        if state.rxOwned { issue("FFA_RX_RELEASE to restore", Interface.rxRelease(vmID: 0).registers) }
        if state.mailbox != home {
            if state.mailbox != nil { issue("FFA_RXTX_UNMAP to restore", Interface.rxtxUnmap(id: 0).registers) }
            issue("FFA_RXTX_MAP_64 to restore", HostileRun.map(home, is64: true))
        }
        if state.mailbox != home || state.rxOwned { resync() }
    }

    static func map(_ m: HostileMailbox, is64: Bool) -> Registers {
        Interface.rxtxMap(tx: m.tx, rx: m.rx, pageCount: UInt8(truncatingIfNeeded: m.pages), is64: is64).registers
    }

    /// FFA_PARTITION_INFO_GET; when it hands RX over, the descriptor it wrote there is checked.
    mutating func infoGet(_ label: StaticString, _ r: Registers) {
        let wasOwned = state.rxOwned
        if let m = state.mailbox, !wasOwned, let p = UnsafeMutablePointer<UInt8>(bitPattern: UInt(m.rx)) {
            for i in 0..<24 { unsafe p[i] = 0xEE }     // stale bytes must not pass for an answer
            dcache_clean_range_poc(m.rx, 24)
        }
        issue(label, r)
        if !wasOwned && state.rxOwned { checkDescriptor(nilQuery: r.w(1) | r.w(2) | r.w(3) | r.w(4) == 0) }
    }

    /// Checks the descriptor FFA_PARTITION_INFO_GET just wrote into the RX buffer.
    mutating func checkDescriptor(nilQuery: Bool) {
        guard let m = state.mailbox, state.rxOwned else { return }
        dcache_invalidate_range_poc(m.rx, 64)
        guard let p = UnsafePointer<UInt8>(bitPattern: UInt(m.rx)) else { return }
        let want = HostileModel.descriptor(nilQuery: nilQuery)
        for i in want.indices where unsafe p[i] != want[i] {
            tally.fail("partition descriptor in the RX buffer")
            return
        }
    }
}
