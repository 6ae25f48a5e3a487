import ABI

@_extern(c, "smccc_smc") func smccc_smc(_ regs: UnsafeMutableRawPointer)
@_extern(c, "smccc_hvc") func smccc_hvc(_ regs: UnsafeMutableRawPointer)

/// One SMCCC v1.2 call with `smc #0` (Startup/smccc.S): x0..x17 in and out.
@inline(__always)
public func smcCall(_ regs: Registers) -> Registers {
    var r = regs
    unsafe withUnsafeMutableBytes(of: &r) { unsafe smccc_smc($0.baseAddress!) }
    return r
}

/// One SMCCC v1.2 call with `hvc #0`.
@inline(__always)
public func hvcCall(_ regs: Registers) -> Registers {
    var r = regs
    unsafe withUnsafeMutableBytes(of: &r) { unsafe smccc_hvc($0.baseAddress!) }
    return r
}

/// One SMCCC v1.2 call with `smc #0`, its registers answered in place.
@inline(__always)
public func smcCall(inPlace r: inout Registers) {
    unsafe withUnsafeMutableBytes(of: &r) { unsafe smccc_smc($0.baseAddress!) }
}

/// One SMCCC v1.2 call with `hvc #0`, its registers answered in place.
@inline(__always)
public func hvcCall(inPlace r: inout Registers) {
    unsafe withUnsafeMutableBytes(of: &r) { unsafe smccc_hvc($0.baseAddress!) }
}
