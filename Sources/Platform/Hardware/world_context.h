// Layout of a world's saved state at EL3, shared by Startup/monitor_entry.S and Swift (which
// imports these macros as constants). One definition, so the two cannot drift apart.
#pragma once

#define CTX_X0          0       // x0..x30, 8 bytes each
#define CTX_SP_EL0      248
#define CTX_ELR_EL3     256
#define CTX_SPSR_EL3    264
#define CTX_SCR_EL3     272
#define CTX_EL1_REGS    280     // the EL1 system registers below, in this order
#define CTX_EL1_COUNT   22
#define CTX_SIZE        464

// EL1 system registers saved and restored when the monitor switches worlds.
// (sctlr ttbr0 ttbr1 tcr mair amair vbar sp_el1 elr_el1 spsr_el1 esr_el1 far_el1 cpacr
//  tpidr_el1 tpidr_el0 tpidrro_el0 contextidr cntkctl par afsr0 afsr1 csselr)
#define CTX_SCTLR_EL1   (CTX_EL1_REGS + 0)
