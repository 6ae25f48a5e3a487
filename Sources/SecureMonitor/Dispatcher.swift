import ABI
import SPMC

/// The run loop with each call as a value: registers in, `Outcome` out. It keeps the saved
/// registers of every world itself, as the image's contexts do, so host tests, fuzzers and the
/// end-to-end model drive the same services as the image without pointers. The image uses
/// `RunLoop` directly.
public struct Dispatcher: Sendable {
    public private(set) var runLoop: RunLoop
    /// The saved x0...x17 of the normal world and of each partition (config order).
    var normal = Registers()
    var partitionBlocks: [Registers]
    let partitionIDs: [UInt16]

    public init(config: SPMCConfig) {
        runLoop = RunLoop(config: config)
        partitionIDs = config.partitions.map { $0.id }
        partitionBlocks = [Registers](repeating: Registers(), count: config.partitions.count)
    }

    public var spmc: SPMC { runLoop.spmc }

    /// The register blocks, valid while `handle` runs.
    struct Blocks: RegisterBlocks {
        let normal: UnsafeMutablePointer<Registers>
        let partitions: UnsafeMutableBufferPointer<Registers>
        let ids: [UInt16]
        var scratch: UnsafeMutablePointer<Registers>

        func registers(of world: World) -> UnsafeMutablePointer<Registers> {
            switch world {
            case .normal: return normal
            case .partition(let id):
                guard let i = ids.firstIndex(of: id) else { return scratch }
                return unsafe partitions.baseAddress! + i
            }
        }
    }

    /// Writes and console output go to `inner`; the console is also kept for the `Outcome`.
    struct Capture<M: PhysicalMemory>: PhysicalMemory {
        var inner: M
        var console: [UInt8] = []
        mutating func write(_ bytes: [UInt8], at pa: UInt64) -> Bool { inner.write(bytes, at: pa) }
        mutating func write64(_ value: UInt64, at pa: UInt64) -> Bool { inner.write64(value, at: pa) }
        mutating func console(_ byte: UInt8) { console.append(byte); inner.console(byte) }
    }

    /// One SMC from `world` with `registers`; the answer is the registers of the world that
    /// runs next, as its saved context holds them.
    public mutating func handle<M: PhysicalMemory>(_ registers: Registers, from world: World,
                                                   memory: inout M) -> Outcome {
        var scratch = Registers()
        var answer = Registers()
        var capture = Capture(inner: memory)
        let ids = partitionIDs
        var loop = runLoop
        let action: MonitorAction = unsafe withUnsafeMutablePointer(to: &normal) { n in
            unsafe partitionBlocks.withUnsafeMutableBufferPointer { p in
                unsafe withUnsafeMutablePointer(to: &scratch) { s in
                    let blocks = unsafe Blocks(normal: n, partitions: p, ids: ids, scratch: s)
                    unsafe blocks.registers(of: world).pointee = registers
                    let a = loop.handle(from: world, blocks: blocks, memory: &capture)
                    if a == .returnToCaller { answer = unsafe blocks.registers(of: world).pointee }
                    return a
                }
            }
        }
        runLoop = loop
        memory = capture.inner
        let callerID: UInt16
        if case .partition(let id) = world { callerID = id } else { callerID = 0 }
        let next: Outcome.Action
        switch action {
        case .returnToCaller: next = .resume(world, answer)
        case .switchToNormal, .partitionAborted: next = .resume(.normal, normal)
        case .switchToPartition:
            let i = partitionIDs.firstIndex(of: runLoop.spmc.running) ?? 0
            next = .resume(.partition(runLoop.spmc.running), partitionBlocks[i])
        case .partitionInitialised: next = .partitionInitialised(id: callerID, succeeded: true)
        case .partitionFailed: next = .partitionInitialised(id: callerID, succeeded: false)
        case .systemOff: next = .systemOff
        case .systemReset: next = .systemReset
        }
        return Outcome(next, console: capture.console)
    }

    /// The image could not load or start partition `id` (see `SPMC.partitionFailedToStart`).
    public mutating func partitionFailedToStart(_ id: UInt16) {
        runLoop.partitionFailedToStart(id)
    }
}

/// What the monitor does after one call, as a value (the `Dispatcher`'s answer).
public struct Outcome: Equatable, Sendable {
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
    public static func resume(_ world: World, _ registers: Registers) -> Outcome {
        Outcome(.resume(world, registers))
    }
}
