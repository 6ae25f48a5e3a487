import MM

/// Keys of the store: (GUID, name), the name normalised to end at its first NUL character.
enum VariableKey {
    /// Whether (ga, na) sorts before (gb, nb): by GUID bytes, then name bytes. Out of line: a
    /// listing asks it at four places, each inlined copy its own word loop.
    @inline(never)
    static func precedes(_ ga: EFIGuid, _ na: [UInt8], _ gb: EFIGuid, _ nb: [UInt8]) -> Bool {
        if ga != gb { return EFIGuid.precedes(ga, gb) }
        return na.withUnsafeBytes { a in nb.withUnsafeBytes { b in precedes(a, b) } }
    }

    /// Whether name `a` sorts before name `b` (bytes, then the shorter first). Both start 8-byte
    /// aligned (an array's storage, the mount's copies of names).
    static func precedes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        let n = a.count < b.count ? a.count : b.count
        var i = 0
        // Eight bytes a step: the first word that differs, read big-endian, orders the names as
        // its first differing byte does.
        while n &- i >= 8 {
            let x = a.load(fromByteOffset: i, as: UInt64.self), y = b.load(fromByteOffset: i, as: UInt64.self)
            if x != y { return UInt64(littleEndian: x).byteSwapped < UInt64(littleEndian: y).byteSwapped }
            i &+= 8
        }
        while i < n {
            if a[i] != b[i] { return a[i] < b[i] }
            i &+= 1
        }
        return a.count < b.count
    }

    /// A stored name the store can serve: well formed and cut at its only NUL, so a damaged
    /// record handed up by a medium is skipped rather than listed.
    static func isServable(_ name: [UInt8]) -> Bool {
        UCS2.isWellFormed(name) && UCS2.terminatedSize(name) == name.count && name.count > 2
    }
}
