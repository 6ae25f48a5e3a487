/// CTR_EL0, the cache type register; here only the data-cache line size matters.
public struct CTR: Equatable, Sendable {
    public var raw: UInt64

    public init(_ raw: UInt64) { self.raw = raw }

    /// DminLine [19:16]: log2 of the smallest data-cache line in 4-byte words.
    public var dminLine: Int { Int((raw >> 16) & 0xF) }
    /// log2 of the by-VA stride in bytes (2...17).
    public var dataLineShift: Int { dminLine + 2 }
    public var dataLineBytes: UInt64 { 4 << UInt64(dminLine) }
    /// IDC [28]: D-cache clean to PoU not required for I/D coherence.
    public var idc: Bool { raw & (1 << 28) != 0 }
    /// DIC [29]: I-cache invalidation to PoU not required for I/D coherence.
    public var dic: Bool { raw & (1 << 29) != 0 }
}

/// The data-cache maintenance instructions by VA to the point of coherency.
public enum ByVAInstruction: Equatable, Sendable {
    case clean              // DC CVAC
    case invalidate         // DC IVAC
    case cleanInvalidate    // DC CIVAC
}

/// The line-aligned addresses covering [start, start + length), in ascending order, as the
/// routines in `Startup/cache_by_va.S` walk them. Empty for length 0. A range running past the
/// top of the address space stops at the last line (the assembly clamps the same way).
public struct CacheLineRange: Sequence, Equatable, Sendable {
    public let lineShift: Int
    /// The first and last line addresses; nil for an empty range.
    public let bounds: (first: UInt64, last: UInt64)?
    /// The first line holds bytes before `start`.
    public let startsMidLine: Bool
    /// The last line holds bytes after `start + length − 1`.
    public let endsMidLine: Bool

    /// `lineShift` is log2 of the line size, 2...63.
    public init(start: UInt64, length: UInt64, lineShift: Int) {
        precondition(lineShift >= 2 && lineShift < 64, "line size out of range")
        self.lineShift = lineShift
        guard length > 0 else {
            bounds = nil; startsMidLine = false; endsMidLine = false
            return
        }
        let mask: UInt64 = (1 << UInt64(lineShift)) - 1
        let (end, wrapped) = start.addingReportingOverflow(length - 1)
        let lastByte = wrapped ? UInt64.max : end
        bounds = (start & ~mask, lastByte & ~mask)
        startsMidLine = start & mask != 0
        endsMidLine = lastByte & mask != mask
    }

    public init(start: UInt64, length: UInt64, ctr: CTR) {
        self.init(start: start, length: length, lineShift: ctr.dataLineShift)
    }

    public var lineBytes: UInt64 { 1 << UInt64(lineShift) }

    public var count: UInt64 {
        guard let b = bounds else { return 0 }
        return (b.last - b.first) >> UInt64(lineShift) + 1  // ≤ 2^62: no overflow
    }

    public var underestimatedCount: Int { count > UInt64(Int.max) ? Int.max : Int(count) }

    /// What `dcache_invalidate_range_poc` issues for `line`: DC CIVAC on a partially covered
    /// first or last line (so bytes outside the range that are dirty survive), DC IVAC otherwise.
    public func invalidateInstruction(forLine line: UInt64) -> ByVAInstruction {
        guard let b = bounds else { return .invalidate }
        if (startsMidLine && line == b.first) || (endsMidLine && line == b.last) { return .cleanInvalidate }
        return .invalidate
    }

    public static func == (a: CacheLineRange, b: CacheLineRange) -> Bool {
        a.lineShift == b.lineShift && a.bounds?.first == b.bounds?.first && a.bounds?.last == b.bounds?.last
            && a.startsMidLine == b.startsMidLine && a.endsMidLine == b.endsMidLine
    }

    public func makeIterator() -> Iterator { Iterator(next: bounds?.first, last: bounds?.last ?? 0, step: lineBytes) }

    public struct Iterator: IteratorProtocol {
        var nextLine: UInt64?
        let last: UInt64
        let step: UInt64

        init(next: UInt64?, last: UInt64, step: UInt64) { nextLine = next; self.last = last; self.step = step }

        public mutating func next() -> UInt64? {
            guard let line = nextLine else { return nil }
            nextLine = line == last ? nil : line + step  // line < last: line + step ≤ last
            return line
        }
    }
}
