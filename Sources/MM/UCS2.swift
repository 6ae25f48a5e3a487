/// Variable names on the wire: UCS-2 little-endian, NUL-terminated, sized in bytes including the
/// terminator (UEFI `StrSize`). Names stay byte arrays; no String in the images.
public enum UCS2 {
    /// The UCS-2LE bytes of an ASCII text, with the NUL terminator.
    public static func fromASCII(_ text: StaticString) -> [UInt8] {
        text.withUTF8Buffer { fromASCII($0) }
    }

    /// The UCS-2LE bytes of ASCII (or Latin-1) bytes, with the NUL terminator.
    public static func fromASCII(bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBufferPointer { fromASCII($0) }
    }

    /// Sized first, then written in place: no append, no growth.
    private static func fromASCII(_ ascii: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 2 * ascii.count + 2) { out, count in
            count = write(ascii, to: UnsafeMutableRawBufferPointer(out), at: 0)
        }
    }

    /// Writes the UCS-2LE spelling of ASCII (or Latin-1) bytes, with the NUL terminator, at `at`
    /// of `buffer` (the caller keeps its `2 * ascii.count + 2` bytes inside); returns that size.
    @discardableResult
    public static func write(_ ascii: UnsafeBufferPointer<UInt8>, to buffer: UnsafeMutableRawBufferPointer, at: Int) -> Int {
        for i in ascii.indices { buffer[at + 2 * i] = ascii[i]; buffer[at + 2 * i + 1] = 0 }
        buffer[at + 2 * ascii.count] = 0; buffer[at + 2 * ascii.count + 1] = 0
        return 2 * ascii.count + 2
    }

    /// Byte size of the name up to and including its first NUL character (`StrSize`), looking at
    /// the first `count / 2` characters only; nil when there is no NUL among them.
    public static func terminatedSize(_ bytes: [UInt8]) -> Int? {
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == 0 && bytes[i + 1] == 0 { return i + 2 }
            i += 2
        }
        return nil
    }

    /// The name cut after its first NUL character; nil when unterminated.
    public static func normalized(_ bytes: [UInt8]) -> [UInt8]? {
        guard let size = terminatedSize(bytes) else { return nil }
        return size == bytes.count ? bytes : bytes.withUnsafeBytes { [UInt8](UnsafeRawBufferPointer(rebasing: $0[0..<size])) }
    }

    /// Whether the name is a well-formed wire name: even size ≥ 2 ending in a NUL character.
    public static func isWellFormed(_ bytes: [UInt8]) -> Bool {
        let n = bytes.count
        return n >= 2 && n % 2 == 0 && bytes[n - 2] == 0 && bytes[n - 1] == 0
    }
}
