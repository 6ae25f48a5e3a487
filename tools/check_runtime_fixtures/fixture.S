// Fixture for `tools/check_runtime.py --self-test`: boot code, a closed runtime region, and
// boot-time code and data outside it. Each ESCAPE_* define adds one reference out of the region.

#define MM_BUFFER 0x40100000            // outside the image: data we are handed, not ours

    .section .text.boot, "ax", %progbits
    .global _start
    .type _start, %function
_start:
    bl      rt_entry                    // boot code may enter the region
    adrp    x0, boot_table
    add     x0, x0, :lo12:boot_table
    b       .
    .size _start, . - _start

    .section .text.efi_runtime.rt_entry, "ax", %progbits
    .global rt_entry
    .type rt_entry, %function
rt_entry:
    stp     x29, x30, [sp, #-16]!
    bl      rt_helper                   // calls and branches inside the region
    cbz     x0, 1f
    tbnz    x0, #3, 1f
    b.ne    1f
    adrp    x1, rt_table                // runtime data by adrp + add, adrp + ldr, adr, literal
    add     x1, x1, :lo12:rt_table
    adrp    x2, rt_state
    ldr     x2, [x2, :lo12:rt_state]
    adr     x3, rt_helper
    ldr     x4, =rt_table
    mov     x5, #0x09000000             // UART MMIO as a constant
    ldr     x6, =MM_BUFFER              // the shared buffer as a literal and by adrp
    adrp    x7, mm_buffer                // defined by fixture.ld
    add     x7, x7, :lo12:mm_buffer
    blr     x3                          // indirect: not resolvable, not flagged
#ifdef ESCAPE_CALL
    bl      boot_helper
#endif
#ifdef ESCAPE_BCOND
    b.eq    boot_helper
#endif
#ifdef ESCAPE_CBZ
    cbz     x1, boot_helper
#endif
#ifdef ESCAPE_TBNZ
    tbnz    x1, #0, boot_helper
#endif
#ifdef ESCAPE_ADRP_ADD
    adrp    x9, boot_table
    add     x9, x9, :lo12:boot_table
#endif
#ifdef ESCAPE_ADRP_LDR
    adrp    x10, boot_counter
    ldr     x10, [x10, :lo12:boot_counter]
#endif
#ifdef ESCAPE_ADR
    adr     x11, boot_helper
#endif
#ifdef ESCAPE_LITERAL
    ldr     x12, =boot_helper
#endif
1:  ldp     x29, x30, [sp], #16
#ifdef ESCAPE_TAIL
    b       boot_helper
#endif
    ret
    .ltorg
    .size rt_entry, . - rt_entry

    .section .text.efi_runtime.rt_helper, "ax", %progbits
    .type rt_helper, %function
rt_helper:
    mov     x0, #0
    ret
    .size rt_helper, . - rt_helper

    .section .rodata.efi_runtime, "a", %progbits
    .balign 8
    .type rt_table, %object
rt_table:
    .quad   rt_helper
    .word   0x94100000, 0x14100000      // data that decodes as "bl"/"b" 4 MiB away: not code
#ifdef ESCAPE_DATA
    .quad   boot_helper
#endif
    .size rt_table, . - rt_table

    .section .data.efi_runtime, "aw", %progbits
    .balign 8
    .type rt_state, %object
rt_state:
    .quad   MM_BUFFER
    .size rt_state, . - rt_state

    .section .text.boot_helper, "ax", %progbits
    .type boot_helper, %function
boot_helper:
    ret
    .size boot_helper, . - boot_helper

    .section .data.boot_table, "aw", %progbits
    .balign 8
    .type boot_table, %object
boot_table:
    .quad   1, 2
    .size boot_table, . - boot_table

    .section .bss.boot_counter, "aw", %nobits
    .balign 8
    .type boot_counter, %object
boot_counter:
    .zero   8
    .size boot_counter, . - boot_counter
