// Normal-world entry: an arm64 Linux Image (header below), position-independent. Started at
// offset 0 as TF-A's BL33 (0x6000_0000 on our secure world), by QEMU `-kernel`, `booti` or
// GRUB, at EL2 or EL1 with the MMU off and x0 = DTB address (0 when the loader gave none).
// It may sit at any 4 KiB-aligned address: it applies its own R_AARCH64_RELATIVE relocations
// before any compiled code runs (docs/boards.md).
#include "exception_frame.inc"

// The file holds the sections back to back (Linker/normal.ld); a part's place is \start,
// \shift bytes above where the file has it. `move_up` moves its \size bytes (a multiple of 16)
// up. PC-relative and x1..x7 (and x30) only: nothing is relocated yet, and the only call is to
// move_up, in .text.boot, which never moves. The parts move last first, so that no move
// overwrites a part still to move.
.macro MOVE_UP start, shift, size
    adrp    x2, \start
    add     x2, x2, :lo12:\start
    ldr     x1, =\shift
    ldr     x3, =\size
    bl      move_up
.endm

// Zeroes from \at (16-byte aligned) to the next page boundary.
.macro ZERO_PAGE_TAIL at
    add     x7, \at, #0xfff
    and     x7, x7, #~0xfff
.Lzero\@:
    cmp     \at, x7
    b.hs    .Lzeroed\@
    stp     xzr, xzr, [\at], #16
    b       .Lzero\@
.Lzeroed\@:
.endm

    .section .text.boot, "ax"
    .global _start
_start:                                 // Image header (Linux booting.rst), 64 bytes
    b       primary_entry               // code0: entry at offset 0 is a branch
    .word   0                           // code1
    .quad   0x80000                     // text_offset: 512 KiB above a 2 MiB-aligned base
    .quad   __image_size                // image_size: to the end of the NOLOAD regions
    .quad   0xa                         // flags: little-endian, 4K pages, anywhere in RAM
    .quad   0, 0, 0                     // res2..res4
    .ascii  "ARM\x64"                  // magic
    .word   0                           // res5: no PE/COFF header

primary_entry:
    mov     x19, x0                     // keep the DTB pointer
    mrs     x20, CurrentEL
    lsr     x20, x20, #2                // x20 = current EL
    // SCTLR_ELx.A (alignment check) until the MMU is on (MMUControl.enable clears it): with the
    // MMU off all memory is Device, where silicon faults on an unaligned access whatever A
    // says; QEMU faults only with A set. So every boot in QEMU checks what runs before the
    // MMU, which is built with strict alignment (Makefile STRICT_ALIGN).
    cmp     x20, #2
    b.ne    1f
    mrs     x1, sctlr_el2
    orr     x1, x1, #2
    msr     sctlr_el2, x1
    b       2f
1:  mrs     x1, sctlr_el1
    orr     x1, x1, #2
    msr     sctlr_el1, x1
2:  isb
    MOVE_UP __data_start, __move_data_shift, __move_data_size
    MOVE_UP __rodata_start, __move_rodata_shift, __move_rodata_size
    MOVE_UP __rtcaller_start, __move_caller_shift, __move_caller_size
    MOVE_UP __efi_runtime_start, __move_rt_shift, __move_rt_size
    adrp    x2, __boot_text_end             // nothing to move: zero the rest of its page
    add     x2, x2, :lo12:__boot_text_end
    mov     x1, xzr
    mov     x3, xzr
    bl      move_up
    dsb     sy                          // the moved code: no stale instruction may be fetched
    ic      iallu
    dsb     sy
    isb
    // Self-relocation. Only PC-relative addressing until it is done: x21 = load delta.
    adrp    x1, __image_start
    add     x1, x1, :lo12:__image_start
    ldr     x2, =__link_base            // absolute: the linker resolves it, no relocation
    sub     x21, x1, x2
    // SHT_RELR (tools/check_pie.py: nothing else): an even entry is the link address of a
    // word to relocate; an odd one a bitmap whose bit i (1..63) is the word i-1 after the
    // last one done. Relocating a word adds the delta to its link-time value.
    adrp    x3, __relr_start
    add     x3, x3, :lo12:__relr_start
    adrp    x4, __relr_end
    add     x4, x4, :lo12:__relr_end
    mov     x9, xzr                     // x9: the next word's runtime address
1:  cmp     x3, x4
    b.hs    2f
    ldr     x5, [x3], #8
    tbnz    x5, #0, 3f
    add     x9, x5, x21                 // an address
    ldr     x6, [x9]
    add     x6, x6, x21
    str     x6, [x9], #8
    b       1b
3:  mov     x7, x9                      // a bitmap over the 63 words from x9
4:  lsr     x5, x5, #1
    cbz     x5, 5f
    tbz     x5, #0, 6f
    ldr     x6, [x7]
    add     x6, x6, x21
    str     x6, [x7]
6:  add     x7, x7, #8
    b       4b
5:  add     x9, x9, #(63 * 8)
    b       1b
2:  adrp    x1, __stack_top             // stack before any call
    add     x1, x1, :lo12:__stack_top
    mov     sp, x1
    cmp     x20, #2
    b.ne    1f
    mov     x1, #0x33ff                 // CPTR_EL2: RES1 bits, nothing trapped (TFP = 0)
    msr     cptr_el2, x1
    adr     x1, normal_vectors          // EL2 crash reports and the EL2 stub
    msr     vbar_el2, x1
1:  mov     x1, #(3 << 20)              // CPACR_EL1.FPEN: FP/SIMD not trapped at EL1/EL0
    msr     cpacr_el1, x1
    adr     x1, normal_vectors          // the same table: its tail reads CurrentEL
    msr     vbar_el1, x1
    isb
    adrp    x1, __bss_start             // zero .bss (16-byte aligned by the linker script)
    add     x1, x1, :lo12:__bss_start
    adrp    x2, __bss_end
    add     x2, x2, :lo12:__bss_end
2:  cmp     x1, x2
    b.hs    3f
    stp     xzr, xzr, [x1], #16
    b       2b
    // The writes above bypassed the caches (MMU off): drop any line a loader left for the
    // image, so that the cacheable map turned on later sees them.
3:  adrp    x0, __image_start
    add     x0, x0, :lo12:__image_start
    adrp    x1, __bss_end
    add     x1, x1, :lo12:__bss_end
    sub     x1, x1, x0
    bl      dcache_invalidate_range_poc
    mov     x0, x19
    mov     x1, x20
    bl      normal_main                 // Swift; does not return
4:  wfi
    b       4b

// x2: a part's place; x1: how far above the file's copy it is; x3: its size (a multiple of 16).
// Moves it up, last bytes first (the place is above the file's copy), then zeroes the rest of
// its last page, where the file had what the later moves took away. x1..x7 only.
move_up:
    sub     x1, x2, x1
    add     x1, x1, x3
    add     x2, x2, x3                  // x2: the end of the place
    mov     x4, x2
1:  cbz     x3, 2f
    ldp     x5, x6, [x1, #-16]!
    stp     x5, x6, [x4, #-16]!
    sub     x3, x3, #16
    b       1b
2:  ZERO_PAGE_TAIL x2
    ret

// Entry k: open the frame, push x0-x1, x1 = k (the handler's second argument).
.macro VECTOR_ENTRY k
    OPEN_FRAME
    mov     x1, #\k
.endm

// One vector table for EL1 and EL2 (VBAR_EL1 and VBAR_EL2 both point at it), not one each.
// Entry k opens the frame (exception_frame.inc's layout), saves x0-x1 and goes to the shared
// code with x1 = k; that code reads CurrentEL for the syndrome registers it saves and restores
// and for the handler it calls, normal_exception_el1 or _el2(frame, k), which returns to resume
// (after editing the frame) or never returns. The shared code sits in the first three entries'
// unused 112 bytes (each entry is 128 bytes apart): the table is 2 KiB less its padding, not two
// full tables. `.org` places each entry, and fails the build if a piece outgrows its room.
    .section .text.vectors.normal_vectors, "ax"
    .balign 2048
    .global normal_vectors
normal_vectors:
    .org    normal_vectors + 0 * 128
    VECTOR_ENTRY 0
normal_vectors_save:                    // x2-x30, then the syndrome of this EL
    SAVE_X2_X30
    mrs     x0, CurrentEL
    cmp     x0, #(2 << 2)
    b.ne    1f
    mrs     x2, elr_el2
    mrs     x3, spsr_el2
    mrs     x4, esr_el2
    mrs     x5, far_el2
    b       2f
1:  mrs     x2, elr_el1
    mrs     x3, spsr_el1
    mrs     x4, esr_el1
    mrs     x5, far_el1
    b       2f
    .org    normal_vectors + 1 * 128
    VECTOR_ENTRY 1
    b       normal_vectors_save
2:  stp     x2, x3, [sp, #FRAME_ELR]      // the flags still say which EL
    stp     x4, x5, [sp, #FRAME_ESR]
    mov     x0, sp
    b.ne    3f
    bl      normal_exception_el2
    b       4f
3:  bl      normal_exception_el1
4:  ldp     x2, x3, [sp, #FRAME_ELR]      // ELR and SPSR as the handler left them
    mrs     x0, CurrentEL
    cmp     x0, #(2 << 2)
    b.ne    5f
    msr     elr_el2, x2
    msr     spsr_el2, x3
    b       6f
5:  msr     elr_el1, x2
    msr     spsr_el1, x3
6:
    LOAD_X0_X19
    b       7f
    .org    normal_vectors + 2 * 128
    VECTOR_ENTRY 2
    b       normal_vectors_save
7:
    LOAD_X20_X30_ERET
    .irp    k, 3,4,5,6,7,8,9,10,11,12,13,14,15
    .org    normal_vectors + \k * 128
    VECTOR_ENTRY \k
    b       normal_vectors_save
    .endr

// Drop from EL2 to EL1h at normal_el1_main with sp = `stack` and x0 = `arg` (the HVC-conduit
// mode and the set/way trap test run the shell at EL1 under our own EL2 stub).
    .section .text.el2_to_el1, "ax"
    .global el2_enter_el1
el2_enter_el1:                          // x0 = stack, x1 = arg
    mrs     x2, sctlr_el1               // EL1 starts with its MMU off: alignment checked, as at entry
    orr     x2, x2, #2
    msr     sctlr_el1, x2
    adr     x2, normal_el1_main
    msr     elr_el2, x2
    msr     sp_el1, x0
    mov     x3, #0x3c5                  // SPSR: EL1h, DAIF masked
    msr     spsr_el2, x3
    mov     x0, x1
    isb
    eret
