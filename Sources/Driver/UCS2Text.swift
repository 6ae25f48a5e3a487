/// Variable names between the shell's UTF-8 and UEFI's UCS-2 (UTF-16LE without surrogates).
public enum UCS2Text {
    /// UTF-8 to UCS-2LE bytes with the terminating NUL. Refuses an empty name, malformed or
    /// overlong UTF-8, surrogate code points, characters beyond U+FFFF and embedded NULs.
    public static func fromUTF8(_ text: [UInt8]) throws(ShellArgumentError) -> [UInt8] {
        guard !text.isEmpty else { throw .malformedName }
        // One UCS-2 unit per lead byte (any byte but 10xxxxxx) once the text is valid, so the
        // name is sized first and written by index; the last two bytes stay the NUL.
        var units = 0
        for c in text where c & 0xC0 != 0x80 { units += 1 }
        var out = [UInt8](repeating: 0, count: 2 * units + 2)
        var o = 0
        var i = 0
        while i < text.count {
            let lead = text[i]
            let scalar: UInt32
            let length: Int
            if lead < 0x80 {
                scalar = UInt32(lead); length = 1
            } else if lead & 0xE0 == 0xC0 {
                scalar = UInt32(lead & 0x1F); length = 2
            } else if lead & 0xF0 == 0xE0 {
                scalar = UInt32(lead & 0x0F); length = 3
            } else {
                throw .malformedName  // continuation byte, or a 4-byte form beyond UCS-2
            }
            guard length <= text.count - i else { throw .malformedName }
            var value = scalar
            if length > 1 {
                for k in 1..<length {
                    let c = text[i + k]
                    guard c & 0xC0 == 0x80 else { throw .malformedName }
                    value = value << 6 | UInt32(c & 0x3F)
                }
            }
            let minimum: UInt32 = length == 1 ? 0 : (length == 2 ? 0x80 : 0x800)
            guard value >= minimum, value != 0, !(0xD800...0xDFFF).contains(value) else { throw .malformedName }
            out[o] = UInt8(truncatingIfNeeded: value)
            out[o + 1] = UInt8(truncatingIfNeeded: value >> 8)
            o += 2
            i += length
        }
        return out
    }

    /// UCS-2LE bytes to UTF-8, stopping at the first NUL; a lone surrogate or an odd trailing
    /// byte prints as U+FFFD, so any name from the other world can be shown.
    public static func toUTF8(_ ucs2: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        writeUTF8(ucs2) { out.append($0) }
        return out
    }

    /// `toUTF8`'s bytes handed one at a time to `put`: the shell prints a name with no array.
    public static func writeUTF8(_ ucs2: [UInt8], _ put: (UInt8) -> Void) {
        var i = 0
        while i < ucs2.count {
            var u = i + 1 < ucs2.count ? UInt32(ucs2[i]) | UInt32(ucs2[i + 1]) << 8 : 0xFFFD
            if u == 0 { break }
            if (0xD800...0xDFFF).contains(u) { u = 0xFFFD }
            if u < 0x80 {
                put(UInt8(u))
            } else if u < 0x800 {
                put(UInt8(0xC0 | u >> 6)); put(UInt8(0x80 | u & 0x3F))
            } else {
                put(UInt8(0xE0 | u >> 12)); put(UInt8(0x80 | (u >> 6) & 0x3F)); put(UInt8(0x80 | u & 0x3F))
            }
            i += 2
        }
    }
}
