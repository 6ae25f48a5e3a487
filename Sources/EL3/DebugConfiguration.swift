/// MDCR_EL3 (Arm ARM D23.2.x), written whole at boot: its reset value is architecturally UNKNOWN,
/// so nothing is read back and modified. The secure default follows TF-A's EL3 set-up:
/// - SDD (16) set: no debug exceptions in the secure world; SPD32 (15:14) = 0b10 where EL1 has
///   AArch32: secure privileged debug disabled there too;
/// - SPME (17) clear, SCCD (23) and MCCD (34) set where the PMU has them (PMUv3p5, PMUv3p7): the
///   PMU's event and cycle counters stop in the secure world and at EL3, so normal-world code
///   cannot count secure-world events (a side channel);
/// - TPM (6), TDA (9), TDOSA (10), TTRF (19) clear: the PMU, debug, OS lock and trace-filter
///   registers an OS touches are not trapped to EL3; where the CPU has SPE, TRBE or BRBE, the
///   normal world owns them (NSPB = 0b11, NSTB = 0b11, SBRBE = 0b01: usable in the normal
///   world, prohibited in the secure one), as TF-A's *_FOR_NS options do.
/// `secureCounting` is for the benchmark build only (`-D PROOF_BENCH_SPME`): SPME set and SCCD,
/// MCCD clear, so the normal world's `bench` can count the secure side of a call.
public enum DebugConfiguration {
    public static let tpm: UInt64 = 1 << 6
    public static let tda: UInt64 = 1 << 9
    public static let tdosa: UInt64 = 1 << 10
    public static let nspbNonSecure: UInt64 = 0b11 << 12
    public static let spd32Disabled: UInt64 = 0b10 << 14
    public static let sdd: UInt64 = 1 << 16
    public static let spme: UInt64 = 1 << 17
    public static let ttrf: UInt64 = 1 << 19
    public static let sccd: UInt64 = 1 << 23
    public static let nstbNonSecure: UInt64 = 0b11 << 24
    public static let sbrbeNonSecure: UInt64 = 0b01 << 32
    public static let mccd: UInt64 = 1 << 34

    /// `dfr0` is ID_AA64DFR0_EL1, `pfr0` ID_AA64PFR0_EL1.
    public static func mdcr(dfr0: UInt64, pfr0: UInt64, secureCounting: Bool = false) -> UInt64 {
        var v = sdd
        if IDRegisters.field(pfr0, 4) == 2 { v |= spd32Disabled }           // EL1: AArch64 and AArch32
        let pmu = IDRegisters.field(dfr0, 8)                                  // PMUVer; 0xF: IMPLEMENTATION DEFINED
        let pmuAtLeast = { (version: UInt64) in pmu != 0xF && pmu >= version }
        if secureCounting {
            v |= spme
        } else {
            if pmuAtLeast(6) { v |= sccd }                                    // FEAT_PMUv3p5
            if pmuAtLeast(7) { v |= mccd }                                    // FEAT_PMUv3p7
        }
        if IDRegisters.field(dfr0, 32) != 0 { v |= nspbNonSecure }            // PMSVer: SPE
        if IDRegisters.field(dfr0, 44) != 0 { v |= nstbNonSecure }            // TraceBuffer: TRBE
        if IDRegisters.field(dfr0, 52) != 0 { v |= sbrbeNonSecure }                 // BRBE
        return v
    }
}
