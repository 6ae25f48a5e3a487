/// Numbers typed at the shell, read from ASCII bytes without overflow.
public enum ShellNumber {
    /// Hex digits with an optional `0x`/`0X` prefix: how U-Boot reads addresses, sizes and
    /// partition IDs (`armffa ping 8001`).
    public static func parseHex(_ text: [UInt8]) throws(ShellArgumentError) -> UInt64 {
        var digits = text[...]
        if digits.count > 2, digits[digits.startIndex] == UInt8(ascii: "0"),
           digits[digits.startIndex + 1] | 0x20 == UInt8(ascii: "x") {
            digits = digits.dropFirst(2)
        }
        return try accumulate(digits, radix: 16)
    }

    /// Decimal digits only.
    public static func parseDecimal(_ text: [UInt8]) throws(ShellArgumentError) -> UInt64 {
        try accumulate(text[...], radix: 10)
    }

    /// `0x…` as hex, anything else as decimal.
    public static func parse(_ text: [UInt8]) throws(ShellArgumentError) -> UInt64 {
        if text.count > 2, text[0] == UInt8(ascii: "0"), text[1] | 0x20 == UInt8(ascii: "x") {
            return try parseHex(text)
        }
        return try parseDecimal(text)
    }

    static func accumulate(_ digits: ArraySlice<UInt8>, radix: UInt64) throws(ShellArgumentError) -> UInt64 {
        guard !digits.isEmpty else { throw .malformedNumber }
        var value: UInt64 = 0
        for c in digits {
            guard let d = UUIDText.hexValue(c), UInt64(d) < radix else { throw .malformedNumber }
            let (shifted, o1) = value.multipliedReportingOverflow(by: radix)
            let (sum, o2) = shifted.addingReportingOverflow(UInt64(d))
            guard !o1, !o2 else { throw .numberOverflow }
            value = sum
        }
        return value
    }
}
