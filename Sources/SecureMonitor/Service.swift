import ABI
import SPMC

/// A service of the monitor's run loop: it owns a set of SMC function IDs and answers them in
/// place, over the caller's saved registers (Rusted Firmware-A's `services.rs` has the shape).
public protocol Service {
    /// Whether the service owns `function` (a fast call with no reserved bit set, SVE hint clear).
    static func owns(_ function: FunctionID) -> Bool
}

/// A service that needs neither the other worlds' registers nor memory: SMCCC architecture
/// calls and PSCI. It writes its answer into `r` and returns the action.
public protocol SimpleService: Service {
    static func handle(_ r: inout Registers, from world: World) -> MonitorAction
}
