import MM

/// Keys of the store: (GUID, name), the name normalised to end at its first NUL character.
enum VariableKey {
    /// Whether (ga, na) sorts before (gb, nb): by GUID bytes, then name bytes.
    static func precedes(_ ga: EFIGuid, _ na: [UInt8], _ gb: EFIGuid, _ nb: [UInt8]) -> Bool {
        if ga != gb { return EFIGuid.precedes(ga, gb) }
        let n = na.count < nb.count ? na.count : nb.count
        for i in 0..<n where na[i] != nb[i] { return na[i] < nb[i] }
        return na.count < nb.count
    }

    /// A stored name the store can serve: well formed and cut at its only NUL, so a damaged
    /// record handed up by a medium is skipped rather than listed.
    static func isServable(_ name: [UInt8]) -> Bool {
        UCS2.isWellFormed(name) && UCS2.terminatedSize(name) == name.count && name.count > 2
    }
}
