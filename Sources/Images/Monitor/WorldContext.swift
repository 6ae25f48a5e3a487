import ABI
import Hardware

/// A world's state saved at EL3, laid out by world_context.h (shared with the assembly).
struct WorldContext {
    let base: UnsafeMutableRawPointer

    static func allocate() -> WorldContext {
        let p = UnsafeMutableRawPointer.allocate(byteCount: Int(CTX_SIZE), alignment: 16)
        for i in 0..<Int(CTX_SIZE) / 8 { unsafe p.storeBytes(of: UInt64(0), toByteOffset: i * 8, as: UInt64.self) }
        return WorldContext(base: p)
    }

    func get(_ offset: Int32) -> UInt64 { unsafe base.load(fromByteOffset: Int(offset), as: UInt64.self) }
    func set(_ offset: Int32, _ v: UInt64) { unsafe base.storeBytes(of: v, toByteOffset: Int(offset), as: UInt64.self) }

    /// x0..x17 as an SMCCC v1.2 register block.
    var registers: Registers {
        get {
            var r = Registers()
            for i in 0..<Registers.count { r[i] = get(Int32(i * 8)) }
            return r
        }
        nonmutating set {
            for i in 0..<Registers.count { set(Int32(i * 8), newValue[i]) }
        }
    }

    var elr: UInt64 { get { get(CTX_ELR_EL3) } nonmutating set { set(CTX_ELR_EL3, newValue) } }
    var spsr: UInt64 { get { get(CTX_SPSR_EL3) } nonmutating set { set(CTX_SPSR_EL3, newValue) } }
    var scr: UInt64 { get { get(CTX_SCR_EL3) } nonmutating set { set(CTX_SCR_EL3, newValue) } }
    var sctlrEL1: UInt64 { get { get(CTX_SCTLR_EL1) } nonmutating set { set(CTX_SCTLR_EL1, newValue) } }
}

/// Restores a world's whole context, EL1 registers included, and erets into it; never returns.
@_extern(c, "monitor_enter_world")
func monitor_enter_world(_ context: UnsafeMutableRawPointer)
