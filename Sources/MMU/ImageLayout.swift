/// One identity-mapped region of a memory plan.
public struct Region: Equatable, Sendable {
    public var base: UInt64
    public var size: UInt64
    public var access: Access
    public var nonSecure: Bool

    public init(base: UInt64, size: UInt64, _ access: Access, nonSecure: Bool = false) {
        self.base = base; self.size = size; self.access = access; self.nonSecure = nonSecure
    }
}

/// An image as its linker script lays it out: text from `start`, then read-only data from
/// `textEnd`, then everything writable (data, bss, stack, heap, tables) from `rodataEnd` to
/// `end`, each boundary page-aligned (Linker/*.ld).
public struct ImageLayout: Equatable, Sendable {
    public var start: UInt64
    public var textEnd: UInt64
    public var rodataEnd: UInt64
    public var end: UInt64

    public init(start: UInt64, textEnd: UInt64, rodataEnd: UInt64, end: UInt64) {
        self.start = start; self.textEnd = textEnd; self.rodataEnd = rodataEnd; self.end = end
    }

    /// Ordered and page-aligned boundaries.
    public var isValid: Bool {
        let mask = TranslationTables.pageSize - 1
        return start <= textEnd && textEnd <= rodataEnd && rodataEnd <= end
            && (start | textEnd | rodataEnd | end) & mask == 0
    }

    /// W^X: text read-only and executable, read-only data execute-never, the rest read/write
    /// and execute-never. Empty sections give no region; an invalid layout gives none at all.
    public var regions: [Region] {
        guard isValid else { return [] }
        let all = [Region(base: start, size: textEnd - start, .code),
                   Region(base: textEnd, size: rodataEnd - textEnd, .readOnly),
                   Region(base: rodataEnd, size: end - rodataEnd, .readWrite)]
        return all.filter { $0.size > 0 }
    }
}

extension TranslationTables {
    /// Maps `image`'s three parts W^X (its `regions`, without building the list); nothing
    /// when it is not valid.
    public mutating func map(_ image: ImageLayout) -> Bool {
        guard image.isValid else { return true }
        return map(image.start, image.textEnd - image.start, .code)
            && map(image.textEnd, image.rodataEnd - image.textEnd, .readOnly)
            && map(image.rodataEnd, image.end - image.rodataEnd, .readWrite)
    }

    /// Maps every region of `plan`; false if any failed.
    public mutating func map(_ plan: [Region]) -> Bool {
        var ok = true
        for r in plan where !map(r.base, r.size, r.access, nonSecure: r.nonSecure) { ok = false }
        return ok
    }
}
