// `free` for the Embedded Swift runtime. Swift may not define a symbol with that reserved name
// (@_cdecl("free") warns and will become an error), so this alias forwards to the heap's
// `heap_free` (Sources/Platform/Heap.swift). In the runtime section: the runtime path frees.

    .section .text.efi_runtime.free, "ax"
    .global free
free:
    b       heap_free
