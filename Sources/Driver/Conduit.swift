import ABI

/// The instruction that carries an SMCCC call to the world above (SMC to EL3, HVC to EL2).
///
/// A call is a value: x0..x17 in, x0..x17 out (SMCCC v1.2 §2.6). The images implement it over
/// a one-instruction trampoline; host tests use a recording fake.
public protocol Conduit {
    mutating func call(_ regs: Registers) -> Registers
    /// The same call with its answer written over `regs`: no register block is copied.
    mutating func call(inPlace regs: inout Registers)
}

extension Conduit {
    public mutating func call(inPlace regs: inout Registers) { regs = call(regs) }
}
