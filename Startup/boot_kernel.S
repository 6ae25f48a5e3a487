// Hands the CPU to an arm64 Linux Image (Documentation/arch/arm64/booting.rst): interrupts
// masked, data cache cleaned to the point of coherency, MMU and data cache off, then a jump
// to the Image with x0 = DTB and x1-x3 = 0 at the current EL (EL2, or EL1 without EL2).
//
//   void boot_enter_kernel(uint64_t entry, uint64_t dtb);   // does not return
//
// After the set/way walk this code touches no memory (no stack, no loads of data), so no
// line can become dirty between the clean and turning the cache off.

#define SCTLR_M     (1 << 0)
#define SCTLR_C     (1 << 2)

    .section .text.boot_enter_kernel, "ax"
    .global boot_enter_kernel
    .p2align 2
boot_enter_kernel:
    msr     daifset, #0xf               // D, A, I, F masked
    mov     x19, x0                     // entry (callee-saved: the walk keeps x19-x29)
    mov     x20, x1                     // DTB
    bl      dcache_clean_invalidate_all // to PoC, every level up to LoC; no memory access
    mov     x3, #(SCTLR_M | SCTLR_C)
    mrs     x21, CurrentEL
    cmp     x21, #(2 << 2)
    b.ne    1f
    mrs     x2, sctlr_el2               // EL2: stage 1 of the EL2 regime off
    bic     x2, x2, x3
    msr     sctlr_el2, x2
    isb
    tlbi    alle2
    b       2f
1:  mrs     x2, sctlr_el1               // EL1
    bic     x2, x2, x3
    msr     sctlr_el1, x2
    isb
    tlbi    vmalle1
2:  ic      iallu                       // the moved Image may sit where other code was
    dsb     sy
    isb
    mov     x0, x20
    mov     x1, xzr
    mov     x2, xzr
    mov     x3, xzr
    br      x19
