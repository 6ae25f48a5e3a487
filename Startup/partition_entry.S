// MM secure partition entry at S-EL1 (its secure SRAM base, board.h; MMU off), entered by our
// monitor with x0 = 0 or by an FF-A SPMC with x0 = the boot information (manifest
// gp-register-num = 0): x0 is kept for partition_main.
#include "exception_frame.inc"

#include "board.h"

// The flat binary holds the vectors, .rodata and .data right behind .text (Linker/partition.ld); whoever
// loaded it (our monitor, TF-A) put it at our base. Moves \size bytes (a multiple of 16) from
// \lma up to \vma (>= \lma), last bytes first, then cleans and invalidates the destination's
// lines, so that no line the loader left in the cache hides what was moved with the MMU off.
.macro MOVE_UP lma, vma, size
    ldr     x1, =\lma
    ldr     x2, =\vma
    ldr     x3, =\size
    cbz     x3, .Lmoved\@
    mov     x0, x2
    add     x1, x1, x3
    add     x2, x2, x3
.Lmove\@:
    ldp     x4, x5, [x1, #-16]!
    stp     x4, x5, [x2, #-16]!
    subs    x3, x3, #16
    b.gt    .Lmove\@
    ldr     x1, =\size
    bl      dcache_clean_invalidate_range_poc   // x0 = \vma, x1 = \size; uses x0..x7 only
.Lmoved\@:
.endm

    .section .text.boot, "ax"
    .global _start
_start:                                 // image header, 24 bytes: the monitor reads it in flash
    b       partition_start             // entry at offset 0 is a branch
    .word   0
    .quad   BOARD_PARTITION_MAGIC
    .quad   __image_size                // bytes of the flat binary, the loader's copy (partition.ld)
partition_start:
    mov     x20, x0                     // the boot information, for partition_main
    mrs     x1, sctlr_el1               // A: alignment checked until the MMU is on (as on
    orr     x1, x1, #2                  // silicon, where all is Device with the MMU off);
    msr     sctlr_el1, x1               // MMUControl.enable clears it
    isb
    MOVE_UP __data_load, __data_start, __data_size        // .data first: it lies above .rodata
    MOVE_UP __rodata_load, __rodata_start, __rodata_size
    MOVE_UP __vectors_load, __vectors_start, __vectors_size
    ic      iallu                       // the vectors are code: no stale instruction line
    dsb     nsh                         // (the isb after VBAR_EL1 below completes it)
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
2:  mov     x0, x20
    bl      partition_main              // Swift; loops on FF-A messages, never returns
3:  wfi
    b       3b

    VECTOR_TABLE partition_vectors, 1, partition_exception
