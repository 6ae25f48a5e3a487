import ABI
import Platform

/// FFA_CONSOLE_LOG_64 (FF-A v1.2 §16.x): up to 128 characters in x2..x17, count in w1; the
/// SPMC writes them to its console (ours: the secure UART; TF-A's EL3 SPMC: its own console).
/// An SPMC without it answers FFA_ERROR: from then on the partition writes to the secure UART.
/// A line is built in place (`write`, `hex`, `decimal`, then `end`) and leaves in chunks of 128.
enum ConsoleLog {
    nonisolated(unsafe) static var direct = false
    /// The characters of the chunk being built, packed as FFA_CONSOLE_LOG_64 carries them:
    /// character i in byte i % 8 of x(2 + i / 8).
    nonisolated(unsafe) static var words = InlineArray<16, UInt64>(repeating: 0)
    nonisolated(unsafe) static var count = 0

    @inline(never)   // write, hex, decimal and end each inlined it
    static func put(_ c: UInt8) {
        if direct { Console.put(c); return }
        words[count >> 3] |= UInt64(c) << UInt64((count & 7) * 8)
        count += 1
        if count == ConsoleCharacters.maxCharacters64 { flush() }
    }

    @inline(never)
    static func flush() {
        let n = count
        count = 0
        guard n > 0 else { return }
        var rest = ExtendedArguments()
        rest.x4 = words[2]; rest.x5 = words[3]; rest.x6 = words[4]; rest.x7 = words[5]; rest.x8 = words[6]
        rest.x9 = words[7]; rest.x10 = words[8]; rest.x11 = words[9]; rest.x12 = words[10]; rest.x13 = words[11]
        rest.x14 = words[12]; rest.x15 = words[13]; rest.x16 = words[14]; rest.x17 = words[15]
        let chunk = ConsoleCharacters(count: n, is64: true, x2: words[0], x3: words[1], rest: rest)
        if Interface.function(of: ffa(Interface.consoleLog(chunk).registers)) == .error {
            direct = true
            Console.line("mm: the SPMC refuses FFA_CONSOLE_LOG; logging to the secure UART")
            for i in 0..<n { Console.put(UInt8(truncatingIfNeeded: words[i >> 3] >> UInt64((i & 7) * 8))) }
        }
        for i in 0..<16 { words[i] = 0 }
    }

    @inline(never)
    static func write(_ s: StaticString) {
        write(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    @inline(never)
    static func write(_ s: UnsafeRawBufferPointer) {
        for c in s { put(c) }
    }

    /// 0x and the digits, no leading zeros.
    @inline(never)
    static func hex(_ v: UInt64) {
        write("0x")
        var shift: UInt64 = 60
        while shift > 0 && (v >> shift) & 0xf == 0 { shift -= 4 }
        while true {
            let d = UInt8((v >> shift) & 0xf)
            put(d < 10 ? 48 + d : 87 + d)
            if shift == 0 { break }
            shift -= 4
        }
    }

    @inline(never)
    static func decimal(_ v: UInt64) {
        var p: UInt64 = 1
        while v / p >= 10 { p *= 10 }
        while true {
            put(48 + UInt8((v / p) % 10))
            if p == 1 { break }
            p /= 10
        }
    }

    /// Ends the line and sends what is left of it.
    @inline(never)
    static func end() {
        put(10)
        flush()
    }

    @inline(never)
    static func line(_ s: StaticString) {
        write(s)
        end()
    }

    @inline(never)
    static func line(_ prefix: StaticString, _ s: StaticString) {
        write(prefix)
        write(s)
        end()
    }

    @inline(never)
    static func number(_ s: StaticString, _ v: UInt64) {
        write(s)
        decimal(v)
        end()
    }
}
