import EL3
import Hardware

/// EL3 controls derived from the CPU's ID registers, so a normal-world OS finds nothing
/// trapped that this CPU implements (as TF-A's ENABLE_SVE_FOR_NS / ENABLE_SME_FOR_NS do).
enum CPUFeatures {
    static func field(_ reg: UInt64, _ shift: UInt64) -> UInt64 { (reg >> shift) & 0xF }

    static var hasSVE: Bool { field(hw_read_id_aa64pfr0(), 32) != 0 }
    static var hasSME: Bool { field(hw_read_id_aa64pfr1(), 24) != 0 }
    static var hasEL2: Bool { field(hw_read_id_aa64pfr0(), 8) != 0 }

    /// The ID registers that EL3/SecureConfiguration.swift turns into SCR_EL3 bits.
    static var ids: IDRegisters {
        var id = IDRegisters()
        id.pfr0 = hw_read_id_aa64pfr0(); id.pfr1 = hw_read_id_aa64pfr1(); id.pfr2 = hw_read_id_aa64pfr2()
        id.mmfr0 = hw_read_id_aa64mmfr0(); id.mmfr1 = hw_read_id_aa64mmfr1()
        id.mmfr2 = hw_read_id_aa64mmfr2(); id.mmfr3 = hw_read_id_aa64mmfr3()
        id.isar0 = hw_read_id_aa64isar0(); id.isar1 = hw_read_id_aa64isar1()
        return id
    }

    /// SCR_EL3 for a world: RW, SIF, EA and every feature enable the CPU reports.
    static func scr(nonSecure: Bool) -> UInt64 {
        proofTrapped(SecureConfiguration.scr(ids, nonSecure: nonSecure))
    }

#if PROOF_EL3_TRAP_SCXTNUM
    /// Proof build only (build/proof/monitor-trap.elf, qemu/proof_tests.py): SCXTNUM_ELx stays
    /// trapped so a normal-world read takes the monitor's unserved-trap path on QEMU's `-cpu max`.
    static func proofTrapped(_ scr: UInt64) -> UInt64 { proofTrapSCXTNUM(scr) }
#else
    static func proofTrapped(_ scr: UInt64) -> UInt64 { scr }
#endif

    /// The features that shape the PSTATE of an exception the monitor injects.
    static var injectionFeatures: ExceptionInjection.Features {
        let id = ids
        return ExceptionInjection.Features(pfr0: id.pfr0, pfr1: id.pfr1, mmfr1: id.mmfr1, mmfr2: id.mmfr2)
    }

    /// CPTR_EL3 without SVE/SME traps where the CPU has them, and the widest vector lengths.
    @inline(never)   // a `make bench` boot mark (qemu/bench.py)
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

    /// MDCR_EL3 in TF-A's secure default (EL3/DebugConfiguration.swift): no secure debug, no
    /// counting of secure-world events, nothing an OS touches trapped.
    static func configureCounting() {
#if PROOF_BENCH_SPME
        proofBenchCountsSecureWorld()
#else
        writeMDCR(secureCounting: false)
#endif
    }

    static func writeMDCR(secureCounting: Bool) {
        hw_write_mdcr_el3(DebugConfiguration.mdcr(dfr0: hw_read_id_aa64dfr0(), pfr0: hw_read_id_aa64pfr0(),
                                                  secureCounting: secureCounting))
        hw_isb()
    }
}

// Out of line on purpose: these symbols name the proof variants, so tools/check_product.py can
// tell a proof monitor from the product by its symbols (and show that its check is not vacuous).
#if PROOF_BENCH_SPME
/// Bench build only (build/proof/monitor-bench.elf, `make bench`): SPME set, SCCD and MCCD
/// clear, so the normal world's `bench` can count the secure side of a call. Never a product.
@inline(never) func proofBenchCountsSecureWorld() { CPUFeatures.writeMDCR(secureCounting: true) }
#endif
#if PROOF_EL3_TRAP_SCXTNUM
@inline(never) func proofTrapSCXTNUM(_ scr: UInt64) -> UInt64 { scr & ~SecureConfiguration.enSCXT }
#endif
