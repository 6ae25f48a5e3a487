import Hardware

/// The PMU as the benchmarks use it, under QEMU `-icount shift=0` (one instruction = 1 ns):
/// - event counter 0 counts INST_RETIRED (0x08) in the normal world only (PMEVTYPER0: P, U,
///   NSK, NSU, NSH set; M clear);
/// - the cycle counter, which QEMU derives from the virtual clock and so counts instructions
///   too, counts whatever PMCCFILTR selects: everything, the secure world, EL3, or S-EL1.
/// QEMU 7.2 does not count event counters at S-EL1 on a CPU with EL2 (it applies MDCR_EL2.HPMN
/// as 0 where EL2 is disabled), so the secure side is measured with the cycle counter, one
/// filter per pass. MDCR_EL3.SPME, set by the monitor, enables secure event counting on
/// hardware; QEMU also needs HCR_EL2.RW set, or it ignores the M (EL3) filter bit.
///
/// hardware.h has no PMU accessors, so the few `mrs`/`msr` this needs are here as encoded
/// instructions in an executable section (each entry: the instruction, then `ret`), called
/// through C function pointers. Encodings: MRS/MSR with op0=3 op1=3 CRn=9/14 (Arm ARM).
@section(".text.bench_pmu")
nonisolated(unsafe) var benchPMUCode: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
                                       UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
                                       UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
    0xD53B_9C00, 0xD65F_03C0,   // 0: mrs x0, PMCR_EL0
    0xD51B_9C00, 0xD65F_03C0,   // 1: msr PMCR_EL0, x0
    0xD51B_9C20, 0xD65F_03C0,   // 2: msr PMCNTENSET_EL0, x0
    0xD51B_9C40, 0xD65F_03C0,   // 3: msr PMCNTENCLR_EL0, x0
    0xD51B_EC00, 0xD65F_03C0,   // 4: msr PMEVTYPER0_EL0, x0
    0xD51B_E800, 0xD65F_03C0,   // 5: msr PMEVCNTR0_EL0, x0
    0xD51B_EFE0, 0xD65F_03C0,   // 6: msr PMCCFILTR_EL0, x0
    0xD51B_9D00, 0xD65F_03C0,   // 7: msr PMCCNTR_EL0, x0
    0xD503_3FDF, 0xD65F_03C0,   // 8: isb
    0xD53B_E801,                // 9: snapshot(x0 = 2 slots): mrs x1, PMEVCNTR0_EL0
    0xD53B_9D02,                //    mrs x2, PMCCNTR_EL0
    0xA900_0801,                //    stp x1, x2, [x0]
    0xD65F_03C0)                //    ret

/// The two counters at one moment.
struct BenchReading {
    var normal: UInt64      // INST_RETIRED at NS-EL2/EL1/EL0
    var filtered: UInt64    // the cycle counter, through PMCCFILTR
}

enum BenchPMU {
    typealias Access = @convention(c) (UInt64) -> UInt64
    typealias Snapshot = @convention(c) (UnsafeMutablePointer<UInt64>) -> Void

    static func entry(_ i: Int) -> UnsafeMutableRawPointer {
        unsafe UnsafeMutableRawPointer(&benchPMUCode) + 8 * i
    }

    @discardableResult
    static func access(_ i: Int, _ value: UInt64 = 0) -> UInt64 {
        let f = unsafe unsafeBitCast(entry(i), to: Access.self)
        return f(value)
    }

    /// PMEVTYPER/PMCCFILTR bits: P 31 (EL1), U 30 (EL0), NSK 29, NSU 28 (non-secure EL1/EL0
    /// counted when they differ from P/U), NSH 27 (non-secure EL2 counted), M 26 (EL3 counted
    /// when equal to P).
    static let P: UInt64 = 1 << 31, U: UInt64 = 1 << 30, NSK: UInt64 = 1 << 29, NSU: UInt64 = 1 << 28
    static let NSH: UInt64 = 1 << 27, M: UInt64 = 1 << 26
    static let instRetired: UInt64 = 0x08
    static let normalOnly = P | U | NSK | NSU | NSH

    /// The cycle-counter passes: everything, the secure world (EL3, S-EL1, S-EL0), EL3, S-EL1.
    static let passes: [UInt64] = [NSH, NSK | NSU, P | U | M, U | NSK | M]

    /// PMCR_EL0.N: how many event counters there are.
    static var counterCount: Int { Int((access(0) >> 11) & 0x1F) }

    nonisolated(unsafe) static var savedHCR: UInt64? = nil

    /// Counter 0 and the cycle counter on, from 0: PMCR.E, LC (64-bit cycle counter), LP (64-bit
    /// event counters with PMUv3p5), no divider. At EL2, HCR_EL2.RW for QEMU (see above).
    static func start(atEL2: Bool) {
        if atEL2 {
            let hcr = hw_read_hcr_el2()
            savedHCR = hcr
            hw_write_hcr_el2(hcr | 1 << 31)
            hw_isb()
        }
        access(3, 1 << 31 | 1)
        access(4, normalOnly | instRetired)
        access(5, 0)
        access(6, passes[0])
        access(7, 0)
        access(1, (access(0) & ~(1 << 3)) | 1 << 0 | 1 << 6 | 1 << 7)
        access(2, 1 << 31 | 1)
        access(8)
    }

    /// Counters off, HCR_EL2 as it was.
    static func stop() {
        access(3, 1 << 31 | 1)
        if let hcr = savedHCR { hw_write_hcr_el2(hcr); hw_isb(); savedHCR = nil }
    }

    static func filterCycles(_ bits: UInt64) {
        access(6, bits)
        access(8)
    }

    static func read() -> BenchReading {
        var slots: (UInt64, UInt64) = (0, 0)
        unsafe withUnsafeMutablePointer(to: &slots) { p in
            let f = unsafe unsafeBitCast(entry(9), to: Snapshot.self)
            unsafe p.withMemoryRebound(to: UInt64.self, capacity: 2) { unsafe f($0) }
        }
        return BenchReading(normal: slots.0, filtered: slots.1)
    }
}
