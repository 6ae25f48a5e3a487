import ABI
import Hardware

/// A world's state saved at EL3, laid out by world_context.h (shared with the assembly).
struct WorldContext {
    let base: UnsafeMutableRawPointer

    func get(_ offset: Int32) -> UInt64 { unsafe base.load(fromByteOffset: Int(offset), as: UInt64.self) }
    func set(_ offset: Int32, _ v: UInt64) { unsafe base.storeBytes(of: v, toByteOffset: Int(offset), as: UInt64.self) }

    /// x0..x17 (CTX_X0 = 0), the SMCCC v1.2 register block, in place.
    var registerBlock: UnsafeMutablePointer<Registers> {
        @inline(__always) get { unsafe base.assumingMemoryBound(to: Registers.self) }
    }

    var elr: UInt64 { get { get(CTX_ELR_EL3) } nonmutating set { set(CTX_ELR_EL3, newValue) } }
    var spsr: UInt64 { get { get(CTX_SPSR_EL3) } nonmutating set { set(CTX_SPSR_EL3, newValue) } }
    var scr: UInt64 { get { get(CTX_SCR_EL3) } nonmutating set { set(CTX_SCR_EL3, newValue) } }
    var sctlrEL1: UInt64 { get { get(CTX_SCTLR_EL1) } nonmutating set { set(CTX_SCTLR_EL1, newValue) } }
}

/// The two contexts, in .bss: their addresses are link-time constants, so the trap path reads
/// no lazily initialised global.
@_extern(c, "monitor_normal_context") nonisolated(unsafe) var monitor_normal_context: UInt64
@_extern(c, "monitor_partition_context") nonisolated(unsafe) var monitor_partition_context: UInt64

var normalContext: WorldContext {
    @inline(__always) get { WorldContext(base: unsafe UnsafeMutableRawPointer(&monitor_normal_context)) }
}
var partitionContext: WorldContext {
    @inline(__always) get { WorldContext(base: unsafe UnsafeMutableRawPointer(&monitor_partition_context)) }
}

/// Restores a world's whole context, EL1 registers included, and erets into it; never returns.
@_extern(c, "monitor_enter_world")
func monitor_enter_world(_ context: UnsafeMutableRawPointer)
