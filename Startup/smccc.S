// SMCCC v1.2 trampolines: x0-x17 in from and out to an 18-word block (ABI Registers).
// x18-x30 and SP are preserved by the callee (SMCCC v1.2 §2.6); we only keep the block pointer.
// They sit in the runtime section because the runtime variable path issues them after
// ExitBootServices.

.macro SMCCC_TRAMPOLINE name, insn
    .section .text.efi_runtime.\name, "ax"
    .global \name
    .type \name, %function
    .balign 8
\name:
    str     x0, [sp, #-16]!         // keep the block pointer across the call
    ldp     x16, x17, [x0, #128]
    ldp     x14, x15, [x0, #112]
    ldp     x12, x13, [x0, #96]
    ldp     x10, x11, [x0, #80]
    ldp     x8, x9, [x0, #64]
    ldp     x6, x7, [x0, #48]
    ldp     x4, x5, [x0, #32]
    ldp     x2, x3, [x0, #16]
    ldp     x0, x1, [x0, #0]
    \insn   #0
    ldr     x18, [sp], #16          // x18 is a temporary on bare metal (no platform use)
    stp     x0, x1, [x18, #0]
    stp     x2, x3, [x18, #16]
    stp     x4, x5, [x18, #32]
    stp     x6, x7, [x18, #48]
    stp     x8, x9, [x18, #64]
    stp     x10, x11, [x18, #80]
    stp     x12, x13, [x18, #96]
    stp     x14, x15, [x18, #112]
    stp     x16, x17, [x18, #128]
    ret
    .size \name, . - \name
.endm

SMCCC_TRAMPOLINE smccc_smc, smc
SMCCC_TRAMPOLINE smccc_hvc, hvc
