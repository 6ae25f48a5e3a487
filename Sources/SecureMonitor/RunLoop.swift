import ABI
import SPMC

/// The EL3 monitor's dispatch, free of hardware: the image saves the trapping world's registers
/// into its context and calls `handle`; the services answer in place, in that context or (for
/// a forwarded direct message) in the context of the world that runs next, and return a one-byte
/// action. Dispatch is by owning entity and function number (SMCCC v1.2 §2.5):
/// - Arm architecture calls (entity 0): `ArmArchitectureService`;
/// - standard secure service (entity 4): PSCI at 0x00...0x1F (`PSCIService`), FF-A at
///   0x60...0xFF, 32- and 64-bit (`FFAService`: the SPMC);
/// - everything else, yielding calls and IDs with bits 23:17 set: NOT_SUPPORTED (-1).
/// Bit 16 (the SVE live-state hint of SMCCC v1.3) is ignored.
///
/// Every answer is the registers of the world it goes to with only the result registers written
/// (SMCCC v1.2: x4...x17 are preserved unless they carry results; docs/smccc-registers.md).
public struct RunLoop: Sendable {
    public private(set) var spmc: SPMC

    public init(config: SPMCConfig) {
        spmc = SPMC(config: config)
    }

    /// One SMC from `world`, whose saved registers are `blocks.registers(of: world)`: the hot
    /// calls (`forward`), else every other one (`dispatch`).
    public mutating func handle<B: RegisterBlocks, M: PhysicalMemory>(
        from world: World, blocks: B, memory: inout M
    ) -> MonitorAction {
        if let action = forward(from: world, blocks: blocks) { return action }
        return dispatch(from: world, blocks: blocks, memory: &memory)
    }

    /// Issue 12's hot calls, answered or forwarded in place by code small enough to need no
    /// stack frame: a direct request or response that passes every check
    /// (`SPMC.forwardDirectMessage`), and the SMCCC architecture calls. nil for anything else,
    /// with nothing changed: `dispatch` then takes the call (and answers a refused message with
    /// its error).
    @inline(__always)
    public mutating func forward<B: RegisterBlocks>(from world: World, blocks: B) -> MonitorAction? {
        let r = blocks.registers(of: world)
        let function = unsafe r.pointee.function
        // The direct message first (the figure issue 12 counts), by world.
        switch world {
        case .normal:
            if let action = unsafe spmc.forwardDirectRequest(r, function: function, blocks: blocks) { return action }
        case .partition(let id):
            if let action = unsafe spmc.forwardDirectResponse(r, function: function, from: id, blocks: blocks) { return action }
        }
        if ArmArchitectureService.owns(FunctionID(function)) {
            return unsafe ArmArchitectureService.handle(&r.pointee, from: world)
        }
        return nil
    }

    /// Every call, by owner (see the type's comment); the image calls it when `forward` did not
    /// take the call.
    public mutating func dispatch<B: RegisterBlocks, M: PhysicalMemory>(
        from world: World, blocks: B, memory: inout M
    ) -> MonitorAction {
        let r = blocks.registers(of: world)
        let id = FunctionID(unsafe r.pointee.function)
        guard id.isFastCall, !id.hasReservedBitsSet else {
            unsafe Interface.encodeRefusal(.notSupported, into: &r.pointee)
            return .returnToCaller
        }
        // FF-A first: the architecture calls usually take `forward` (the owners are disjoint).
        if FFAService.owns(id) { return unsafe spmc.handle(&r.pointee, from: world, blocks: blocks, memory: &memory) }
        if PSCIService.owns(id) { return unsafe PSCIService.handle(&r.pointee, from: world) }
        if ArmArchitectureService.owns(id) { return unsafe ArmArchitectureService.handle(&r.pointee, from: world) }
        unsafe Interface.encodeRefusal(.notSupported, into: &r.pointee)
        return .returnToCaller
    }

    /// The image could not load or start partition `id` (see `SPMC.partitionFailedToStart`).
    public mutating func partitionFailedToStart(_ id: UInt16) {
        spmc.partitionFailedToStart(id)
    }
}

/// The FF-A SPMC as a service: function numbers 0x60...0xFF of the standard secure range.
public enum FFAService: Service {
    @inline(__always)
    public static func owns(_ function: FunctionID) -> Bool { FFAFunction.isFFA(function.raw) }
}
