import Board

/// Text output on the console UART without String: static text, numbers and byte strings.
public enum Console {
    nonisolated(unsafe) public static var uart = UART.pl011(PL011(base: UInt64(BOARD_UART0)))   // until the DTB says

    /// Out of line: the UART is chosen at run time, and its switch inlined at every call site
    /// would double the image.
    @inline(never)
    public static func put(_ byte: UInt8) {
        if byte == 10 { uart.write(13) }
        uart.write(byte)
    }

    /// Out of line: inlined, each literal became one call per character.
    @inline(never)
    public static func write(_ s: StaticString) {
        let p = s.utf8Start
        for i in 0..<s.utf8CodeUnitCount { put(unsafe p[i]) }
    }

    @inline(never)
    public static func line(_ s: StaticString) { write(s); put(10) }

    @inline(never)   // one loop, not one per call site
    public static func bytes(_ b: [UInt8]) { b.withUnsafeBytes { bytes($0) } }

    /// Bytes where they lie (text read in place, no array made for it).
    @inline(never)
    public static func bytes(_ b: UnsafeRawBufferPointer) { for c in b { put(c) } }

    public static func hex(_ v: UInt64, digits: Int = 0) {
        var n = 1
        while n < 16 && (v >> (4 * UInt64(n))) != 0 { n += 1 }
        n = max(n, min(digits, 16))
        var i = n
        while i > 0 {
            i -= 1
            let d = UInt8((v >> (4 * UInt64(i))) & 0xF)
            put(d < 10 ? 48 + d : 87 + d)
        }
    }

    @inline(never)   // one call a site, not two
    public static func hex0x(_ v: UInt64, digits: Int = 0) { write("0x"); hex(v, digits: digits) }

    /// `label`, then `v` as `0x…`: one call where a log line names a value, not two.
    @inline(never)
    public static func hex0x(_ label: StaticString, _ v: UInt64) { write(label); hex0x(v) }

    /// Most significant digit first, without a buffer. Out of line: one loop, not one per call site.
    @inline(never)
    public static func dec(_ v: UInt64) {
        var scale: UInt64 = 1
        while v / scale >= 10 { scale *= 10 }
        repeat { put(48 + UInt8(v / scale % 10)); scale /= 10 } while scale != 0
    }

    public static func dec(_ v: Int64) {
        if v < 0 { put(45); dec(UInt64(bitPattern: 0 &- v)) } else { dec(UInt64(v)) }
    }

    /// The next byte typed on the console (busy-waits).
    public static func getByte() -> UInt8 {
        while true { if let b = uart.read() { return b } }
    }
}
