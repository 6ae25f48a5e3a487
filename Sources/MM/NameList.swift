/// Names kept as one literal, each ended by a NUL: a name getter computes an index and asks for
/// that entry, rather than a switch whose every case materialises its own StaticString (12-16 B
/// of code a case).
public enum NameList {
    /// Entry `index` (from 0) of `names`, a literal of NUL-ended names; empty past the last.
    @inline(never)
    public static func entry(_ names: StaticString, _ index: Int) -> StaticString {
        let end = names.utf8Start + names.utf8CodeUnitCount
        var p = names.utf8Start
        var i = index
        while i > 0 && p < end {
            if p.pointee == 0 { i -= 1 }
            p += 1
        }
        var n = 0
        while p + n < end && p[n] != 0 { n += 1 }
        // Safety: StaticString is frozen as (start address, UTF-8 count, flags; 2 = ASCII bytes at
        // the address), and these bytes are part of a literal that lives as long as the image.
        return unsafeBitCast((UInt(bitPattern: p), n, UInt8(2)), to: StaticString.self)
    }
}
