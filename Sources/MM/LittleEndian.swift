/// Little-endian field access for wire layouts. Callers check the range first: these are for
/// offsets already validated against the buffer, so an out-of-range index is our own bug.
extension Array where Element == UInt8 {
    @inline(__always)
    func le16(at offset: Int) -> UInt16 {
        UInt16(self[offset]) | UInt16(self[offset + 1]) << 8
    }

    @inline(__always)
    func le32(at offset: Int) -> UInt32 {
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(self[offset + i]) << (8 * UInt32(i)) }
        return value
    }

    @inline(__always)
    func le64(at offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(self[offset + i]) << (8 * UInt64(i)) }
        return value
    }

    @inline(__always)
    mutating func putLE16(_ value: UInt16, at offset: Int) {
        self[offset] = UInt8(truncatingIfNeeded: value)
        self[offset + 1] = UInt8(truncatingIfNeeded: value >> 8)
    }

    @inline(__always)
    mutating func putLE32(_ value: UInt32, at offset: Int) {
        for i in 0..<4 { self[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
    }

    @inline(__always)
    mutating func putLE64(_ value: UInt64, at offset: Int) {
        for i in 0..<8 { self[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }

    /// Copies `source` to `offset`.
    @inline(__always)
    mutating func put(_ source: [UInt8], at offset: Int) {
        for i in 0..<source.count { self[offset + i] = source[i] }
    }

    /// `count` bytes from `offset`, as a new array.
    @inline(__always)
    func bytes(at offset: Int, count: Int) -> [UInt8] {
        Array(self[offset..<(offset + count)])
    }
}

/// Whether `length` bytes from `offset` lie within `count` bytes, without overflow.
@inline(__always)
func fits(offset: Int, length: Int, in count: Int) -> Bool {
    offset >= 0 && length >= 0 && offset <= count && length <= count - offset
}

/// `value` as an Int when it is at most `limit` (a non-negative Int); nil otherwise.
@inline(__always)
func boundedInt(_ value: UInt64, atMost limit: Int) -> Int? {
    guard limit >= 0, value <= UInt64(limit) else { return nil }
    return Int(value)
}
