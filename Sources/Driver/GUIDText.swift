import MM

/// EFI GUID text, as `setenv -e -guid` and `printenv -e` take and print it.
public enum GUIDText {
    /// 8-4-4-4-12 hex text to the stored GUID: the first three fields are little-endian numbers
    /// (Data1..3), the last two are the Data4 bytes in order (UEFI 2.10 Appendix A).
    public static func parse(_ text: [UInt8]) throws(ShellArgumentError) -> EFIGuid {
        guard let t = UUIDText.textOctets(text) else { throw .malformedGUID }
        var lo: UInt64 = 0, hi: UInt64 = 0
        for i in 0..<8 {
            lo |= UInt64(t[textIndex(i)]) << (8 * UInt64(i))
            hi |= UInt64(t[8 + i]) << (8 * UInt64(i))
        }
        return EFIGuid(lo: lo, hi: hi)
    }

    /// The lower-case 8-4-4-4-12 text of a stored GUID (36 ASCII bytes).
    public static func format(_ guid: EFIGuid) -> [UInt8] {
        var t = [UInt8](repeating: 0, count: 16)
        for i in 0..<16 { t[textIndex(i)] = guid.byte(i) }
        return UUIDText.format(t)
    }

    /// `format`'s text handed to `put` a character at a time (text byte j is stored byte
    /// textIndex(j): the order is its own inverse).
    public static func write(_ guid: EFIGuid, _ put: (UInt8) -> Void) {
        UUIDText.write({ guid.byte(textIndex($0)) }, put)
    }

    /// The names U-Boot prints for well-known vendor GUIDs.
    public static func knownName(_ guid: EFIGuid) -> StaticString? {
        if guid == .globalVariable { return "EFI_GLOBAL_VARIABLE_GUID" }
        if guid == .imageSecurityDatabase { return "EFI_IMAGE_SECURITY_DATABASE_GUID" }
        return nil
    }

    /// Stored byte i is text byte textIndex(i): 3 2 1 0 5 4 7 6 8 9 ... 15 (Data1..3 are
    /// little-endian numbers; the order is its own inverse). Arithmetic, not a table.
    static func textIndex(_ i: Int) -> Int {
        i < 4 ? 3 - i : (i < 6 ? 9 - i : (i < 8 ? 13 - i : i))
    }
}
