import ABI
import Driver
import MM
import SPMC
import SecureMonitor
import TestSupport
import Variables

/// The secure world in one process: the real `MonitorModel` (SMCCC, PSCI, SPMC) in the role of the
/// EL3 monitor's run loop, and the MM partition's message loop over the real `MMVariableHandler`
/// and store. No hardware: worlds are switched by calling the next one.
final class SecureWorld<P: VariablePersistence> {
    private(set) var monitor: MonitorModel
    var partition: MMPartitionModel<P>
    let ram: NonSecureRAM
    private(set) var memory: MonitorMemory
    /// The outcome of the partition's initialisation (its FFA_MSG_WAIT).
    private(set) var bootOutcome: MonitorStep.Action?
    /// Every call the normal world made and the registers it got back.
    private(set) var normalCalls: [(call: Registers, answer: Registers)] = []
    /// Every SMC the partition made.
    private(set) var partitionCalls: [Registers] = []
    /// Every message the SPMC delivered to the partition.
    private(set) var delivered: [Registers] = []
    /// PSCI power requests that reached the monitor.
    private(set) var powerEvents: [MonitorStep.Action] = []
    /// Broken rules seen on the way (SPMC invariants, malformed answers, runaway loops).
    private(set) var faults: [String] = []

    /// Switches into the partition per normal-world call; more is a runaway exchange.
    static var partitionTurnLimit: Int { 16 }

    /// Boots the secure world: the SPMC from `config`, then the partition, which mounts its store
    /// and ends its initialisation with FFA_MSG_WAIT, as Entry.swift does (or, when `mountFails`,
    /// with FFA_ERROR(ABORTED), as Entry.swift does when the flash cannot be mounted).
    init(store: VariableStore<P>, ram: NonSecureRAM, config: SPMCConfig = Board.spmcConfig, mountFails: Bool = false) {
        self.ram = ram
        monitor = MonitorModel(config: config)
        memory = MonitorMemory(ram: ram)
        partition = MMPartitionModel(handler: MMVariableHandler(store: store), ram: ram)
        // The monitor enters each configured partition once at boot; a platform without the MM
        // partition boots straight into the normal world.
        guard config.partitions.contains(where: { $0.id == Endpoint.mmPartition }) else { return }
        let first = mountFails ? Registers.ffaError(.aborted) : MMPartitionModel<P>.initialised
        partitionCalls.append(first)
        let outcome = monitor.handle(first, from: .partition(Endpoint.mmPartition), memory: &memory)
        bootOutcome = outcome.action
        check(outcome, normalCall: Registers())
    }

    /// The store as the partition holds it now.
    var store: VariableStore<P> { partition.handler.store }

    /// One SMC from the normal world, carried until the normal world runs again.
    func smc(_ call: Registers) -> Registers {
        var outcome = monitor.handle(call, from: .normal, memory: &memory)
        check(outcome, normalCall: call)
        for _ in 0..<Self.partitionTurnLimit {
            switch outcome.action {
            case .resume(.normal, let answer):
                normalCalls.append((call, answer))
                return answer
            case .resume(.partition(let id), let delivered):
                guard id == Endpoint.mmPartition else {
                    faults.append("resumed unknown partition \(id)")
                    return Registers(UInt64.max)
                }
                self.delivered.append(delivered)
                let next = partition.answer(delivered)
                partitionCalls.append(next)
                outcome = monitor.handle(next, from: .partition(id), memory: &memory)
                check(outcome, normalCall: call)
            case .partitionInitialised(let id, let ok):
                faults.append("partition \(id) initialised (\(ok)) during a normal-world call")
                return Registers(UInt64.max)
            case .systemOff, .systemReset:
                powerEvents.append(outcome.action)
                return Registers()
            }
        }
        faults.append("no answer for the normal world after \(Self.partitionTurnLimit) partition turns")
        return Registers(UInt64.max)
    }

    /// `normalCall`: the call the normal world is stopped in. The partition is stopped in its
    /// latest call: every answer is written over the registers of the world it resumes.
    private func check(_ outcome: MonitorStep, normalCall: Registers) {
        if !monitor.spmc.invariantsHold { faults.append("SPMC invariants broken after \(outcome.action)") }
        let stopped = if case .resume(.normal, _) = outcome.action { normalCall } else { partitionCalls.last ?? Registers() }
        if !outcome.keepsRegisterRules(stopped: stopped) {
            faults.append("answer breaks the SMCCC register rules: \(outcome.action)")
        }
    }
}

/// The normal world's conduit into the in-process secure world (what `smc #0` does on hardware).
struct MonitorConduit<P: VariablePersistence>: Conduit {
    let world: SecureWorld<P>
    /// When set, direct requests are also written to it (to order doorbells among buffer accesses).
    var log: DoorbellLog?

    mutating func call(_ regs: Registers) -> Registers {
        if regs.w(0) == FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64 { log?.events.append(.doorbell(x3: regs.x3)) }
        return world.smc(regs)
    }
}
