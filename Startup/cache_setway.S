// Data-cache maintenance by set/way, for turning the caches off on this core. Never use it to
// share memory with another observer: it is local to the PE and not broadcast (by-VA
// maintenance in cache_by_va.S is for that). Sources/Cache/SetWay.swift models the exact
// operand sequence issued here; the two must change together.
//
// C prototypes (AAPCS64):
//   void dcache_setway_level(unsigned level, bool invalidate_only);  // level 0 = L1
//   void dcache_clean_invalidate_all(void);     // DC CISW, levels 0..LoC-1 with Ctype >= 2
//   void dcache_invalidate_all(void);           // DC ISW, same levels (discards dirty lines)
//   int  dcache_l3_flush(void);                 // weak, returns 0: override for a system cache
//   int  dcache_flush_all(void);                // clean+invalidate all, then dcache_l3_flush()
//
// Register use of the walk (all caller-saved; no stack, no memory access):
//   x0 level, x1 bit 0 = invalidate only, x10 CLIDR, x11 end level (exclusive),
//   x14 caller's CSSELR, x16 CCIDX field, x2..x9, x12, x13 per-level scratch.

#define RUNTIME_FUNC(name)                                \
    .section .text.efi_runtime.name, "ax", %progbits;     \
    .p2align 2;                                           \
    .type name, %function;                                \
name:

#define END_FUNC(name) .size name, . - name

// ID_AA64MMFR2_EL1 by encoding, for assemblers that predate the name.
#define ID_AA64MMFR2_EL1 s3_0_c0_c7_2

// dcache_setway_walk: levels x0..x11-1 whose Ctype >= 2, one pass each; see the header.
RUNTIME_FUNC(dcache_setway_walk)
    dsb     sy                          // earlier stores reach the cache before we walk it
    mrs     x14, csselr_el1             // put back on the way out
    mrs     x16, ID_AA64MMFR2_EL1
    ubfx    x16, x16, #20, #4           // CCIDX: nonzero = 64-bit CCSIDR layout
    mrs     x10, clidr_el1
1:  cmp     x0, x11
    b.hs    6f
    add     x2, x0, x0, lsl #1          // Ctype<level+1> is at bit 3 * level
    lsr     x3, x10, x2
    and     x3, x3, #7
    cmp     x3, #2                      // 0 none, 1 instruction only: nothing to do
    b.lo    5f
    lsl     x12, x0, #1                 // CSSELR.Level, InD = 0 (data or unified); also the
    msr     csselr_el1, x12             //   operand's Level field
    isb                                 // CCSIDR must reflect the new CSSELR
    mrs     x6, ccsidr_el1
    and     x2, x6, #7
    add     x2, x2, #4                  // x2 = L = log2(line bytes)
    cbnz    x16, 2f
    ubfx    x3, x6, #3, #10             // legacy: x3 = ways - 1, x4 = sets - 1
    ubfx    x4, x6, #13, #15
    b       3f
2:  ubfx    x3, x6, #3, #21             // FEAT_CCIDX
    ubfx    x4, x6, #32, #24
3:  clz     w5, w3                      // x5 = 32 - ceil(log2(ways)); 32 for one way, where
                                        //   the way is always 0 and 0 << 32 stays 0
    mov     x8, x4                      // set = sets - 1 down to 0
4:  mov     x7, x3                      // way = ways - 1 down to 0
41: lsl     x9, x7, x5
    lsl     x13, x8, x2
    orr     x9, x9, x13
    orr     x9, x9, x12                 // x9 = way << (32 - A) | set << L | level << 1
    tbnz    w1, #0, 42f
    dc      cisw, x9
    b       43f
42: dc      isw, x9
43: subs    x7, x7, #1
    b.ge    41b
    subs    x8, x8, #1
    b.ge    4b
5:  add     x0, x0, #1
    b       1b
6:  msr     csselr_el1, x14
    dsb     sy                          // every set/way operation has completed
    isb
    ret
END_FUNC(dcache_setway_walk)

// void dcache_setway_level(unsigned level, bool invalidate_only): one level, 0-based; does
// nothing for level > 6 or a level without a data or unified cache. LoC does not limit it.
    .global dcache_setway_level
RUNTIME_FUNC(dcache_setway_level)
    mov     w0, w0                      // AAPCS64 leaves bits 63:32 of a 32-bit argument unknown
    cmp     x0, #7
    b.hs    1f
    add     x11, x0, #1
    b       dcache_setway_walk
1:  ret
END_FUNC(dcache_setway_level)

// void dcache_clean_invalidate_all(void): DC CISW over levels 0..LoC-1 with Ctype >= 2.
    .global dcache_clean_invalidate_all
RUNTIME_FUNC(dcache_clean_invalidate_all)
    mov     x1, #0
    mrs     x11, clidr_el1
    ubfx    x11, x11, #24, #3           // LoC
    mov     x0, #0
    b       dcache_setway_walk
END_FUNC(dcache_clean_invalidate_all)

// void dcache_invalidate_all(void): DC ISW over the same levels. Dirty lines are lost.
    .global dcache_invalidate_all
RUNTIME_FUNC(dcache_invalidate_all)
    mov     x1, #1
    mrs     x11, clidr_el1
    ubfx    x11, x11, #24, #3
    mov     x0, #0
    b       dcache_setway_walk
END_FUNC(dcache_invalidate_all)

// int dcache_l3_flush(void): a cache beyond what set/way reaches (a system or HN-F cache)
// needs platform code; a strong definition, also in the runtime section, replaces this one.
    .weak dcache_l3_flush
RUNTIME_FUNC(dcache_l3_flush)
    mov     w0, #0
    ret
END_FUNC(dcache_l3_flush)

// int dcache_flush_all(void): clean+invalidate every level to LoC, then the system cache.
// Returns dcache_l3_flush()'s result. The frame is pushed before the walk, so it is clean.
    .global dcache_flush_all
RUNTIME_FUNC(dcache_flush_all)
    stp     x29, x30, [sp, #-16]!
    mov     x29, sp
    bl      dcache_clean_invalidate_all
    bl      dcache_l3_flush
    ldp     x29, x30, [sp], #16
    ret
END_FUNC(dcache_flush_all)
