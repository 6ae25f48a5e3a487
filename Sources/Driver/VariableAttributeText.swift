/// Variable attributes as U-Boot's `printenv -e` prints them: `NV|BS|RT`.
public enum VariableAttributeText {
    /// The names of bits 0..7, two letters each.
    static let names: StaticString = "NVBSRTHRAWATAPEA"

    /// The names of the set bits among NV, BS, RT, HR, AW, AT, AP (append) and EA (enhanced
    /// authenticated), joined by '|', followed by `|0x…` for bits with no name.
    public static func format(_ attributes: UInt32) -> [UInt8] {
        var out: [UInt8] = []
        for bit in 0..<8 where attributes & (1 << UInt32(bit)) != 0 {
            if !out.isEmpty { out.append(UInt8(ascii: "|")) }
            unsafe out.append(names.utf8Start[2 * bit])
            unsafe out.append(names.utf8Start[2 * bit + 1])
        }
        let unnamed = attributes & ~0xFF
        if unnamed != 0 {
            if !out.isEmpty { out.append(UInt8(ascii: "|")) }
            out.append(UInt8(ascii: "0")); out.append(UInt8(ascii: "x"))
            var shift: UInt32 = 28
            var started = false
            while true {
                let nibble = UInt8(truncatingIfNeeded: unnamed >> shift) & 0xF
                if nibble != 0 || started || shift == 0 { out.append(UUIDText.hexDigit(nibble)); started = true }
                if shift == 0 { break }
                shift -= 4
            }
        }
        return out
    }
}
