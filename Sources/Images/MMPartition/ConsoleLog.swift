import ABI
import Platform

/// FFA_CONSOLE_LOG_64 (FF-A v1.2 §16.x): up to 128 characters in x2..x17, count in w1; the
/// SPMC writes them to its console (ours: the secure UART; TF-A's EL3 SPMC: its own console).
/// An SPMC without it answers FFA_ERROR: from then on the partition writes to the secure UART.
enum ConsoleLog {
    nonisolated(unsafe) static var direct = false

    static func bytes(_ text: [UInt8]) {
        if direct { Console.bytes(text); return }
        var start = 0
        while start < text.count {
            let n = min(text.count - start, ConsoleCharacters.maxCharacters64)
            let chunk = unsafe text.withUnsafeBufferPointer { unsafe ConsoleCharacters(UnsafeBufferPointer(rebasing: $0[start..<(start + n)]), is64: true) }
            if Interface.function(of: ffa(Interface.consoleLog(chunk).registers)) == .error {
                direct = true
                Console.line("mm: the SPMC refuses FFA_CONSOLE_LOG; logging to the secure UART")
                Console.bytes(Array(text[start...]))
                return
            }
            start += n
        }
    }

    static func line(_ s: StaticString) {
        var b: [UInt8] = []
        for i in 0..<s.utf8CodeUnitCount { b.append(unsafe s.utf8Start[i]) }
        b.append(10)
        bytes(b)
    }

    static func line(_ prefix: StaticString, _ s: StaticString) {
        var b: [UInt8] = []
        for i in 0..<prefix.utf8CodeUnitCount { b.append(unsafe prefix.utf8Start[i]) }
        for i in 0..<s.utf8CodeUnitCount { b.append(unsafe s.utf8Start[i]) }
        b.append(10)
        bytes(b)
    }

    static func number(_ s: StaticString, _ v: UInt64) {
        var b: [UInt8] = []
        for i in 0..<s.utf8CodeUnitCount { b.append(unsafe s.utf8Start[i]) }
        var digits: [UInt8] = []
        var x = v
        repeat { digits.append(48 + UInt8(x % 10)); x /= 10 } while x != 0
        b += digits.reversed()
        b.append(10)
        bytes(b)
    }
}
