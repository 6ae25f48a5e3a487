// Data-cache maintenance by VA to the point of coherency, for memory shared with another
// observer (the MM buffer, DMA). Every line covering [start, start + len) is maintained, with
// the CTR_EL0.DminLine stride; a range running past the top of the address space stops at the
// last line; len 0 does nothing. Each routine ends with DSB SY, so the maintenance has
// completed on return. Sources/Cache/LineRange.swift models the lines and instructions.
//
// C prototypes (AAPCS64):
//   void dcache_clean_range_poc(uintptr_t start, size_t len);             // DC CVAC
//   void dcache_invalidate_range_poc(uintptr_t start, size_t len);        // DC IVAC / CIVAC
//   void dcache_clean_invalidate_range_poc(uintptr_t start, size_t len);  // DC CIVAC
//
// Registers: x0..x7 only (caller-saved); no stack, no memory access.

#define RUNTIME_FUNC(name)                                \
    .section .text.efi_runtime.name, "ax", %progbits;     \
    .global name;                                         \
    .p2align 2;                                           \
    .type name, %function;                                \
name:

#define END_FUNC(name) .size name, . - name

// In: x0 start, x1 len (nonzero). Out: x0 first line, x1 last line, x2 line bytes, x3 mask,
// x4 last byte, x5 start.
.macro line_range
    mrs     x2, ctr_el0
    ubfx    x2, x2, #16, #4             // DminLine: log2(words) of the smallest D-cache line
    mov     x3, #4
    lsl     x2, x3, x2                  // line bytes
    sub     x3, x2, #1
    sub     x1, x1, #1
    adds    x4, x0, x1                  // last byte; carry set if the range wraps
    csinv   x4, x4, xzr, cc             //   then clamp it to the top of the address space
    mov     x5, x0
    bic     x0, x0, x3
    bic     x1, x4, x3
.endm

// Advance to the next line; falls through after the last one.
.macro next_line label
    cmp     x0, x1
    add     x0, x0, x2                  // no flags: the compare above decides
    b.ne    \label
.endm

RUNTIME_FUNC(dcache_clean_range_poc)
    cbz     x1, 2f
    line_range
1:  dc      cvac, x0
    next_line 1b
    dsb     sy
2:  ret
END_FUNC(dcache_clean_range_poc)

RUNTIME_FUNC(dcache_clean_invalidate_range_poc)
    cbz     x1, 2f
    line_range
1:  dc      civac, x0
    next_line 1b
    dsb     sy
2:  ret
END_FUNC(dcache_clean_invalidate_range_poc)

// DC IVAC drops a whole line, so on a first or last line the range only partly covers, it
// would also drop someone else's dirty bytes sharing that line: those two get DC CIVAC.
RUNTIME_FUNC(dcache_invalidate_range_poc)
    cbz     x1, 4f
    line_range
    tst     x5, x3                      // x6 = first line if start is mid-line, else 1
    csinc   x6, x0, xzr, ne             //   (1 is never a line address)
    and     x7, x4, x3                  // x7 = last line if the last byte is not the line's
    cmp     x7, x3                      //   last, else 1
    csinc   x7, x1, xzr, ne
1:  cmp     x0, x6
    ccmp    x0, x7, #4, ne              // Z set if x0 is either partial line
    b.eq    2f
    dc      ivac, x0
    b       3f
2:  dc      civac, x0
3:  next_line 1b
    dsb     sy
4:  ret
END_FUNC(dcache_invalidate_range_poc)
