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
//   (sctlr ttbr0 tcr mair vbar sp_el1 cpacr | elr_el1 spsr_el1 esr_el1 far_el1)
//   The last four, the exception state, only for the normal world: the partition only calls the
//   SPMC from its thread (a fault ends it with FFA_ABORT), so it never needs its own back, and
//   its faults' values never reach the normal world (loaded from the normal world's context on
//   every entry). So they are saved when the normal world is left and loaded when it is entered.
// - Kept: the rest, which the partition never writes once it serves requests (no TTBR1 walks:
//   TCR_EL1.EPD1; no thread or context IDs, AT, auxiliary fault or cache-size selection), so
//   the normal world's values simply stay in the registers while the partition runs. They are
//   loaded from a context only when that world is first entered (monitor_enter_world, and the
//   normal world's first entry after the partition's boot, which ran AT and wrote PAR_EL1).
//   (ttbr1 amair tpidr_el1 tpidr_el0 tpidrro_el0 contextidr cntkctl par afsr0 afsr1 csselr)
//   `make check-product` (tools/check_kept_el1.py) refuses a partition image that writes one.
#define CTX_SCTLR_EL1   (CTX_EL1_REGS + 0)

// The contexts sit 512 bytes apart on a 1 KiB boundary (Startup/monitor_entry.S): bit 9 of a
// context's address says whose it is (0: the normal world, 1: the partition).
#define CTX_PARTITION_BIT 9
