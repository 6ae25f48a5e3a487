import Testing
import ABI
import SPMC
@testable import SecureMonitor

/// The state a call can change: the SPMC's and both register blocks.
private struct Snapshot: Equatable {
    var partitions: [PartitionState]
    var normalWorld: NormalWorldEndpoint
    var running: UInt16
    var normal: Registers
    var partition: Registers

    init(_ loop: RunLoop, _ b: Blocks) {
        partitions = loop.spmc.partitions; normalWorld = loop.spmc.normalWorld; running = loop.spmc.running
        normal = b.normal.pointee; partition = b.partition.pointee
    }
}

/// `RunLoop.forward` is a shortcut, not a second path: on random calls from either world (direct
/// requests and responses of both widths with random endpoints, flags and states, SMCCC calls,
/// other FF-A calls, a late FFA_ABORT), `handle` (forward, else dispatch) leaves the SPMC and both blocks exactly
/// as `dispatch` alone does, with the same action; and when `forward` declines it changes nothing.
@Test func forwardDoesWhatDispatchDoes() {
    let config = SPMCConfig.qemuVirt(nonSecureMemory: [MemoryRange(base: 0x4000_0000, size: 1 << 30)])
    #expect(forwardAgainstDispatch(config: config, target: Endpoint.mmPartition, seed: 0x9E37_79B9) > 50)
}

/// The same over a table of ten partitions: one in an inline slot past the first (forwarded),
/// and one past the inline slots (`PartitionTable.inlineCapacity`), whose messages `forward`
/// declines and `dispatch` serves.
@Test func forwardDoesWhatDispatchDoesForEveryPartitionOfTheTable() {
    var config = SPMCConfig.qemuVirt(nonSecureMemory: [MemoryRange(base: 0x4000_0000, size: 1 << 30)])
    for i in 2...10 {
        config.partitions.append(PartitionInfo(id: 0x8000 + UInt16(i), executionContexts: 1,
                                               properties: PartitionInfo.Property.receivesDirectRequests,
                                               uuid: UUID(lo: UInt64(i), hi: 7)))
    }
    #expect(config.isValid)
    #expect(forwardAgainstDispatch(config: config, target: 0x8003, seed: 0x1234_5678) > 50)
    #expect(forwardAgainstDispatch(config: config, target: 0x800A, seed: 0x8765_4321) == 0)
}

/// Runs 4000 random calls between the normal world and partition `target` (which ends its
/// initialisation first) through `handle` and through `dispatch` alone, checking they agree and
/// that a declined `forward` changes nothing. Returns how many direct messages `forward` took.
private func forwardAgainstDispatch(config: SPMCConfig, target: UInt16, seed: UInt64) -> Int {
    var state: UInt64 = seed
    func next() -> UInt64 { state = state &* 6_364_136_223_846_793_005 &+ 1; return state ^ (state >> 31) }
    let functions: [UInt32] = [FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64, FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32,
                               FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64, FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32,
                               FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64 | 0x0001_0000, SMCCC.SMCCC_VERSION,
                               SMCCC.SMCCC_ARCH_FEATURES, 0xC000_0000, 0x8000_0002, FFAFunction.FFA_ID_GET,
                               FFAFunction.FFA_MSG_WAIT, FFAFunction.FFA_VERSION, FFAFunction.FFA_MSG_SEND_DIRECT_REQ2]
    var viaHandle = RunLoop(config: config), viaDispatch = RunLoop(config: config)
    let a = Blocks(), b = Blocks()
    var memory = NoMemory()
    var forwarded = 0
    for (loop, blocks) in [(0, a), (1, b)] {   // the partition ends its initialisation
        Interface.msgWait(retainRx: false).encode(into: &blocks.partition.pointee)
        let action = loop == 0 ? viaHandle.handle(from: .partition(target), blocks: blocks, memory: &memory)
                               : viaDispatch.dispatch(from: .partition(target), blocks: blocks, memory: &memory)
        #expect(action == .partitionInitialised)
    }
    for step in 0..<4000 {
        // Mostly from the world that runs; sometimes from the other (refused), as a hostile caller.
        let running: World = viaHandle.spmc.runtime(of: target)!.isRunning ? .partition(target) : .normal
        let world: World = next() % 8 == 0 ? (running == .normal ? .partition(target) : .normal) : running
        var r = Registers()
        for i in 0..<Registers.count { r[i] = next() }
        r.x0 = UInt64(functions[Int(next() % UInt64(functions.count))]) | (next() % 4 == 0 ? next() << 32 : 0)
        // The last steps may end the partition (aborted: every later request refused).
        if step >= 3600, next() % 50 == 0 { r.x0 = UInt64(FFAFunction.FFA_ABORT_32) }
        // Each endpoint mostly right, else the MM partition, another configured partition or any.
        func endpoint(_ right: UInt64) -> UInt64 {
            switch next() % 8 {
            case 0: return UInt64(Endpoint.mmPartition)
            case 1: return UInt64(config.partitions[Int(next() % UInt64(config.partitions.count))].id)
            case 2: return next() & 0xFFFF
            default: return right
            }
        }
        let sender = endpoint(world == .normal ? 0 : UInt64(target))
        let receiver = endpoint(world == .normal ? UInt64(target) : 0)
        if next() % 4 != 0 { r.x1 = sender << 16 | receiver }   // valid endpoints mostly
        if next() % 4 != 0 { r.x2 = 0 }                         // flags clear mostly
        a.registers(of: world).pointee = r
        b.registers(of: world).pointee = r
        let before = Snapshot(viaHandle, a)
        var probe = viaHandle
        let c = Blocks.copy(of: a)
        switch probe.forward(from: world, blocks: c) {
        case nil: #expect(Snapshot(probe, c) == before, "step \(step)")
        case .switchToPartition?, .switchToNormal?: forwarded += 1
        default: break
        }
        let x = viaHandle.handle(from: world, blocks: a, memory: &memory)
        let y = viaDispatch.dispatch(from: world, blocks: b, memory: &memory)
        #expect(x == y, "step \(step)")
        #expect(Snapshot(viaHandle, a) == Snapshot(viaDispatch, b), "step \(step)")
    }
    return forwarded
}
