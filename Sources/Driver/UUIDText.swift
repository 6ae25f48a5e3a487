import ABI

/// UUID and GUID text in the 8-4-4-4-12 form, read from and written to ASCII bytes.
public enum UUIDText {
    /// The 16 bytes the 32 hex digits of `text` spell, in text order; nil unless `text` is
    /// exactly 36 characters with '-' at 8, 13, 18 and 23 and hex digits elsewhere.
    public static func textOctets(_ text: [UInt8]) -> [UInt8]? {
        guard text.count == 36 else { return nil }
        var out = [UInt8](repeating: 0, count: 16)
        var k = 0   // hex digits read so far: digit k is half of byte k / 2
        for i in 0..<36 {
            let c = text[i]
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard c == UInt8(ascii: "-") else { return nil }
                continue
            }
            guard let nibble = hexValue(c) else { return nil }
            out[k >> 1] = out[k >> 1] << 4 | nibble
            k += 1
        }
        return out
    }

    /// RFC 4122 canonical form: the octets are the text's bytes in order
    /// (`ed32d533-99e6-4209-9cc0-2d72cdd998a7` is the MM partition).
    public static func parseCanonical(_ text: [UInt8]) -> UUID? {
        guard let t = textOctets(text) else { return nil }
        return UUID(octets: t)
    }

    /// U-Boot's `armffa getpart` form (`uuid_str_to_le_bin`): each of the five fields is a
    /// little-endian number, so `33d532ed-e699-0942-c09c-a798d9cd722d` is the MM partition.
    public static func parseUBoot(_ text: [UInt8]) -> UUID? {
        guard let t = textOctets(text) else { return nil }
        // Octets 0-7 and 8-15 packed as UUID(octets:) packs them: no mapped array in between.
        var lo: UInt64 = 0, hi: UInt64 = 0
        for i in 0..<8 {
            lo |= UInt64(t[Int(uBootPermutation[i])]) << (8 * UInt64(i))
            hi |= UInt64(t[Int(uBootPermutation[8 + i])]) << (8 * UInt64(i))
        }
        return UUID(lo: lo, hi: hi)
    }

    /// The canonical lower-case text (36 ASCII bytes).
    public static func formatCanonical(_ uuid: UUID) -> [UInt8] {
        var t = [UInt8](repeating: 0, count: 16)   // by index: no mapped range
        for i in 0..<16 { t[i] = uuid.octet(i) }
        return format(t)
    }

    /// The text U-Boot's form would need to name `uuid` (inverse of `parseUBoot`).
    public static func formatUBoot(_ uuid: UUID) -> [UInt8] {
        var t = [UInt8](repeating: 0, count: 16)
        for (i, source) in uBootPermutation.enumerated() { t[Int(source)] = uuid.octet(i) }
        return format(t)
    }

    /// 16 bytes as 8-4-4-4-12 lower-case hex, in order.
    public static func format(_ octets: [UInt8]) -> [UInt8] {
        // Sized first and written by index: no append (and its growth check) per character.
        let n = min(octets.count, 16)
        let dashes = (n > 4 ? 1 : 0) + (n > 6 ? 1 : 0) + (n > 8 ? 1 : 0) + (n > 10 ? 1 : 0)
        var out = [UInt8](repeating: UInt8(ascii: "-"), count: 2 * n + dashes)
        var k = 0
        for i in 0..<n {
            if i == 4 || i == 6 || i == 8 || i == 10 { k += 1 }
            out[k] = hexDigit(octets[i] >> 4)
            out[k + 1] = hexDigit(octets[i] & 0xF)
            k += 2
        }
        return out
    }

    /// 16 octets as 8-4-4-4-12 lower-case hex (`format`'s text), octet i from `octet(i)`, each
    /// character handed to `put`: the shell prints a GUID or UUID with no array.
    public static func write(_ octet: (Int) -> UInt8, _ put: (UInt8) -> Void) {
        for i in 0..<16 {
            if i == 4 || i == 6 || i == 8 || i == 10 { put(UInt8(ascii: "-")) }
            let o = octet(i)
            put(hexDigit(o >> 4)); put(hexDigit(o & 0xF))
        }
    }

    /// Octet i of the UUID is text byte uBootPermutation[i]: every field reversed (bytes: a
    /// table of Ints took 128).
    static let uBootPermutation: [UInt8] = [3, 2, 1, 0, 5, 4, 7, 6, 9, 8, 15, 14, 13, 12, 11, 10]

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    static func hexDigit(_ v: UInt8) -> UInt8 {
        v < 10 ? UInt8(ascii: "0") + v : UInt8(ascii: "a") + v - 10
    }
}
