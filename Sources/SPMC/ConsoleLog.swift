import ABI

/// FFA_CONSOLE_LOG_32/64 (FF-A v1.2 §13.11): a partition's characters for the secure UART.
/// w1 = character count; the characters are packed little-endian, 4 per register in w2..w7
/// (at most 24) or 8 per register in x2..x17 (at most 128). Output stops at a NUL.
enum ConsoleLog {
    static let maxCharacters32 = 24
    static let maxCharacters64 = 128

    static func characters(_ r: Registers, is64: Bool) throws(FFAError) -> [UInt8] {
        let count = is64 ? r.x1 : UInt64(r.w(1))
        let perRegister = is64 ? 8 : 4
        let limit = is64 ? maxCharacters64 : maxCharacters32
        guard count != 0, count <= UInt64(limit) else { throw .invalidParameters }
        var text: [UInt8] = []
        text.reserveCapacity(Int(count))
        for i in 0..<Int(count) {
            let word = r[2 + i / perRegister]
            let byte = UInt8(truncatingIfNeeded: word >> UInt64(8 * (i % perRegister)))
            if byte == 0 { break }
            text.append(byte)
        }
        return text
    }
}
