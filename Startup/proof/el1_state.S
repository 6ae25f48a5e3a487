// Proof-test helpers (`el1keep`): fill the 22 EL1 registers the monitor switches or keeps
// across worlds (world_context.h) from a pattern, and read them into a 22-word block, in the
// same order. For a normal world at EL2, where EL1 is not running.
.macro EL1_EACH m
    \m sctlr_el1
    \m ttbr0_el1
    \m tcr_el1
    \m mair_el1
    \m vbar_el1
    \m sp_el1
    \m elr_el1
    \m spsr_el1
    \m esr_el1
    \m far_el1
    \m cpacr_el1
    \m ttbr1_el1
    \m amair_el1
    \m tpidr_el1
    \m tpidr_el0
    \m tpidrro_el0
    \m contextidr_el1
    \m cntkctl_el1
    \m par_el1
    \m afsr0_el1
    \m afsr1_el1
    \m csselr_el1
.endm

    .section .text.proof_el1_fill, "ax"
    .global proof_el1_fill
proof_el1_fill:                         // x0 = pattern; register i gets pattern + i * 0x1010
    mov     x1, #0x1010
.macro FILL r
    msr     \r, x0
    add     x0, x0, x1
.endm
    EL1_EACH FILL
    isb
    ret

    .section .text.proof_el1_read, "ax"
    .global proof_el1_read
proof_el1_read:                         // x0 = 22 words
.macro READ r
    mrs     x1, \r
    str     x1, [x0], #8
.endm
    EL1_EACH READ
    ret
