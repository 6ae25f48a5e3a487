// `free` for the Embedded Swift runtime. Swift may not define a symbol with that reserved name
// (@_cdecl("free") warns and will become an error), so this alias forwards to the heap's
// `heap_free` (Sources/Platform/Heap.swift). In the runtime section: the runtime path frees.

    .section .text.efi_runtime.free, "ax"
    .global free
free:
    b       heap_free

// The retain and release that the modules of SINGLE_THREADED_RC call (Makefile): the stdlib's
// own, atomic, reached out of line. Without the flag every module inlines the stdlib's
// `swift_retain` (seven instructions, an exclusive load/store loop) at each of its ~100 sites
// an image; the flag only renames the calls, and these names are ours, so they stay calls.
// In the runtime section of the normal image (`.text.swift_*`): the runtime path retains.
// Their counted forms too, which LLVM emits for several retains or releases of one object in a
// row: a module that calls one would not link without it.
.macro FORWARD name, to
    .section .text.\name, "ax"
    .global \name
\name:
    b       \to
.endm
    FORWARD swift_nonatomic_retain, swift_retain
    FORWARD swift_nonatomic_release, swift_release
    FORWARD swift_nonatomic_retain_n, swift_retain_n
    FORWARD swift_nonatomic_release_n, swift_release_n
