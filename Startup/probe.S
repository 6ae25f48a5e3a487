// A 32-bit read of an address a user typed (`md`), which may find no memory or device there.
// Only this one load may fault without stopping the machine: the normal world's exception
// handler asks probe_fixup where to resume a data abort, and it names probe_read32's fault
// exit for this load's address alone (an exception table of one entry, PC-relative: no
// relocation in the position-independent image).

    .section .text.probe_read32, "ax"
    .global probe_read32
    .type probe_read32, %function
// x0: the address (4-aligned), x1: where the word goes. Returns 1, or 0 when the read faulted.
probe_read32:
probe_read32_load:
    ldr     w2, [x0]
    str     w2, [x1]
    mov     x0, #1
    ret
probe_read32_fault:
    mov     x0, #0
    ret
    .size probe_read32, . - probe_read32

    .section .text.probe_fixup, "ax"
    .global probe_fixup
    .type probe_fixup, %function
// x0: the ELR of a synchronous exception. Returns the fault exit when it is probe_read32's
// load, else 0.
probe_fixup:
    adr     x1, probe_read32_load
    adr     x2, probe_read32_fault
    cmp     x0, x1
    csel    x0, x2, xzr, eq
    ret
    .size probe_fixup, . - probe_fixup
