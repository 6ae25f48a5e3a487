/// Why a RAM range the device tree reports is not taken as normal-world memory.
public enum MemoryRefusal: UInt8, Equatable, Sendable {
    case empty
    /// base + size runs past 2^64.
    case wraps
    /// Ends above the physical address space the CPU (and our tables) can reach.
    case beyondAddressSpace
    /// Holds no whole 4 KiB page.
    case smallerThanAPage
    /// Touches secure flash or secure SRAM.
    case overlapsSecureMemory
    /// Repeats or overlaps a range already taken.
    case overlapsAnotherRange

    /// The raw values, and the names NUL-separated in the same order (the monitor prints them
    /// through `Console.writeListed`: a few bytes a name, not a switch's code per case).
    public static var codes: StaticString { "\0\u{1}\u{2}\u{3}\u{4}\u{5}" }
    public static var names: StaticString {
        "empty\0wraps past 2^64\0beyond the physical address space\0smaller than a page\0overlaps secure memory\0overlaps another memory range"
    }
}

/// The normal-world RAM the monitor maps at EL3 and the SPMC lets RX/TX buffers use: one list,
/// so every range the SPMC accepts is one EL3 can reach.
public struct NonSecureMemory: Equatable, Sendable {
    public struct Refused: Equatable, Sendable {
        public var range: MemoryRange
        public var why: MemoryRefusal
    }

    public var accepted: [MemoryRange] = []
    public var refused: [Refused] = []
    let secure: [MemoryRange]
    let addressLimit: UInt64

    /// Takes each of the device tree's `/memory` ranges (any number, any order) that is page-aligned
    /// after trimming inward to whole 4 KiB pages, lies below `addressLimit`, touches no range of
    /// `secure` and overlaps no range already taken.
    public init(_ candidates: [MemoryRange], secure: [MemoryRange], addressLimit: UInt64) {
        self.init(secure: secure, addressLimit: addressLimit)
        for c in candidates {
            if let why = take(c) { refused.append(Refused(range: c, why: why)) }
        }
    }

    /// None taken yet: `take` each candidate (a caller that logs each refusal as it comes, with
    /// no list of them).
    public init(secure: [MemoryRange], addressLimit: UInt64) {
        self.secure = secure
        self.addressLimit = addressLimit
    }

    /// Takes `candidate` (trimmed inward to whole pages) as `init` would; nil when taken, else why
    /// not (`refused` is left as it is).
    public mutating func take(_ candidate: MemoryRange) -> MemoryRefusal? {
        var r = candidate
        if let why = NonSecureMemory.refusal(of: &r, secure: secure, accepted: accepted, addressLimit: addressLimit) {
            return why
        }
        accepted.append(r)
        return nil
    }

    /// Why `r` is refused, or nil with `r` trimmed inward to whole pages.
    static func refusal(of r: inout MemoryRange, secure: [MemoryRange], accepted: [MemoryRange],
                        addressLimit: UInt64) -> MemoryRefusal? {
        let page = RxTx.pageSize
        guard r.size > 0 else { return .empty }
        guard let end = r.end else { return .wraps }
        guard end <= addressLimit else { return .beyondAddressSpace }
        let base = (r.base + page - 1) & ~(page - 1), trimmedEnd = end & ~(page - 1)
        guard base < trimmedEnd else { return .smallerThanAPage }
        let t = MemoryRange(base: base, size: trimmedEnd - base)
        if secure.contains(where: { $0.overlaps(t) }) { return .overlapsSecureMemory }
        if accepted.contains(where: { $0.overlaps(t) }) { return .overlapsAnotherRange }
        r = t
        return nil
    }

    /// Drops an accepted range (the monitor could not map it).
    public mutating func drop(_ r: MemoryRange) {
        // Accepted ranges never overlap, so `r` is listed once at most.
        if let i = accepted.firstIndex(of: r) { accepted.remove(at: i) }
    }

    /// Whether [base, base + size) lies inside one accepted range.
    public func contains(_ base: UInt64, size: UInt64) -> Bool {
        let inner = MemoryRange(base: base, size: size)
        return accepted.contains { $0.contains(inner) }
    }
}
