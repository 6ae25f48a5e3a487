import ABI

/// Who made a call, or who runs next: the normal world (NS-EL2/EL1) or a secure partition.
public enum World: Equatable, Sendable {
    case normal
    /// A secure partition, by FF-A endpoint ID (e.g. 0x8001 for the MM partition).
    case partition(UInt16)
}

/// What the monitor does after one call: the dispatcher's whole answer, as data.
public struct Outcome: Equatable, Sendable {
    public enum Action: Equatable, Sendable {
        /// `eret` into `world` with x0..x17 set to `registers` (x18..x30 and SP as they were).
        /// They are that world's own registers (the call it is stopped in) with only the answer's
        /// result registers written, as SMCCC v1.2 asks of a callee.
        case resume(World, Registers)
        /// The partition ended its initialisation (FFA_MSG_WAIT: succeeded; FFA_ERROR or
        /// FFA_ABORT: failed).
        /// The monitor continues booting: the next partition, then the normal world.
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
