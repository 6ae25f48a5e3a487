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
    .section .text.swift_nonatomic_retain, "ax"
    .global swift_nonatomic_retain
swift_nonatomic_retain:
    b       swift_retain

    .section .text.swift_nonatomic_release, "ax"
    .global swift_nonatomic_release
swift_nonatomic_release:
    b       swift_release

// Their counted forms, which LLVM emits for several retains or releases of one object in a row.
    .section .text.swift_nonatomic_retain_n, "ax"
    .global swift_nonatomic_retain_n
swift_nonatomic_retain_n:
    b       swift_retain_n

    .section .text.swift_nonatomic_release_n, "ax"
    .global swift_nonatomic_release_n
swift_nonatomic_release_n:
    b       swift_release_n
