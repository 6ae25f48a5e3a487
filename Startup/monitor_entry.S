// EL3 monitor: reset entry from flash, the world switch, and the EL3 vectors.
#include "exception_frame.inc"
#include "world_context.h"

// Copies a section: \size bytes (a multiple of 16) from its load address \lma, at the same
// offset from _start in flash (x1), to its run-time address \vma; x6 = __image_start.
.macro COPY_SECTION lma, vma, size
    .ifc \lma, x6
    mov     x2, x1
    mov     x3, x6
    .else
    ldr     x2, =\lma
    sub     x2, x2, x6
    add     x2, x2, x1
    ldr     x3, =\vma
    .endif
    ldr     x4, =\size
    cbz     x4, .Lcopied\@
.Lcopy\@:
    ldp     x7, x8, [x2], #16
    stp     x7, x8, [x3], #16
    subs    x4, x4, #16
    b.gt    .Lcopy\@
.Lcopied\@:
.endm

    .section .text.boot, "ax"
    .global _start
_start:                                 // running from flash at 0, linked in secure SRAM
    mrs     x0, sctlr_el3               // A: alignment checked until the MMU is on (as on
    orr     x0, x0, #2                  // silicon, where all is Device with the MMU off);
    msr     sctlr_el3, x0               // MMUControl.enable clears it
    isb
    mrs     x0, mpidr_el1
    and     x0, x0, #0xffffff           // Aff2..Aff0
    cbz     x0, 2f
    // Secondary cores park (PSCI CPU_ON is not offered), in secure SRAM, not in flash: the MM
    // partition programs flash0, which then reads back status words, not these instructions
    // (an UNDEFINED one, taken to VBAR_EL3 = 0, would run whatever code lies at 0x200). Two
    // words, `wfe` and a branch back to it, written to the slot Linker/monitor.ld keeps.
    ldr     x1, =__park
    ldr     w2, =0xd503205f             // wfe
    ldr     w3, =0x17ffffff             // b    .-4
    stp     w2, w3, [x1]
    dsb     sy                          // the words in memory (caches are off), then no stale
    ic      iallu                       // line for the slot in this core's instruction cache
    dsb     sy                          // (an I-cache need not be clean at reset on silicon)
    isb
    br      x1
2:  adr     x1, _start                  // copy the image from flash into secure SRAM,
    ldr     x6, =__image_start          // so nothing runs from the flash we later program;
    COPY_SECTION x6, x6, __text_size    // each section from its place in the packed binary
    COPY_SECTION __vectors_load, __vectors_start, __vectors_size   // (Linker/monitor.ld)
    COPY_SECTION __rodata_load, __rodata_start, __rodata_size
    COPY_SECTION __data_load, __data_start, __data_size
    dsb     sy
    ic      iallu
    isb
    ldr     x1, =relocated
    br      x1
relocated:
    msr     cptr_el3, xzr               // FP/SIMD not trapped (the image is general-regs-only anyway)
    ldr     x1, =__stack_top
    mov     sp, x1
    ldr     x1, =__bss_start
    ldr     x2, =__bss_end
4:  cmp     x1, x2
    b.hs    5f
    stp     xzr, xzr, [x1], #16
    b       4b
5:  adr     x1, monitor_vectors
    msr     vbar_el3, x1
    msr     tpidr_el3, xzr              // no world entered yet
    isb
    bl      monitor_main                // Swift; enters the first world and never returns
6:  wfi
    b       6b

// Save and restore the EL1 system registers of a world (x\ctx = its context's EL1 area, or its
// kept group), two at a time through x5/x6; world_context.h says which are switched and which kept.
.macro EL1_PAIR op, ctx, a, b
    .ifc \op, save
    mrs     x5, \a
    mrs     x6, \b
    stp     x5, x6, [\ctx], #16
    .else
    ldp     x5, x6, [\ctx], #16
    msr     \a, x5
    msr     \b, x6
    .endif
.endm
.macro EL1_ONE op, ctx, a
    .ifc \op, save
    mrs     x5, \a
    str     x5, [\ctx], #8
    .else
    ldr     x5, [\ctx], #8
    msr     \a, x5
    .endif
.endm
// Switched on every world switch: what a world runs on, then (the normal world's only, and a
// first entry's) its exception state.
.macro EL1_SWITCHED op, ctx
    EL1_RUN \op, \ctx
    EL1_PAIR \op, \ctx, elr_el1, spsr_el1
    EL1_PAIR \op, \ctx, esr_el1, far_el1
.endm
.macro EL1_RUN op, ctx
    EL1_PAIR \op, \ctx, sctlr_el1, ttbr0_el1
    EL1_PAIR \op, \ctx, tcr_el1, mair_el1
    EL1_PAIR \op, \ctx, vbar_el1, sp_el1
    EL1_ONE  \op, \ctx, cpacr_el1
.endm
// Kept in the registers across world switches; loaded on a world's first entry.
.macro EL1_KEPT op, ctx
    EL1_PAIR \op, \ctx, ttbr1_el1, amair_el1
    EL1_PAIR \op, \ctx, tpidr_el1, tpidr_el0
    EL1_PAIR \op, \ctx, tpidrro_el0, contextidr_el1
    EL1_PAIR \op, \ctx, cntkctl_el1, par_el1
    EL1_PAIR \op, \ctx, afsr0_el1, afsr1_el1
    EL1_ONE  \op, \ctx, csselr_el1
.endm

// Leave EL3 into the world whose context is in x0: all of x0...x30 from the context.
.macro ENTER_WORLD_X0
    ldp     x1, x2, [x0, #CTX_SP_EL0]   // sp_el0, elr_el3
    msr     sp_el0, x1
    msr     elr_el3, x2
    ldp     x1, x2, [x0, #CTX_SPSR_EL3] // spsr_el3, scr_el3
    msr     spsr_el3, x1
    msr     scr_el3, x2                 // eret below is the context synchronisation
    ldp     x18, x19, [x0, #144]
    ldp     x20, x21, [x0, #160]
    ldp     x22, x23, [x0, #176]
    ldp     x24, x25, [x0, #192]
    ldp     x26, x27, [x0, #208]
    ldp     x28, x29, [x0, #224]
    RESTORE_X1_X17_X30_X0
.endm

// x1...x17 and x30 from the context in x0, then x0 itself, and eret. x18...x29 are either
// restored already or still the caller's (Swift preserves x19...x29).
.macro RESTORE_X1_X17_X30_X0
    ldp     x2, x3, [x0, #16]
    ldp     x4, x5, [x0, #32]
    ldp     x6, x7, [x0, #48]
    ldp     x8, x9, [x0, #64]
    ldp     x10, x11, [x0, #80]
    ldp     x12, x13, [x0, #96]
    ldp     x14, x15, [x0, #112]
    ldp     x16, x17, [x0, #128]
    ldr     x30, [x0, #240]
    ldp     x0, x1, [x0, #0]
    eret
.endm

// First entry into a world: x0 = its context; its EL1 registers come from the context.
    .section .text.monitor_enter_world, "ax"
    .global monitor_enter_world
monitor_enter_world:
    msr     tpidr_el3, x0
    add     x1, x0, #CTX_EL1_REGS
    EL1_SWITCHED restore, x1
    EL1_KEPT restore, x1
    ENTER_WORLD_X0

    .section .vectors.monitor, "ax"     // its own output section (Linker/monitor.ld)
    .balign 2048
monitor_vectors:
    .irp kind, 0,1,2,3,4,5,6,7
    .balign 128
    SAVE_FRAME 3
    mov     x0, sp
    mov     x1, #\kind
    b       monitor_crash_common
    .endr
    .balign 128                         // 0x400: synchronous exception from a lower EL (AArch64)
    b       lower_sync
    .irp kind, 9,10
    .balign 128
    SAVE_FRAME 3
    mov     x0, sp
    mov     x1, #\kind
    b       monitor_crash_common
    .endr
    .balign 128                         // 0x580: SError from a lower EL (SCR_EL3.EA routes it here)
    b       lower_serror
    .irp kind, 12,13,14,15
    .balign 128
    SAVE_FRAME 3
    mov     x0, sp
    mov     x1, #\kind
    b       monitor_crash_common
    .endr

// A lower EL's SError: Swift logs it, then the interrupted world resumes where it was.
lower_serror:
    SAVE_FRAME 3
    mov     x0, sp
    bl      monitor_lower_serror
    RESTORE_FRAME_ERET 3

monitor_crash_common:
    bl      monitor_crash               // Swift: prints the report, never returns
    b       .

// An SMC (or other trap) from the world in tpidr_el3. Only the registers Swift may clobber
// (x0...x18, x30) are saved before the call (ELR/SPSR_EL3 stay live: Swift takes no exception); a
// call answered to its caller restores them and erets. When the world changes, x19...x29 (still
// the caller's: Swift preserves them) and the switched EL1 registers are parked in the old
// context and the new world's are loaded. Swift returns the new context with bit 0 set for the
// normal world's first entry, which also loads its kept EL1 registers (world_context.h).
lower_sync:
    str     x0, [sp, #-16]!
    mrs     x0, tpidr_el3
    stp     x2, x3, [x0, #16]
    ldr     x2, [sp], #16
    stp     x2, x1, [x0, #0]
    stp     x4, x5, [x0, #32]
    stp     x6, x7, [x0, #48]
    stp     x8, x9, [x0, #64]
    stp     x10, x11, [x0, #80]
    stp     x12, x13, [x0, #96]
    stp     x14, x15, [x0, #112]
    stp     x16, x17, [x0, #128]
    str     x18, [x0, #144]
    str     x30, [x0, #240]
    bl      monitor_handle_trap         // Swift: x0 = context of the caller -> context to enter
    mrs     x1, tpidr_el3
    cmp     x0, x1
    b.ne    8f
    ldr     x18, [x0, #144]             // the same world: ELR/SPSR_EL3 are live (Swift may edit them)
    RESTORE_X1_X17_X30_X0
8:  stp     x19, x20, [x1, #152]        // the world changes: park the old one's callee-saved
    stp     x21, x22, [x1, #168]        // registers, sp_el0, ELR/SPSR_EL3 and switched EL1
    stp     x23, x24, [x1, #184]        // registers, load the new one's
    stp     x25, x26, [x1, #200]
    stp     x27, x28, [x1, #216]
    str     x29, [x1, #232]
    mrs     x2, sp_el0
    mrs     x3, elr_el3
    stp     x2, x3, [x1, #CTX_SP_EL0]
    mrs     x2, spsr_el3
    str     x2, [x1, #CTX_SPSR_EL3]
    add     x3, x1, #CTX_EL1_REGS
    tbz     x0, #CTX_PARTITION_BIT, 10f
    EL1_SWITCHED save, x3               // normal world -> partition: all of the normal world's,
    add     x3, x0, #CTX_EL1_REGS       // the partition's without the exception state
    EL1_RUN restore, x3
    b       11f
10: EL1_RUN save, x3                    // partition -> normal world: the partition's without the
    tbz     x0, #0, 9f                  // exception state, all of the normal world's
    bic     x0, x0, #1                  // first entry: its kept EL1 registers too
    add     x3, x0, #CTX_EL1_KEPT
    EL1_KEPT restore, x3
9:  add     x3, x0, #CTX_EL1_REGS
    EL1_SWITCHED restore, x3
11: msr     tpidr_el3, x0
    ENTER_WORLD_X0

// The saved state of the two worlds (world_context.h), zeroed with the rest of .bss.
// 512 bytes apart on a 1 KiB boundary: bit CTX_PARTITION_BIT of the address names the world.
    .section .bss.monitor_contexts, "aw", %nobits
    .if CTX_SIZE > (1 << CTX_PARTITION_BIT)
    .error "a world context is larger than the spacing of the contexts"
    .endif
    .balign 1 << (CTX_PARTITION_BIT + 1)
    .global monitor_normal_context, monitor_partition_context
monitor_normal_context:
    .space  1 << CTX_PARTITION_BIT
monitor_partition_context:
    .space  CTX_SIZE
