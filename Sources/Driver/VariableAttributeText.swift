/// Variable attributes as U-Boot's `printenv -e` prints them: `NV|BS|RT`.
public enum VariableAttributeText {
    /// The names of bits 0..7, two letters each.
    static let names: StaticString = "NVBSRTHRAWATAPEA"

    /// The names of the set bits among NV, BS, RT, HR, AW, AT, AP (append) and EA (enhanced
    /// authenticated), joined by '|', followed by `|0x…` for bits with no name.
    public static func format(_ attributes: UInt32) -> [UInt8] {
        var out: [UInt8] = []
        write(attributes) { out.append($0) }
        return out
    }

    /// `format`'s bytes handed one at a time to `put`: the shell prints them with no array.
    public static func write(_ attributes: UInt32, _ put: (UInt8) -> Void) {
        var first = true
        for bit in 0..<8 where attributes & (1 << UInt32(bit)) != 0 {
            if !first { put(UInt8(ascii: "|")) }
            first = false
            unsafe put(names.utf8Start[2 * bit])
            unsafe put(names.utf8Start[2 * bit + 1])
        }
        let unnamed = attributes & ~0xFF
        if unnamed != 0 {
            if !first { put(UInt8(ascii: "|")) }
            put(UInt8(ascii: "0")); put(UInt8(ascii: "x"))
            var shift: UInt32 = 28
            var started = false
            while true {
                let nibble = UInt8(truncatingIfNeeded: unnamed >> shift) & 0xF
                if nibble != 0 || started || shift == 0 { put(UUIDText.hexDigit(nibble)); started = true }
                if shift == 0 { break }
                shift -= 4
            }
        }
    }
}
