// The only place Swift touches the CPU directly: system registers, barriers, MMIO and the
// instructions that leave the current exception level. Every helper is a one-liner.
#pragma once
#include <stdint.h>

#if defined(__aarch64__) && !defined(__linux__) && !defined(__APPLE__)

#define HW_INLINE static inline __attribute__((always_inline))
#define HW_SYSREG_READ(name, reg) \
    HW_INLINE uint64_t hw_read_##name(void) { uint64_t v; __asm__ volatile("mrs %0, " #reg : "=r"(v)); return v; }
#define HW_SYSREG_WRITE(name, reg) \
    HW_INLINE void hw_write_##name(uint64_t v) { __asm__ volatile("msr " #reg ", %0" :: "r"(v) : "memory"); }
#define HW_SYSREG(name, reg) HW_SYSREG_READ(name, reg) HW_SYSREG_WRITE(name, reg)

HW_SYSREG_READ(current_el, CurrentEL)
HW_SYSREG_READ(id_aa64pfr0, ID_AA64PFR0_EL1)
HW_SYSREG_READ(id_aa64pfr1, ID_AA64PFR1_EL1)
HW_SYSREG_READ(id_aa64mmfr0, ID_AA64MMFR0_EL1)
HW_SYSREG_READ(id_aa64mmfr1, ID_AA64MMFR1_EL1)
HW_SYSREG_READ(id_aa64mmfr2, s3_0_c0_c7_2)
HW_SYSREG_READ(id_aa64isar0, ID_AA64ISAR0_EL1)
HW_SYSREG_READ(id_aa64isar1, ID_AA64ISAR1_EL1)
HW_SYSREG_READ(id_aa64pfr2, s3_0_c0_c4_2)
HW_SYSREG_READ(id_aa64mmfr3, s3_0_c0_c7_3)
HW_SYSREG_READ(id_aa64dfr0, ID_AA64DFR0_EL1)
HW_SYSREG_READ(midr, MIDR_EL1)
HW_SYSREG_READ(mpidr, MPIDR_EL1)
HW_SYSREG_READ(clidr, CLIDR_EL1)
HW_SYSREG_READ(ccsidr, CCSIDR_EL1)
HW_SYSREG(csselr, CSSELR_EL1)
HW_SYSREG_READ(ctr, CTR_EL0)
HW_SYSREG_READ(cntpct, CNTPCT_EL0)
HW_SYSREG_READ(cntfrq, CNTFRQ_EL0)

// EL1 translation regime.
HW_SYSREG(sctlr_el1, SCTLR_EL1)
HW_SYSREG(tcr_el1, TCR_EL1)
HW_SYSREG(mair_el1, MAIR_EL1)
HW_SYSREG(ttbr0_el1, TTBR0_EL1)
HW_SYSREG(vbar_el1, VBAR_EL1)
HW_SYSREG(cpacr_el1, CPACR_EL1)
HW_SYSREG(esr_el1, ESR_EL1)
HW_SYSREG(far_el1, FAR_EL1)
HW_SYSREG(elr_el1, ELR_EL1)
HW_SYSREG(spsr_el1, SPSR_EL1)
HW_SYSREG_READ(gcscr_el1, s3_0_c2_c5_0)

// EL2 translation regime and controls.
HW_SYSREG(sctlr_el2, SCTLR_EL2)
HW_SYSREG(tcr_el2, TCR_EL2)
HW_SYSREG(mair_el2, MAIR_EL2)
HW_SYSREG(ttbr0_el2, TTBR0_EL2)
HW_SYSREG(vbar_el2, VBAR_EL2)
HW_SYSREG(hcr_el2, HCR_EL2)
HW_SYSREG(cptr_el2, CPTR_EL2)
HW_SYSREG(esr_el2, ESR_EL2)
HW_SYSREG(far_el2, FAR_EL2)
HW_SYSREG(elr_el2, ELR_EL2)
HW_SYSREG(spsr_el2, SPSR_EL2)
HW_SYSREG_READ(gcscr_el2, s3_4_c2_c5_0)

// EL3.
HW_SYSREG(sctlr_el3, SCTLR_EL3)
HW_SYSREG(tcr_el3, TCR_EL3)
HW_SYSREG(mair_el3, MAIR_EL3)
HW_SYSREG(ttbr0_el3, TTBR0_EL3)
HW_SYSREG(scr_el3, SCR_EL3)
HW_SYSREG(cptr_el3, CPTR_EL3)
HW_SYSREG(mdcr_el3, MDCR_EL3)
HW_SYSREG(zcr_el3, s3_6_c1_c2_0)
HW_SYSREG(smcr_el3, s3_6_c1_c2_6)
HW_SYSREG_READ(esr_el3, ESR_EL3)
HW_SYSREG_READ(far_el3, FAR_EL3)
HW_SYSREG(elr_el3, ELR_EL3)
HW_SYSREG(spsr_el3, SPSR_EL3)

// GICv3 CPU interface (system-register view).
HW_SYSREG(icc_sre_el3, s3_6_c12_c12_5)
HW_SYSREG(icc_sre_el2, s3_4_c12_c9_5)
HW_SYSREG(icc_sre_el1, s3_0_c12_c12_5)
HW_SYSREG(icc_pmr_el1, s3_0_c4_c6_0)
HW_SYSREG(icc_igrpen1_el1, s3_0_c12_c12_7)
HW_SYSREG_READ(icc_iar1_el1, s3_0_c12_c12_0)
HW_SYSREG_WRITE(icc_eoir1_el1, s3_0_c12_c12_1)
HW_SYSREG_READ(icc_hppir1_el1, s3_0_c12_c12_2)

// Generic timer: EL1 physical timer (PPI 30) and EL2 hypervisor timer (PPI 26).
HW_SYSREG(cntp_tval_el0, CNTP_TVAL_EL0)
HW_SYSREG(cntp_ctl_el0, CNTP_CTL_EL0)
HW_SYSREG(cnthp_tval_el2, CNTHP_TVAL_EL2)
HW_SYSREG(cnthp_ctl_el2, CNTHP_CTL_EL2)
HW_SYSREG_READ(isr_el1, ISR_EL1)
HW_INLINE void hw_irq_unmask(void) { __asm__ volatile("msr daifclr, #2" ::: "memory"); }
HW_INLINE void hw_irq_mask(void) { __asm__ volatile("msr daifset, #2" ::: "memory"); }
HW_SYSREG(cntfrq_el0, CNTFRQ_EL0)

HW_INLINE void hw_dsb_sy(void) { __asm__ volatile("dsb sy" ::: "memory"); }
HW_INLINE void hw_dsb_ish(void) { __asm__ volatile("dsb ish" ::: "memory"); }
HW_INLINE void hw_isb(void) { __asm__ volatile("isb" ::: "memory"); }
HW_INLINE void hw_tlbi_all_el1(void) { __asm__ volatile("tlbi vmalle1\n dsb ish\n isb" ::: "memory"); }
HW_INLINE void hw_tlbi_all_el2(void) { __asm__ volatile("tlbi alle2\n dsb ish\n isb" ::: "memory"); }
HW_INLINE void hw_tlbi_all_el3(void) { __asm__ volatile("tlbi alle3\n dsb ish\n isb" ::: "memory"); }
// Moves a running EL1 or EL2 to the tables at `root` (same TCR and MAIR): the MMU goes off for
// the few instructions between, which make no data access, so no TLB entry of the old map can
// meet one of the new (no break-before-make needed between maps of different block sizes).
// `set`: SCTLR bits to set with the new map (WXN, which TLB entries may hold).
HW_INLINE void hw_ttbr0_replace_el1(uint64_t root, uint64_t set) {
    uint64_t s, t;
    __asm__ volatile("dsb sy\n mrs %0, sctlr_el1\n bic %1, %0, #1\n msr sctlr_el1, %1\n isb\n"
                     "msr ttbr0_el1, %2\n isb\n tlbi vmalle1\n dsb ish\n isb\n orr %0, %0, %3\n msr sctlr_el1, %0\n isb"
                     : "=&r"(s), "=&r"(t) : "r"(root), "r"(set) : "memory");
}
HW_INLINE void hw_ttbr0_replace_el2(uint64_t root, uint64_t set) {
    uint64_t s, t;
    __asm__ volatile("dsb sy\n mrs %0, sctlr_el2\n bic %1, %0, #1\n msr sctlr_el2, %1\n isb\n"
                     "msr ttbr0_el2, %2\n isb\n tlbi alle2\n dsb ish\n isb\n orr %0, %0, %3\n msr sctlr_el2, %0\n isb"
                     : "=&r"(s), "=&r"(t) : "r"(root), "r"(set) : "memory");
}
// Address translation probes: the result lands in PAR_EL1 (bit 0 F set when the access faults).
HW_SYSREG_READ(par_el1, PAR_EL1)
HW_INLINE void hw_at_s1e3w(uint64_t va) { __asm__ volatile("at s1e3w, %0\n isb" :: "r"(va) : "memory"); }
HW_INLINE void hw_at_s1e2w(uint64_t va) { __asm__ volatile("at s1e2w, %0\n isb" :: "r"(va) : "memory"); }
HW_INLINE void hw_at_s1e1w(uint64_t va) { __asm__ volatile("at s1e1w, %0\n isb" :: "r"(va) : "memory"); }
HW_INLINE void hw_ic_iallu(void) { __asm__ volatile("ic iallu\n dsb ish\n isb" ::: "memory"); }
HW_INLINE void hw_wfi(void) { __asm__ volatile("wfi"); }
HW_INLINE void hw_wfe(void) { __asm__ volatile("wfe"); }

HW_INLINE uint32_t hw_mmio_read32(uint64_t addr) { return *(volatile uint32_t *)addr; }
HW_INLINE void hw_mmio_write32(uint64_t addr, uint32_t v) { *(volatile uint32_t *)addr = v; }
HW_INLINE uint8_t hw_mmio_read8(uint64_t addr) { return *(volatile uint8_t *)addr; }
HW_INLINE void hw_mmio_write8(uint64_t addr, uint8_t v) { *(volatile uint8_t *)addr = v; }
HW_INLINE uint64_t hw_mmio_read64(uint64_t addr) { return *(volatile uint64_t *)addr; }
HW_INLINE void hw_mmio_write16(uint64_t addr, uint16_t v) { *(volatile uint16_t *)addr = v; }

// An empty instruction sequence the compiler must keep, with `v` in a register: a call of a
// function holding it survives link-time optimisation (the proof build's bench marks).
HW_INLINE void hw_keep(uint64_t v) { __asm__ volatile("" :: "r"(v) : "memory"); }

// CRC-32 (IEEE 802.3 polynomial, no inversion) steps: present when ID_AA64ISAR0_EL1.CRC32 != 0.
HW_INLINE uint32_t hw_crc32x(uint32_t crc, uint64_t v) { __asm__(".arch_extension crc\n crc32x %w0, %w0, %x1" : "+r"(crc) : "r"(v)); return crc; }
HW_INLINE uint32_t hw_crc32w(uint32_t crc, uint32_t v) { __asm__(".arch_extension crc\n crc32w %w0, %w0, %w1" : "+r"(crc) : "r"(v)); return crc; }
HW_INLINE uint32_t hw_crc32b(uint32_t crc, uint32_t v) { __asm__(".arch_extension crc\n crc32b %w0, %w0, %w1" : "+r"(crc) : "r"(v)); return crc; }

// Semihosting SYS_EXIT (0x18) with ADP_Stopped_ApplicationExit: QEMU -semihosting exits with `code`.
HW_INLINE void hw_semihosting_exit(uint64_t code) {
    uint64_t block[2] = { 0x20026, code };
    register uint64_t x0 __asm__("x0") = 0x18;
    register uint64_t x1 __asm__("x1") = (uint64_t)block;
    __asm__ volatile("hlt #0xf000" :: "r"(x0), "r"(x1) : "memory");
}

#endif
