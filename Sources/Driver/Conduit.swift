import ABI

/// The instruction that carries an SMCCC call to the world above (SMC to EL3, HVC to EL2).
///
/// A call is a value: x0..x17 in, x0..x17 out (SMCCC v1.2 §2.6). The images implement it over
/// a one-instruction trampoline; host tests use a recording fake.
public protocol Conduit {
    mutating func call(_ regs: Registers) -> Registers
}
