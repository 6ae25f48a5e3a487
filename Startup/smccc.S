// SMCCC v1.2 trampolines: x0-x17 in from and out to an 18-word block (ABI Registers).
// x18-x30 and SP are preserved by the callee (SMCCC v1.2 §2.6); we keep the block pointer in
// x19 (saved). x18 is never touched: it is the platform register of an OS calling the runtime
// services (Linux checks it after every call).
// They sit in the runtime section because the runtime variable path issues them after
// ExitBootServices.

.macro SMCCC_TRAMPOLINE name, insn
    .section .text.efi_runtime.\name, "ax"
    .global \name
    .type \name, %function
    .balign 8
\name:
    stp     x0, x19, [sp, #-16]!    // keep the block pointer across the call
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
    ldr     x19, [sp]
    stp     x0, x1, [x19, #0]
    stp     x2, x3, [x19, #16]
    stp     x4, x5, [x19, #32]
    stp     x6, x7, [x19, #48]
    stp     x8, x9, [x19, #64]
    stp     x10, x11, [x19, #80]
    stp     x12, x13, [x19, #96]
    stp     x14, x15, [x19, #112]
    stp     x16, x17, [x19, #128]
    ldr     x19, [sp, #8]
    add     sp, sp, #16
    ret
    .size \name, . - \name
.endm

SMCCC_TRAMPOLINE smccc_smc, smc
SMCCC_TRAMPOLINE smccc_hvc, hvc
