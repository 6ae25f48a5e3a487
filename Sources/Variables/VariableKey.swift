import MM

/// Keys of the store: (GUID, name), the name normalised to end at its first NUL character.
enum VariableKey {
    /// Whether (ga, na) sorts before (gb, nb): by GUID bytes, then name bytes.
    static func precedes(_ ga: EFIGuid, _ na: [UInt8], _ gb: EFIGuid, _ nb: [UInt8]) -> Bool {
        if ga != gb { return EFIGuid.precedes(ga, gb) }
        let n = na.count < nb.count ? na.count : nb.count
        return na.withUnsafeBytes { a in
            nb.withUnsafeBytes { b in
                var i = 0
                // Eight bytes a step (an array's storage is 8-byte aligned): the first word that
                // differs, read big-endian, orders the names as its first differing byte does.
                while n &- i >= 8 {
                    let x = a.load(fromByteOffset: i, as: UInt64.self), y = b.load(fromByteOffset: i, as: UInt64.self)
                    if x != y { return UInt64(littleEndian: x).byteSwapped < UInt64(littleEndian: y).byteSwapped }
                    i &+= 8
                }
                while i < n {
                    if a[i] != b[i] { return a[i] < b[i] }
                    i &+= 1
                }
                return na.count < nb.count
            }
        }
    }

    /// A stored name the store can serve: well formed and cut at its only NUL, so a damaged
    /// record handed up by a medium is skipped rather than listed.
    static func isServable(_ name: [UInt8]) -> Bool {
        UCS2.isWellFormed(name) && UCS2.terminatedSize(name) == name.count && name.count > 2
    }
}
