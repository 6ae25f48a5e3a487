import Platform

extension Commands {
    static let stringTestCommand = Command(
        text: "strtest\tproof: memcpy, memmove and memset (Startup/string.S) against byte loops, every alignment", run: stringTest)

    /// Every source and destination offset 0..<16 and length 0..<100 (overlapping both ways for
    /// memmove), checked byte by byte against a plain loop, with guard bytes around the target.
    static func stringTest(_ args: [[UInt8]]) {
        let size = 256
        let a = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        let b = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { a.deallocate(); b.deallocate() }
        var failures = 0, cases = 0
        func pattern(_ p: UnsafeMutableRawBufferPointer, _ seed: Int) {
            for i in 0..<size { p[i] = UInt8(truncatingIfNeeded: i &* 37 &+ seed) }
        }
        for s in 0..<16 {
            for d in 0..<16 {
                for n in 0..<100 {
                    // memcpy between two buffers.
                    pattern(a, 1); pattern(b, 2)
                    b.baseAddress!.advanced(by: 64 + d).copyMemory(from: a.baseAddress!.advanced(by: 64 + s), byteCount: n)
                    for i in 0..<size {
                        let inside = i >= 64 + d && i < 64 + d + n
                        let want = inside ? UInt8(truncatingIfNeeded: (i - d + s) &* 37 &+ 1) : UInt8(truncatingIfNeeded: i &* 37 &+ 2)
                        if b[i] != want { failures += 1; break }
                    }
                    // memmove within one buffer, the regions overlapping either way.
                    pattern(a, 3)
                    let from = 64 + s, to = 64 + d + (s & 1 == 0 ? 8 : -8)
                    _ = memmove(a.baseAddress!.advanced(by: to), a.baseAddress!.advanced(by: from), n)
                    for i in 0..<size {
                        let inside = i >= to && i < to + n
                        let want = inside ? UInt8(truncatingIfNeeded: (i - to + from) &* 37 &+ 3) : UInt8(truncatingIfNeeded: i &* 37 &+ 3)
                        if a[i] != want { failures += 1; break }
                    }
                    // memset.
                    pattern(b, 4)
                    _ = memset(b.baseAddress!.advanced(by: 64 + d), Int32(0xA5 ^ s), n)
                    for i in 0..<size {
                        let inside = i >= 64 + d && i < 64 + d + n
                        let want = inside ? UInt8(0xA5 ^ s) : UInt8(truncatingIfNeeded: i &* 37 &+ 4)
                        if b[i] != want { failures += 1; break }
                    }
                    cases += 3
                }
            }
        }
        Console.write("strtest: "); Console.dec(UInt64(cases)); Console.write(" cases, ")
        Console.dec(UInt64(failures)); Console.line(failures == 0 ? " failures: PASS" : " failures: FAIL")
    }
}

@_extern(c, "memmove") func memmove(_ d: UnsafeMutableRawPointer?, _ s: UnsafeRawPointer?, _ n: Int) -> UnsafeMutableRawPointer?
@_extern(c, "memset") func memset(_ d: UnsafeMutableRawPointer?, _ c: Int32, _ n: Int) -> UnsafeMutableRawPointer?
