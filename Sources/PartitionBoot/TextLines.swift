import MM

/// The log texts of one kind of error as one literal, a text a line, read where they lie: a
/// `StaticString` returned by each case of a switch costs a dozen bytes of code a case.
public struct TextLines: Sendable {
    let all: StaticString

    public init(_ all: StaticString) { self.all = all }

    /// Line `i` (from 0) without its newline; empty past the last line.
    public func line(_ i: Int) -> UnsafeRawBufferPointer { NameList.span(all, i, separator: 10) }
}
