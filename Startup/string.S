// memset, memcpy, memmove, memcmp for the freestanding images. In assembly because the
// optimiser recognises a Swift or C byte loop as "memset" and compiles it into a call to itself.
// Word copies whatever the alignment, with aligned accesses only (the images run with strict
// alignment, and real silicon faults on unaligned Device accesses with the MMU off): the
// destination is aligned first; a source at another alignment is read as aligned words and
// shifted into place. A word read past the last source byte stays inside that byte's aligned
// word, so it never crosses a page. In the runtime section: the runtime path copies.

    .section .text.efi_runtime.memset, "ax"
    .global memset
memset:                                 // x0 = dst, w1 = byte, x2 = count; returns dst
    mov     x3, x0
    and     x1, x1, #0xff
    cmp     x2, #16
    b.lo    4f
    orr     x1, x1, x1, lsl #8          // replicate the byte into all eight lanes
    orr     x1, x1, x1, lsl #16
    orr     x1, x1, x1, lsl #32
1:  tst     x3, #7                      // bytes up to an 8-byte boundary
    b.eq    6f
    strb    w1, [x3], #1
    sub     x2, x2, #1
    b       1b
6:  cmp     x2, #64                     // 64 bytes a step (tables, buffers)
    b.lo    2f
    stp     x1, x1, [x3]
    stp     x1, x1, [x3, #16]
    stp     x1, x1, [x3, #32]
    stp     x1, x1, [x3, #48]
    add     x3, x3, #64
    sub     x2, x2, #64
    b       6b
2:  cmp     x2, #16                     // then 16 bytes a step
    b.lo    3f
    stp     x1, x1, [x3], #16
    sub     x2, x2, #16
    b       2b
3:  cmp     x2, #8
    b.lo    4f
    str     x1, [x3], #8
    sub     x2, x2, #8
4:  cbz     x2, 5f                      // the tail (or a short fill), bytes
    strb    w1, [x3], #1
    sub     x2, x2, #1
    b       4b
5:  ret

    .section .text.efi_runtime.memcpy, "ax"
    .global memcpy
memcpy:                                 // x0 = dst, x1 = src, x2 = count; returns dst
    mov     x3, x0
    cmp     x2, #16
    b.lo    8f
1:  tst     x3, #7                      // bytes until the destination is aligned
    b.eq    2f
    ldrb    w5, [x1], #1
    strb    w5, [x3], #1
    sub     x2, x2, #1
    b       1b
2:  ands    x6, x1, #7                  // x6 = source misalignment in bytes
    b.ne    5f
10: cmp     x2, #64                     // same alignment: 64 bytes a step (images, pages)
    b.lo    3f
    ldp     x4, x5, [x1]
    ldp     x6, x7, [x1, #16]
    ldp     x8, x9, [x1, #32]
    ldp     x10, x11, [x1, #48]
    add     x1, x1, #64
    stp     x4, x5, [x3]
    stp     x6, x7, [x3, #16]
    stp     x8, x9, [x3, #32]
    stp     x10, x11, [x3, #48]
    add     x3, x3, #64
    sub     x2, x2, #64
    b       10b
3:  cmp     x2, #16                     // then 16 bytes a step
    b.lo    4f
    ldp     x4, x5, [x1], #16
    stp     x4, x5, [x3], #16
    sub     x2, x2, #16
    b       3b
4:  cmp     x2, #8
    b.lo    8f
    ldr     x4, [x1], #8
    str     x4, [x3], #8
    sub     x2, x2, #8
    b       8f
5:  cmp     x2, #8                      // other alignment: aligned loads, shifted together
    b.lo    8f
    lsl     x6, x6, #3                  // shift in bits (8..56); lslv by -x6 is 64 - x6
    neg     x7, x6
    bic     x8, x1, #7                  // x8 = aligned source cursor
    ldr     x4, [x8], #8
6:  ldr     x5, [x8], #8
    lsr     x4, x4, x6
    lsl     x10, x5, x7
    orr     x4, x4, x10
    str     x4, [x3], #8
    mov     x4, x5
    add     x1, x1, #8
    sub     x2, x2, #8
    cmp     x2, #8
    b.hs    6b
8:  cmp     x2, #8                      // the tail (or a short copy): a word, where both
    b.lo    11f                         //   are 8-byte aligned
    orr     x5, x3, x1
    tst     x5, #7
    b.ne    11f
    ldr     x4, [x1], #8
    str     x4, [x3], #8
    sub     x2, x2, #8
11: cmp     x2, #4                      // a 32-bit word, where both are 4-byte aligned
    b.lo    12f
    orr     x5, x3, x1
    tst     x5, #3
    b.ne    12f
    ldr     w4, [x1], #4
    str     w4, [x3], #4
    sub     x2, x2, #4
12: cbz     x2, 9f                      // then bytes
    ldrb    w5, [x1], #1
    strb    w5, [x3], #1
    sub     x2, x2, #1
    b       12b
9:  ret

    .section .text.efi_runtime.memmove, "ax"
    .global memmove
memmove:                                // overlapping copies go backwards when dst > src
    sub     x3, x0, x1
    cmp     x3, x2                      // dst - src >= count (unsigned): no harmful overlap
    b.hs    memcpy
    add     x3, x0, x2
    add     x4, x1, x2
    eor     x5, x3, x4
    tst     x5, #7
    b.ne    5f                          // different alignments: 32-bit words or bytes
1:  tst     x3, #7                      // same alignment: bytes down to a boundary, then words
    b.eq    2f
    cbz     x2, 4f
    ldrb    w5, [x4, #-1]!
    strb    w5, [x3, #-1]!
    sub     x2, x2, #1
    b       1b
2:  cmp     x2, #8
    b.lo    3f
    ldr     x5, [x4, #-8]!
    str     x5, [x3, #-8]!
    sub     x2, x2, #8
    b       2b
3:  cbz     x2, 4f
    ldrb    w5, [x4, #-1]!
    strb    w5, [x3, #-1]!
    sub     x2, x2, #1
    b       3b
4:  ret
5:  tst     x5, #3                      // the same alignment to 4 (a DTB edit moves its blocks
    b.ne    3b                          //   by multiples of 4): bytes down to a 4-byte boundary,
6:  tst     x3, #3                      //   then 32-bit words
    b.eq    7f
    cbz     x2, 4b
    ldrb    w5, [x4, #-1]!
    strb    w5, [x3, #-1]!
    sub     x2, x2, #1
    b       6b
7:  cmp     x2, #4
    b.lo    3b
    ldr     w5, [x4, #-4]!
    str     w5, [x3, #-4]!
    sub     x2, x2, #4
    b       7b

    .section .text.efi_runtime.memcmp, "ax"
    .global memcmp
memcmp:                                 // x0 = a, x1 = b, x2 = count; returns a[i] - b[i]
1:  cbz     x2, 2f
    ldrb    w3, [x0], #1
    ldrb    w4, [x1], #1
    sub     x2, x2, #1
    cmp     w3, w4
    b.eq    1b
    sub     w0, w3, w4
    ret
2:  mov     w0, #0
    ret
