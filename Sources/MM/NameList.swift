/// Names (or log texts) kept as one literal, each ended by a separator: a getter computes an
/// index and asks for that entry, rather than a switch whose every case materialises its own
/// StaticString (12-16 B of code a case). The one walker for such literals: `entry` for names,
/// PartitionBoot's `TextLines` (a text a line) and Platform's `Console.writeListed`.
public enum NameList {
    /// The bytes of entry `index` (from 0) of `names`, whose entries are each ended by
    /// `separator` (the last may be unended); empty past the last. Reads byte by byte: the crash
    /// report reaches it with the MMU off, where packed literals may lie at any address.
    @inline(never)
    public static func span(_ names: StaticString, _ index: Int, separator: UInt8 = 0) -> UnsafeRawBufferPointer {
        let end = names.utf8Start + names.utf8CodeUnitCount
        var p = names.utf8Start
        var i = index
        while i > 0 && p < end {
            if p.pointee == separator { i -= 1 }
            p += 1
        }
        var n = 0
        while p + n < end && p[n] != separator { n += 1 }
        return UnsafeRawBufferPointer(start: p, count: n)
    }

    /// Entry `index` (from 0) of `names`, a literal of NUL-ended names; empty past the last.
    public static func entry(_ names: StaticString, _ index: Int) -> StaticString {
        let s = span(names, index)
        // Safety: StaticString is frozen as (start address, UTF-8 count, flags; 2 = ASCII bytes at
        // the address), and these bytes are part of a literal that lives as long as the image.
        return unsafeBitCast((UInt(bitPattern: s.baseAddress), s.count, UInt8(2)), to: StaticString.self)
    }
}
