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
/// The `mrs`/`msr` this needs are in Startup/proof/bench_pmu.S (proof build only).
@_extern(c, "bench_pmu_access") func bench_pmu_access(_ index: UInt64, _ value: UInt64) -> UInt64
@_extern(c, "bench_pmu_snapshot") func bench_pmu_snapshot(_ slots: UnsafeMutablePointer<UInt64>)

/// The two counters at one moment.
struct BenchReading {
    var normal: UInt64      // INST_RETIRED at NS-EL2/EL1/EL0
    var filtered: UInt64    // the cycle counter, through PMCCFILTR
}

enum BenchPMU {
    @discardableResult
    static func access(_ i: Int, _ value: UInt64 = 0) -> UInt64 { bench_pmu_access(UInt64(i), value) }

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
            unsafe p.withMemoryRebound(to: UInt64.self, capacity: 2) { unsafe bench_pmu_snapshot($0) }
        }
        return BenchReading(normal: slots.0, filtered: slots.1)
    }
}
