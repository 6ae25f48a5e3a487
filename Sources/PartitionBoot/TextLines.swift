/// The log texts of one kind of error as one literal, a text a line, read where they lie: a
/// `StaticString` returned by each case of a switch costs a dozen bytes of code a case.
public struct TextLines: Sendable {
    let all: StaticString

    public init(_ all: StaticString) { self.all = all }

    /// Line `i` (from 0) without its newline; empty past the last line.
    @inline(never)
    public func line(_ i: Int) -> UnsafeRawBufferPointer {
        let base = all.utf8Start, n = all.utf8CodeUnitCount
        var start = 0, k = 0
        while k < i && start < n {
            while start < n && base[start] != 10 { start += 1 }
            start += 1
            k += 1
        }
        start = min(start, n)
        var end = start
        while end < n && base[end] != 10 { end += 1 }
        return UnsafeRawBufferPointer(start: base + start, count: end - start)
    }
}
