import Hardware

/// The register frame the exception vectors push (Startup/exception_frame.inc).
public struct ExceptionFrame {
    public let base: UnsafeMutablePointer<UInt64>
    public init(_ base: UnsafeMutablePointer<UInt64>) { self.base = base }
    public func x(_ n: Int) -> UInt64 { unsafe base[n] }
    public func setX(_ n: Int, _ v: UInt64) { unsafe base[n] = v }
    public var elr: UInt64 { get { unsafe base[31] } nonmutating set { unsafe base[31] = newValue } }
    public var spsr: UInt64 { unsafe base[32] }
    public var esr: UInt64 { unsafe base[33] }
    public var far: UInt64 { unsafe base[34] }
    public var exceptionClass: UInt8 { UInt8((esr >> 26) & 0x3F) }
}

/// The architecture's name for an exception class (ESR_ELx.EC, Arm ARM D19.2).
public func exceptionClassName(_ ec: UInt8) -> StaticString {
    switch ec {
    case 0x00: return "unknown reason"
    case 0x01: return "trapped WFI/WFE"
    case 0x07: return "SVE/SIMD/FP access"
    case 0x0E: return "illegal execution state"
    case 0x15: return "SVC from AArch64"
    case 0x16: return "HVC from AArch64"
    case 0x17: return "SMC from AArch64"
    case 0x18: return "trapped MSR/MRS/system instruction"
    case 0x19: return "SVE access"
    case 0x20: return "instruction abort from a lower EL"
    case 0x21: return "instruction abort"
    case 0x22: return "PC alignment fault"
    case 0x24: return "data abort from a lower EL"
    case 0x25: return "data abort"
    case 0x26: return "SP alignment fault"
    case 0x2F: return "SError"
    case 0x3C: return "BRK instruction"
    default: return "reserved or unexpected class"
    }
}

/// Vector slot names: 4 origins x 4 kinds (Arm ARM D1.10.2).
func vectorName(_ kind: UInt64) -> StaticString {
    switch kind {
    case 0: return "sync, current EL, SP_EL0"
    case 1: return "IRQ, current EL, SP_EL0"
    case 4: return "sync, current EL"
    case 5: return "IRQ, current EL"
    case 6: return "FIQ, current EL"
    case 7: return "SError, current EL"
    case 8: return "sync, lower EL (AArch64)"
    case 9: return "IRQ, lower EL (AArch64)"
    case 11: return "SError, lower EL (AArch64)"
    default: return "other vector"
    }
}

/// Prints a decoded crash report for an unexpected exception and stops this core for good.
public func crash(_ frame: ExceptionFrame, kind: UInt64, el: Int) -> Never {
    reportException(frame, kind: kind, el: el)
    Console.line("*** system halted")
    halt()
}

/// Prints a decoded report of an unexpected exception (allocates nothing: the heap may be
/// what failed).
public func reportException(_ frame: ExceptionFrame, kind: UInt64, el: Int) {
    Console.write("\n*** unexpected exception at EL"); Console.dec(UInt64(el))
    Console.write(": "); Console.line(vectorName(kind))
    Console.write("    EC 0x"); Console.hex(UInt64(frame.exceptionClass), digits: 2)
    Console.write(" ("); Console.write(exceptionClassName(frame.exceptionClass)); Console.line(")")
    Console.write("    ESR "); Console.hex0x(frame.esr, digits: 8)
    Console.write("  ELR "); Console.hex0x(frame.elr, digits: 16)
    Console.write("  FAR "); Console.hex0x(frame.far, digits: 16); Console.put(10)
    Console.write("    SPSR "); Console.hex0x(frame.spsr, digits: 8)
    Console.write("  x0 "); Console.hex0x(frame.x(0)); Console.write("  x30 "); Console.hex0x(frame.x(30)); Console.put(10)
}

public func halt() -> Never {
    while true { hw_wfi_loop() }
}

@inline(__always) func hw_wfi_loop() {
    Hardware.hw_wfi()
}
