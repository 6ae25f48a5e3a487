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
#define CTX_EL1_KEPT    (CTX_EL1_REGS + 8 * 11)   // the second group (see below)
#define CTX_SIZE        464

// EL1 system registers of a world, in two groups (issue 12: a world switch moves only what the
// other world uses or changes).
// - Switched on every world switch (saved from the world left, loaded for the world entered):
//   what the MM partition sets up and runs on, and what an exception taken at EL1 writes.
//   (sctlr ttbr0 tcr mair vbar sp_el1 elr_el1 spsr_el1 esr_el1 far_el1 cpacr)
// - Kept: the rest, which the partition never writes once it serves requests (no TTBR1 walks:
//   TCR_EL1.EPD1; no thread or context IDs, AT, auxiliary fault or cache-size selection), so
//   the normal world's values simply stay in the registers while the partition runs. They are
//   loaded from a context only when that world is first entered (monitor_enter_world, and the
//   normal world's first entry after the partition's boot, which ran AT and wrote PAR_EL1).
//   (ttbr1 amair tpidr_el1 tpidr_el0 tpidrro_el0 contextidr cntkctl par afsr0 afsr1 csselr)
//   `make check-product` (tools/check_kept_el1.py) refuses a partition image that writes one.
#define CTX_SCTLR_EL1   (CTX_EL1_REGS + 0)
