import Hardware

/// EL3 controls derived from the CPU's ID registers, so a normal-world OS finds nothing
/// trapped that this CPU implements (as TF-A's ENABLE_SVE_FOR_NS / ENABLE_SME_FOR_NS do).
enum CPUFeatures {
    static func field(_ reg: UInt64, _ shift: UInt64) -> UInt64 { (reg >> shift) & 0xF }

    static var hasSVE: Bool { field(hw_read_id_aa64pfr0(), 32) != 0 }
    static var hasSME: Bool { field(hw_read_id_aa64pfr1(), 24) != 0 }
    static var hasEL2: Bool { field(hw_read_id_aa64pfr0(), 8) != 0 }
    static var hasPointerAuth: Bool {
        let isar1 = hw_read_id_aa64isar1()
        return field(isar1, 4) | field(isar1, 8) | field(isar1, 24) | field(isar1, 28) != 0
    }

    /// SCR_EL3 for a world: RW (AArch64 below), RES1 bits 5:4, and the feature enables.
    static func scr(nonSecure: Bool) -> UInt64 {
        var scr: UInt64 = 1 << 10 | 0x30
        if nonSecure { scr |= 1 << 0 | 1 << 8 }                    // NS, HCE
        if hasPointerAuth { scr |= 1 << 16 | 1 << 17 }              // APK, API
        if field(hw_read_id_aa64mmfr0(), 56) != 0 { scr |= 1 << 27 } // FGTEn
        if field(hw_read_id_aa64mmfr1(), 40) != 0 { scr |= 1 << 38 } // HXEn
        if hasSME { scr |= 1 << 41 }                                // EnTP2
        if field(hw_read_id_aa64pfr1(), 8) >= 2 { scr |= 1 << 26 }  // ATA (MTE2)
        return scr
    }

    /// CPTR_EL3 without SVE/SME traps where the CPU has them, and the widest vector lengths.
    static func configureTraps() {
        var cptr: UInt64 = 0
        if hasSVE { cptr |= 1 << 8 }   // EZ
        if hasSME { cptr |= 1 << 12 }  // ESM
        hw_write_cptr_el3(cptr)
        hw_isb()
        if hasSVE { hw_write_zcr_el3(0xF) }
        if hasSME { hw_write_smcr_el3(0xF) }
        configureCounting()
    }

    /// MDCR_EL3 for the benchmarks (`bench`, qemu/bench.py): SPME (bit 17) lets the PMU count
    /// at S-EL1 and EL3, so the normal world can measure the secure side of a call; TPM (bit 6)
    /// clear leaves the PMU registers untrapped. A production build would clear SPME: secure
    /// event counts are a side channel into the secure world (TF-A leaves it clear).
    static func configureCounting() {
        var mdcr = hw_read_mdcr_el3()
        mdcr |= 1 << 17
        mdcr &= ~(1 << 6)
        hw_write_mdcr_el3(mdcr)
        hw_isb()
    }
}
