// memset, memcpy, memmove, memcmp for the freestanding images. In assembly because the
// optimiser recognises a Swift or C byte loop as "memset" and compiles it into a call to itself.
// 8-byte steps when both pointers and the count allow it (no unaligned access: the images run
// with strict alignment), bytes otherwise. In the runtime section: the runtime path copies.

    .section .text.efi_runtime.memset, "ax"
    .global memset
memset:                                 // x0 = dst, w1 = byte, x2 = count; returns dst
    mov     x3, x0
    and     x1, x1, #0xff
    orr     x4, x3, x2
    tst     x4, #7
    b.ne    2f
    orr     x1, x1, x1, lsl #8          // replicate the byte into all eight lanes
    orr     x1, x1, x1, lsl #16
    orr     x1, x1, x1, lsl #32
1:  cbz     x2, 3f
    str     x1, [x3], #8
    sub     x2, x2, #8
    b       1b
2:  cbz     x2, 3f
    strb    w1, [x3], #1
    sub     x2, x2, #1
    b       2b
3:  ret

    .section .text.efi_runtime.memcpy, "ax"
    .global memcpy
memcpy:                                 // x0 = dst, x1 = src, x2 = count; returns dst
    mov     x3, x0
    orr     x4, x0, x1
    orr     x4, x4, x2
    tst     x4, #7
    b.ne    2f
1:  cbz     x2, 3f
    ldr     x5, [x1], #8
    str     x5, [x3], #8
    sub     x2, x2, #8
    b       1b
2:  cbz     x2, 3f
    ldrb    w5, [x1], #1
    strb    w5, [x3], #1
    sub     x2, x2, #1
    b       2b
3:  ret

    .section .text.efi_runtime.memmove, "ax"
    .global memmove
memmove:                                // overlapping copies go backwards when dst > src
    cmp     x0, x1
    b.ls    memcpy
    add     x3, x0, x2
    add     x4, x1, x2
1:  cbz     x2, 2f
    ldrb    w5, [x4, #-1]!
    strb    w5, [x3, #-1]!
    sub     x2, x2, #1
    b       1b
2:  ret

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
