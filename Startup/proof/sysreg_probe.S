// Proof-test probes (`sysregs`): one read of each system register, `mrs x0, <reg>; ret` per
// 8-byte slot, so the normal world's exception handler can skip an UNDEFINED read by
// stepping ELR over the mrs. The names, in the same order, are in TestSysregs.swift.
    .section .text.sysreg_probe, "ax"
    .global sysreg_probe
sysreg_probe:                           // x0 = index (< sysreg_probe_count): the value in x0
    adr     x1, 1f
    add     x1, x1, x0, lsl #3
    mov     x0, xzr
    br      x1
    .balign 8
1:
    mrs     x0, s3_3_c13_c0_7      // SCXTNUM_EL0
    ret
    mrs     x0, s3_0_c13_c0_7      // SCXTNUM_EL1
    ret
    mrs     x0, s3_4_c13_c0_7      // SCXTNUM_EL2
    ret
    mrs     x0, s3_0_c2_c1_0       // APIAKeyLo_EL1
    ret
    mrs     x0, s3_0_c2_c1_1       // APIAKeyHi_EL1
    ret
    mrs     x0, s3_0_c2_c1_2       // APIBKeyLo_EL1
    ret
    mrs     x0, s3_0_c2_c2_0       // APDAKeyLo_EL1
    ret
    mrs     x0, s3_0_c2_c2_2       // APDBKeyLo_EL1
    ret
    mrs     x0, s3_0_c2_c3_0       // APGAKeyLo_EL1
    ret
    mrs     x0, s3_4_c1_c2_0       // ZCR_EL2
    ret
    mrs     x0, s3_0_c1_c2_0       // ZCR_EL1
    ret
    mrs     x0, s3_4_c1_c2_6       // SMCR_EL2
    ret
    mrs     x0, s3_0_c1_c2_6       // SMCR_EL1
    ret
    mrs     x0, s3_3_c4_c2_2       // SVCR
    ret
    mrs     x0, s3_3_c13_c0_5      // TPIDR2_EL0
    ret
    mrs     x0, s3_4_c1_c2_2       // HCRX_EL2
    ret
    mrs     x0, s3_4_c1_c1_4       // HFGRTR_EL2
    ret
    mrs     x0, s3_4_c1_c1_5       // HFGWTR_EL2
    ret
    mrs     x0, s3_4_c3_c1_4       // HDFGRTR_EL2
    ret
    mrs     x0, s3_3_c2_c4_0       // RNDR
    ret
    mrs     x0, s3_3_c2_c4_1       // RNDRRS
    ret
    mrs     x0, pmcr_el0           // PMCR_EL0
    ret
    mrs     x0, pmccntr_el0        // PMCCNTR_EL0
    ret
    mrs     x0, pmuserenr_el0      // PMUSERENR_EL0
    ret
    mrs     x0, mdscr_el1          // MDSCR_EL1
    ret
    mrs     x0, dbgbvr0_el1        // DBGBVR0_EL1
    ret
    mrs     x0, dbgbcr0_el1        // DBGBCR0_EL1
    ret
    mrs     x0, dbgwvr0_el1        // DBGWVR0_EL1
    ret
    mrs     x0, oslsr_el1          // OSLSR_EL1
    ret
    mrs     x0, mdccsr_el0         // MDCCSR_EL0
    ret
    mrs     x0, mdcr_el2           // MDCR_EL2
    ret
    mrs     x0, s3_4_c12_c9_5      // ICC_SRE_EL2
    ret
    mrs     x0, s3_0_c12_c12_5     // ICC_SRE_EL1
    ret
    mrs     x0, s3_0_c4_c6_0       // ICC_PMR_EL1
    ret
    mrs     x0, s3_0_c12_c12_4     // ICC_CTLR_EL1
    ret
    mrs     x0, s3_0_c12_c12_7     // ICC_IGRPEN1_EL1
    ret
    mrs     x0, s3_0_c12_c12_2     // ICC_HPPIR1_EL1
    ret
    mrs     x0, s3_0_c12_c11_3     // ICC_RPR_EL1
    ret
    mrs     x0, s3_0_c12_c12_3     // ICC_BPR1_EL1
    ret
    mrs     x0, s3_4_c12_c11_0     // ICH_HCR_EL2
    ret
    mrs     x0, s3_4_c12_c11_1     // ICH_VTR_EL2
    ret
    mrs     x0, cnthctl_el2        // CNTHCTL_EL2
    ret
    mrs     x0, cntvoff_el2        // CNTVOFF_EL2
    ret
    mrs     x0, s3_4_c14_c0_6      // CNTPOFF_EL2
    ret
    mrs     x0, s3_0_c2_c0_3       // TCR2_EL1
    ret
    mrs     x0, s3_0_c10_c2_3      // PIR_EL1
    ret
    mrs     x0, s3_0_c10_c2_4      // POR_EL1
    ret
    mrs     x0, s3_0_c2_c5_0       // GCSCR_EL1
    ret
    mrs     x0, s3_0_c1_c0_3       // SCTLR2_EL1
    ret
    mrs     x0, s3_0_c10_c5_0      // MPAM1_EL1
    ret
    mrs     x0, s3_0_c1_c2_1       // TRFCR_EL1
    ret
    mrs     x0, s3_3_c13_c2_0      // AMCR_EL0
    ret
    mrs     x0, actlr_el1          // ACTLR_EL1
    ret
    mrs     x0, actlr_el2          // ACTLR_EL2
    ret
    mrs     x0, s3_0_c5_c3_0       // ERRIDR_EL1
    ret
    mrs     x0, s3_0_c12_c1_1      // DISR_EL1
    ret

    .section .rodata.sysreg_probe, "a"
    .balign 8
    .global sysreg_probe_count
sysreg_probe_count:
    .quad   56

// A 64-bit load from `x0` (a physical address the caller expects to fault).
    .section .text.probe_load, "ax"
    .global probe_load
probe_load:
    ldr     x0, [x0]
    ret
