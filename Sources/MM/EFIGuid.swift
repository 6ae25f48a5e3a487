/// An EFI_GUID as it sits in memory and on the wire: Data1 (u32), Data2 (u16) and Data3 (u16)
/// little-endian, then Data4 as 8 bytes (UEFI 2.10 Appendix A). Kept as its 16 stored bytes.
public struct EFIGuid: Equatable, Hashable, Sendable {
    public var lo: UInt64  // stored bytes 0-7, little-endian packed
    public var hi: UInt64  // stored bytes 8-15

    public init(lo: UInt64, hi: UInt64) { self.lo = lo; self.hi = hi }

    /// From the fields of the C initialiser `{Data1, Data2, Data3, {Data4[0..7]}}`.
    public init(_ data1: UInt32, _ data2: UInt16, _ data3: UInt16, _ data4: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)) {
        lo = UInt64(data1) | UInt64(data2) << 32 | UInt64(data3) << 48
        hi = UInt64(data4.0) | UInt64(data4.1) << 8 | UInt64(data4.2) << 16 | UInt64(data4.3) << 24
            | UInt64(data4.4) << 32 | UInt64(data4.5) << 40 | UInt64(data4.6) << 48 | UInt64(data4.7) << 56
    }

    /// Stored byte `i` (0..<16).
    public func byte(_ i: Int) -> UInt8 {
        i < 8 ? UInt8(truncatingIfNeeded: lo >> (8 * UInt64(i))) : UInt8(truncatingIfNeeded: hi >> (8 * UInt64(i - 8)))
    }

    /// From 16 stored bytes at `offset` of `bytes`; nil when they are not all there.
    public init?(bytes: [UInt8], at offset: Int) {
        guard offset >= 0, offset <= bytes.count - 16 else { return nil }
        var l: UInt64 = 0, h: UInt64 = 0
        for i in 0..<8 { l |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        for i in 0..<8 { h |= UInt64(bytes[offset + 8 + i]) << (8 * UInt64(i)) }
        lo = l; hi = h
    }

    /// The 16 stored bytes.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        out.withUnsafeMutableBytes { $0.mmPutGuid(self, at: 0) }
        return out
    }

    public static let zero = EFIGuid(lo: 0, hi: 0)
    /// gEfiSmmVariableProtocolGuid {0xed32d533, 0x99e6, 0x4209, {0x9c,0xc0,0x2d,0x72,0xcd,0xd9,0x98,0xa7}}.
    public static let smmVariableProtocol = EFIGuid(0xed32_d533, 0x99e6, 0x4209, (0x9c, 0xc0, 0x2d, 0x72, 0xcd, 0xd9, 0x98, 0xa7))
    /// EFI_GLOBAL_VARIABLE {0x8BE4DF61, 0x93CA, 0x11d2, {0xAA,0x0D,0x00,0xE0,0x98,0x03,0x2B,0x8C}}.
    public static let globalVariable = EFIGuid(0x8be4_df61, 0x93ca, 0x11d2, (0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c))
    /// EFI_IMAGE_SECURITY_DATABASE_GUID {0xd719b2cb, 0x3d3a, 0x4596, {0xa3,0xbc,0xda,0xd0,0x0e,0x67,0x65,0x6f}}:
    /// the vendor of db, dbx, dbt and dbr.
    public static let imageSecurityDatabase = EFIGuid(0xd719_b2cb, 0x3d3a, 0x4596, (0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f))
}
