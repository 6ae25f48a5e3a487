/// 32-bit MMIO to the GIC, as the set-up sequences see it: the monitor passes the hardware,
/// host tests a recording fake that models the few registers that change by themselves.
public protocol GICAccess {
    mutating func read32(_ address: UInt64) -> UInt32
    mutating func write32(_ address: UInt64, _ value: UInt32)
}

extension GICAccess {
    /// Writes `value` to every register of a per-interrupt bank at `bank` that covers interrupts
    /// [first, end), each interrupt taking `bits` bits (1 group, 2 configuration, 8 priority).
    @inline(never)   // one copy of the loop for the eight banks
    mutating func fill(bank: UInt64, bits: Int, from first: Int, to end: Int, _ value: UInt32) {
        let perRegister = 32 / bits
        for id in stride(from: first, to: end, by: perRegister) {
            write32(bank + UInt64(id / perRegister * 4), value)
        }
    }
}

/// Which GIC architecture the CPU is wired to.
public enum GICVersion: Equatable, Sendable {
    case v2
    case v3   // GICv4 included: the same programming model for what EL3 sets up
}

/// Why a set-up sequence stopped early.
public enum GICSetupError: Error, Equatable, Sendable {
    case noGIC                        // neither a system-register interface nor a GICv2 distributor
    case registerWriteTimeout         // GICD_CTLR.RWP never cleared
    case redistributorNotFound        // no GICR_TYPER.Affinity matches this CPU's MPIDR
    case redistributorStaysAsleep     // GICR_WAKER.ChildrenAsleep never cleared
}

/// The GIC's identification: ID_AA64PFR0_EL1.GIC (bits 27:24) says whether the CPU has the
/// GICv3 system-register interface; GICD_PIDR2.ArchRev (bits 7:4) names the distributor.
public enum GICDetect {
    /// Where GICD_PIDR2 is: 0xFFE8 in a GICv3/v4 distributor, 0xFE8 in a GICv2 one (whose
    /// 4 KiB frame may end there: the other offset can be a bus error).
    public static func pidr2Offset(pfr0: UInt64) -> UInt64 {
        hasSystemRegisterInterface(pfr0: pfr0) ? 0xFFE8 : 0xFE8
    }

    public static func hasSystemRegisterInterface(pfr0: UInt64) -> Bool { (pfr0 >> 24) & 0xF != 0 }

    /// The version, from ID_AA64PFR0_EL1 and the GICD_PIDR2 read at `pidr2Offset(pfr0:)`.
    public static func version(pfr0: UInt64, pidr2: UInt32) -> GICVersion? {
        let rev = (pidr2 >> 4) & 0xF
        if hasSystemRegisterInterface(pfr0: pfr0) { return rev == 3 || rev == 4 ? .v3 : nil }
        return rev == 1 || rev == 2 ? .v2 : nil
    }
}

/// What every group register gets: all ones makes an interrupt Group 1 Non-secure (with its
/// IGRPMODR bit 0); priority 0x80 is the highest a Non-secure interrupt can have, as TF-A's
/// default; level-sensitive configuration.
public enum GICDefaults {
    public static let allNonSecure: UInt32 = 0xFFFF_FFFF
    public static let priorities: UInt32 = 0x8080_8080
    public static let levelSensitive: UInt32 = 0
    /// Bounded waits: a GIC that never answers is reported, not waited on forever.
    public static let pollLimit = 1_000_000
}
