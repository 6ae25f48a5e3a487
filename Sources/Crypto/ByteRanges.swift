/// Byte comparisons between parts of arrays, so that a parser compares what it found in place
/// instead of copying it out first.
public enum ByteRanges {
    /// Whether `a[ra]` and `b[rb]` hold the same bytes.
    @inline(never)
    public static func equal(_ a: [UInt8], _ ra: Range<Int>, _ b: [UInt8], _ rb: Range<Int>) -> Bool {
        guard ra.count == rb.count else { return false }
        var i = 0
        while i < ra.count {
            guard a[ra.lowerBound + i] == b[rb.lowerBound + i] else { return false }
            i += 1
        }
        return true
    }
}
