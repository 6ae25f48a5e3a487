import Hardware
import MM

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

extension Console {
    /// Writes the architecture's name for exception class `ec` (ESR_ELx.EC, Arm ARM D19.2).
    /// The classes a report names and their names are two literals, not a switch that returns a
    /// StaticString (about 16 B of code a case, in each image).
    @inline(never)
    public static func exceptionClassName(_ ec: UInt8) {
        writeListed(ec, among: "\u{00}\u{01}\u{07}\u{0E}\u{15}\u{16}\u{17}\u{18}\u{19}\u{20}\u{21}\u{22}\u{24}\u{25}\u{26}\u{2F}\u{3C}",
                    names: """
                        unknown reason\0trapped WFI/WFE\0SVE/SIMD/FP access\0illegal execution state\0\
                        SVC from AArch64\0HVC from AArch64\0SMC from AArch64\0trapped MSR/MRS/system instruction\0\
                        SVE access\0instruction abort from a lower EL\0instruction abort\0PC alignment fault\0\
                        data abort from a lower EL\0data abort\0SP alignment fault\0SError\0BRK instruction\0\
                        reserved or unexpected class
                        """)
    }

    /// Writes the name of vector slot `kind`: 4 origins x 4 kinds (Arm ARM D1.10.2).
    @inline(never)
    static func vectorName(_ kind: UInt64) {
        writeListed(kind < 16 ? UInt8(kind) : 0xFF, among: "\u{00}\u{01}\u{04}\u{05}\u{06}\u{07}\u{08}\u{09}\u{0B}",
                    names: """
                        sync, current EL, SP_EL0\0IRQ, current EL, SP_EL0\0sync, current EL\0IRQ, current EL\0\
                        FIQ, current EL\0SError, current EL\0sync, lower EL (AArch64)\0IRQ, lower EL (AArch64)\0\
                        SError, lower EL (AArch64)\0other vector
                        """)
    }

    /// Writes the name of `code`: `names` holds one name for each byte of `codes`, in order,
    /// then one for any other code, each ended by a NUL but the last. (For any set of names
    /// that a switch returning StaticStrings would give: the literals cost no code per name.)
    public static func writeListed(_ code: UInt8, among codes: StaticString, names: StaticString) {
        var skip = 0
        while skip < codes.utf8CodeUnitCount, unsafe codes.utf8Start[skip] != code { skip += 1 }
        for byte in NameList.span(names, skip) { put(byte) }
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
    Console.write(": "); Console.vectorName(kind); Console.put(10)
    Console.write("    EC 0x"); Console.hex(UInt64(frame.exceptionClass), digits: 2)
    Console.write(" ("); Console.exceptionClassName(frame.exceptionClass); Console.line(")")
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
