// Normal-world entry (BL33 at 0x6000_0000, or `-kernel normal.elf` on plain virt).
// Entered at EL2 or EL1 with x0 = DTB address (0 when the loader gave none).
#include "exception_frame.inc"

    .section .text.boot, "ax"
    .global _start
_start:
    mov     x19, x0                     // keep the DTB pointer
    mrs     x20, CurrentEL
    lsr     x20, x20, #2                // x20 = current EL
    ldr     x1, =__stack_top            // stack before any call
    mov     sp, x1
    cmp     x20, #2
    b.ne    1f
    mov     x1, #0x33ff                 // CPTR_EL2: RES1 bits, nothing trapped (TFP = 0)
    msr     cptr_el2, x1
    adr     x1, normal_vectors_el2      // EL2 crash reports
    msr     vbar_el2, x1
1:  mov     x1, #(3 << 20)              // CPACR_EL1.FPEN: FP/SIMD not trapped at EL1/EL0
    msr     cpacr_el1, x1
    adr     x1, normal_vectors_el1
    msr     vbar_el1, x1
    isb
    ldr     x1, =__bss_start            // zero .bss (16-byte aligned by the linker script)
    ldr     x2, =__bss_end
2:  cmp     x1, x2
    b.hs    3f
    stp     xzr, xzr, [x1], #16
    b       2b
3:  mov     x0, x19
    mov     x1, x20
    bl      normal_main                 // Swift; does not return
4:  wfi
    b       4b

    VECTOR_TABLE normal_vectors_el1, 1, normal_exception_el1
    VECTOR_TABLE normal_vectors_el2, 2, normal_exception_el2

// Drop from EL2 to EL1h at normal_el1_main with sp = `stack` and x0 = `arg` (the HVC-conduit
// mode and the set/way trap test run the shell at EL1 under our own EL2 stub).
    .section .text.el2_to_el1, "ax"
    .global el2_enter_el1
el2_enter_el1:                          // x0 = stack, x1 = arg
    adr     x2, normal_el1_main
    msr     elr_el2, x2
    msr     sp_el1, x0
    mov     x3, #0x3c5                  // SPSR: EL1h, DAIF masked
    msr     spsr_el2, x3
    mov     x0, x1
    isb
    eret

// A boot-time function (ordinary .text) that `exitbs probe` calls after ExitBootServices:
// with only the runtime region executable, the call must fault.
    .section .text.boot_code_probe, "ax"
    .global boot_code_probe
boot_code_probe:
    ret
