// MM secure partition entry at S-EL1 (its secure SRAM base, board.h; MMU off), entered by our
// monitor with x0 = 0 or by an FF-A SPMC with x0 = the boot information (manifest
// gp-register-num = 0): x0 is kept for partition_main.
#include "exception_frame.inc"

    .section .text.boot, "ax"
    .global _start
_start:
    ldr     x1, =__stack_top
    mov     sp, x1
    mov     x1, #(3 << 20)              // CPACR_EL1.FPEN: FP/SIMD not trapped
    msr     cpacr_el1, x1
    adr     x1, partition_vectors
    msr     vbar_el1, x1
    isb
    ldr     x1, =__bss_start
    ldr     x2, =__bss_end
1:  cmp     x1, x2
    b.hs    2f
    stp     xzr, xzr, [x1], #16
    b       1b
2:  bl      partition_main              // Swift; loops on FF-A messages, never returns
3:  wfi
    b       3b

    VECTOR_TABLE partition_vectors, 1, partition_exception
