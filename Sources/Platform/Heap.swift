// A first-fit heap with boundary-free headers over the linker's [__heap_start, __heap_end).
// Embedded Swift allocates through posix_memalign/free; blocks are 16-byte aligned, each
// preceded by a 16-byte header {size including header, 1 if free}. Adjacent free blocks merge
// while searching, so the heap does not fragment into dust under the shell's churn.

@_extern(c, "__heap_start") nonisolated(unsafe) var __heap_start: UInt8
@_extern(c, "__heap_end") nonisolated(unsafe) var __heap_end: UInt8

enum Heap {
    static let header = 16
    nonisolated(unsafe) static var initialised = false
    nonisolated(unsafe) static var bytesInUse = 0
    /// posix_memalign calls since boot (the proof build's allocation checks read it).
    nonisolated(unsafe) static var allocations = 0
    /// No free block lies below this one: the search starts here, so allocations that only
    /// grow the heap (a mount filling its index) cost the same at any heap size.
    nonisolated(unsafe) static var lowestFree: UnsafeMutableRawPointer? = nil

    static var start: UnsafeMutableRawPointer { unsafe UnsafeMutableRawPointer(&__heap_start) }
    static var end: UnsafeMutableRawPointer { unsafe UnsafeMutableRawPointer(&__heap_end) }

    static func size(_ b: UnsafeMutableRawPointer) -> Int { unsafe b.load(as: Int.self) }
    static func isFree(_ b: UnsafeMutableRawPointer) -> Bool { unsafe b.load(fromByteOffset: 8, as: Int.self) == 1 }
    static func set(_ b: UnsafeMutableRawPointer, size: Int, free: Bool) {
        // Headers are 16-byte aligned: word stores (storeBytes takes any alignment, and under
        // strict alignment that is a byte store per byte).
        let words = unsafe b.assumingMemoryBound(to: Int.self)
        unsafe words[0] = size
        unsafe words[1] = free ? 1 : 0
    }

    static func initialise() {
        set(start, size: end - start, free: true)
        lowestFree = start
        initialised = true
    }

    static func allocate(_ bytes: Int) -> UnsafeMutableRawPointer? {
        if !initialised { initialise() }
        guard bytes >= 0, bytes < end - start else { return nil }
        // Sizes below here are bounded by the heap's (far below 2^62): they wrap, unchecked.
        allocations &+= 1
        let need = (max(bytes, 16) &+ header &+ 15) & ~15
        var b = lowestFree ?? start
        var allUsedBelow = true
        while b < end {
            if isFree(b) {
                // Merge following free blocks into this one.
                var n = unsafe b + size(b)
                while n < end && isFree(n) { set(b, size: size(b) &+ size(n), free: true); n = unsafe b + size(b) }
                if size(b) >= need {
                    let rest = size(b) &- need
                    if rest >= 2 * header {
                        set(unsafe b + need, size: rest, free: true)
                        set(b, size: need, free: false)
                    } else {
                        set(b, size: size(b), free: false)
                    }
                    bytesInUse &+= size(b)
                    if allUsedBelow { lowestFree = unsafe b + size(b) }
                    return unsafe b + header
                }
                if allUsedBelow { lowestFree = b }
                allUsedBelow = false
            }
            b = unsafe b + size(b)
        }
        return nil
    }

    static func release(_ p: UnsafeMutableRawPointer) {
        let b = unsafe p - header
        guard b >= start, b < end, !isFree(b) else { return }
        bytesInUse &-= size(b)
        set(b, size: size(b), free: true)
        if let low = lowestFree, b < low { lowestFree = b } else if lowestFree == nil { lowestFree = b }
    }
}

@_cdecl("posix_memalign")
public func posix_memalign(_ out: UnsafeMutablePointer<UnsafeMutableRawPointer?>, _ alignment: Int, _ size: Int) -> Int32 {
    guard alignment <= 16 else { return 22 }  // EINVAL: nothing in the firmware needs more
    guard let p = Heap.allocate(size) else { return 12 }  // ENOMEM
    unsafe out.pointee = p
    return 0
}

/// Reached through `free` (Startup/heap_free.S): Swift may not define that reserved name itself.
@_cdecl("heap_free")
public func heapFree(_ p: UnsafeMutableRawPointer?) {
    if let p { Heap.release(p) }
}

/// Bytes of the heap in use now, headers included (a figure for boot logs and benchmarks).
public func heapBytesInUse() -> Int { Heap.bytesInUse }

/// Allocations since boot (posix_memalign calls, failed ones included).
public func heapAllocations() -> Int { Heap.allocations }
