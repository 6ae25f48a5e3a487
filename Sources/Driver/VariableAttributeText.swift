/// Variable attributes as U-Boot's `printenv -e` prints them: `NV|BS|RT`.
public enum VariableAttributeText {
    /// The names of the set bits among NV, BS, RT, HR, AW, AT, AP (append) and EA (enhanced
    /// authenticated), joined by '|', followed by `|0x…` for bits with no name.
    public static func format(_ attributes: UInt32) -> [UInt8] {
        let names: [StaticString] = ["NV", "BS", "RT", "HR", "AW", "AT", "AP", "EA"]
        var out: [UInt8] = []
        for (bit, name) in names.enumerated() where attributes & (1 << UInt32(bit)) != 0 {
            if !out.isEmpty { out.append(UInt8(ascii: "|")) }
            name.withUTF8Buffer { out += $0 }
        }
        let unnamed = attributes & ~0xFF
        if unnamed != 0 {
            if !out.isEmpty { out.append(UInt8(ascii: "|")) }
            out += [UInt8(ascii: "0"), UInt8(ascii: "x")]
            var started = false
            for shift in stride(from: 28, through: 0, by: -4) {
                let nibble = UInt8(truncatingIfNeeded: unnamed >> UInt32(shift)) & 0xF
                if nibble != 0 || started || shift == 0 { out.append(UUIDText.hexDigit(nibble)); started = true }
            }
        }
        return out
    }
}
