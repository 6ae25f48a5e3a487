import ABI
import SPMC
import SecureMonitor

/// The monitor as the image runs it, for host tests, fuzzers and the end-to-end model: the
/// `RunLoop` over one saved register block per world (the image's contexts, WorldContext.swift),
/// answered and forwarded in place by `RunLoop.handle`, the image's one dispatch path. A call
/// is written over its world's block, as the image's trap entry saves it; the step says what the
/// monitor does next and, for a world it resumes, that world's block.
public struct MonitorModel {
    public private(set) var runLoop: RunLoop
    /// The saved x0...x17 of the normal world and of each partition (config order).
    public let blocks: WorldBlocks

    public init(config: SPMCConfig) {
        runLoop = RunLoop(config: config)
        blocks = WorldBlocks(partitions: config.partitions.map { $0.id })
    }

    public var spmc: SPMC { runLoop.spmc }

    /// Writes and console output go to `inner`; the console is also kept for the step.
    struct Capture<M: PhysicalMemory>: PhysicalMemory {
        var inner: M
        var console: [UInt8] = []
        mutating func write(_ bytes: [UInt8], at pa: UInt64) -> Bool { inner.write(bytes, at: pa) }
        mutating func write64(_ value: UInt64, at pa: UInt64) -> Bool { inner.write64(value, at: pa) }
        mutating func console(_ byte: UInt8) { console.append(byte); inner.console(byte) }
    }

    /// One SMC from `world` with `registers`.
    public mutating func handle<M: PhysicalMemory>(_ registers: Registers, from world: World,
                                                   memory: inout M) -> MonitorStep {
        blocks.registers(of: world).pointee = registers
        var capture = Capture(inner: memory)
        let action = runLoop.handle(from: world, blocks: blocks, memory: &capture)
        memory = capture.inner
        let callerID: UInt16
        if case .partition(let id) = world { callerID = id } else { callerID = 0 }
        let next: MonitorStep.Action
        switch action {
        case .returnToCaller: next = .resume(world, blocks.registers(of: world).pointee)
        case .switchToNormal, .partitionAborted: next = .resume(.normal, blocks.registers(of: .normal).pointee)
        case .switchToPartition:
            next = .resume(.partition(runLoop.spmc.running), blocks.registers(of: .partition(runLoop.spmc.running)).pointee)
        case .partitionInitialised: next = .partitionInitialised(id: callerID, succeeded: true)
        case .partitionFailed: next = .partitionInitialised(id: callerID, succeeded: false)
        case .systemOff: next = .systemOff
        case .systemReset: next = .systemReset
        }
        return MonitorStep(next, console: capture.console)
    }

    /// The image could not load or start partition `id` (see `SPMC.partitionFailedToStart`).
    public mutating func partitionFailedToStart(_ id: UInt16) {
        runLoop.partitionFailedToStart(id)
    }
}

/// The saved register blocks of every world, in memory as the image's contexts are.
public final class WorldBlocks: RegisterBlocks {
    let ids: [UInt16]
    let normal = UnsafeMutablePointer<Registers>.allocate(capacity: 1)
    let partitions: UnsafeMutablePointer<Registers>
    /// A block for an endpoint no partition has (the SPMC never writes one; kept apart).
    let scratch = UnsafeMutablePointer<Registers>.allocate(capacity: 1)

    init(partitions ids: [UInt16]) {
        self.ids = ids
        partitions = .allocate(capacity: max(ids.count, 1))
        partitions.initialize(repeating: Registers(), count: max(ids.count, 1))
        normal.initialize(to: Registers())
        scratch.initialize(to: Registers())
    }

    deinit {
        normal.deallocate()
        partitions.deallocate()
        scratch.deallocate()
    }

    public func registers(of world: World) -> UnsafeMutablePointer<Registers> {
        switch world {
        case .normal: return normal
        case .partition(let id):
            guard let i = ids.firstIndex(of: id) else { return scratch }
            return partitions + i
        }
    }
}

/// What the monitor does after one call, as a test sees it.
public struct MonitorStep: Equatable, Sendable {
    public enum Action: Equatable, Sendable {
        /// `eret` into `world` with x0..x17 set to `registers` (x18..x30 and SP as they were).
        /// They are that world's own registers (the call it is stopped in) with only the answer's
        /// result registers written, as SMCCC v1.2 asks of a callee.
        case resume(World, Registers)
        /// The partition ended its initialisation (FFA_MSG_WAIT: succeeded; FFA_ERROR or
        /// FFA_ABORT: failed). The monitor continues booting: the next partition, then the
        /// normal world.
        case partitionInitialised(id: UInt16, succeeded: Bool)
        /// PSCI SYSTEM_OFF: power the machine off.
        case systemOff
        /// PSCI SYSTEM_RESET: reset the machine.
        case systemReset
    }

    public var action: Action
    /// Bytes for the secure UART, written before the action (FFA_CONSOLE_LOG).
    public var console: [UInt8]

    public init(_ action: Action, console: [UInt8] = []) {
        self.action = action
        self.console = console
    }

    /// Resume `world` with `registers`.
    public static func resume(_ world: World, _ registers: Registers) -> MonitorStep {
        MonitorStep(.resume(world, registers))
    }
}
