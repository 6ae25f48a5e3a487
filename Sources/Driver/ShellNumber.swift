/// Numbers typed at the shell, read from ASCII bytes without overflow.
public enum ShellNumber {
    /// Hex digits with an optional `0x`/`0X` prefix: how U-Boot reads addresses, sizes and
    /// partition IDs (`armffa ping 8001`).
    public static func parseHex(_ text: [UInt8]) throws(ShellArgumentError) -> UInt64 {
        try parseHex(text, from: 0, to: text.count)
    }

    /// The same for the bytes `start..<end` of a word (`<addr>:<size>`), with no copy.
    static func parseHex(_ text: [UInt8], from start: Int, to end: Int) throws(ShellArgumentError) -> UInt64 {
        let prefixed = end - start > 2 && text[start] == UInt8(ascii: "0") && text[start + 1] | 0x20 == UInt8(ascii: "x")
        return try accumulate(text, from: prefixed ? start + 2 : start, to: end, radix: 16)
    }

    /// `<hex>[:<hex>]`, an address with its size as U-Boot writes them: the address, and the
    /// size when there is a colon (read in place: no slice of the word).
    public static func parseHexAndSize(_ word: [UInt8]) throws(ShellArgumentError) -> (UInt64, UInt64?) {
        var colon = 0
        while colon < word.count && word[colon] != UInt8(ascii: ":") { colon += 1 }
        let address = try parseHex(word, from: 0, to: colon)
        return (address, colon < word.count ? try parseHex(word, from: colon + 1, to: word.count) : nil)
    }

    /// Decimal digits only.
    public static func parseDecimal(_ text: [UInt8]) throws(ShellArgumentError) -> UInt64 {
        try accumulate(text, from: 0, to: text.count, radix: 10)
    }

    /// `0x…` as hex, anything else as decimal.
    public static func parse(_ text: [UInt8]) throws(ShellArgumentError) -> UInt64 {
        if text.count > 2, text[0] == UInt8(ascii: "0"), text[1] | 0x20 == UInt8(ascii: "x") {
            return try parseHex(text)
        }
        return try parseDecimal(text)
    }

    /// The digits of `text` from `start` on (indices, not a slice: no slice code per caller).
    static func accumulate(_ text: [UInt8], from start: Int, to end: Int, radix: UInt64) throws(ShellArgumentError) -> UInt64 {
        guard start < end else { throw .malformedNumber }
        var value: UInt64 = 0
        for i in start..<end {
            let c = text[i]
            guard let d = UUIDText.hexValue(c), UInt64(d) < radix else { throw .malformedNumber }
            let (shifted, o1) = value.multipliedReportingOverflow(by: radix)
            let (sum, o2) = shifted.addingReportingOverflow(UInt64(d))
            guard !o1, !o2 else { throw .numberOverflow }
            value = sum
        }
        return value
    }
}
