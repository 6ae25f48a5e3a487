/// FF-A endpoint IDs and the platform's well-known partitions (docs/design.md "Contracts").
public enum Endpoint {
    /// The normal world's physical instance (OS or loader with no hypervisor).
    public static let normalWorld: UInt16 = 0
    public static let spmc: UInt16 = 0x8000
    public static let mmPartition: UInt16 = 0x8001

    /// Bit 15 set: a secure-world endpoint.
    public static func isSecure(_ id: UInt16) -> Bool { id & 0x8000 != 0 }
}

/// A 16-byte UUID held as its RFC 4122 octets (the printed byte order).
public struct UUID: Equatable, Sendable {
    public var bytes: (UInt64, UInt64)  // octets 0-7 and 8-15, little-endian packed

    /// From the canonical octets, as they appear in the printed form.
    public init(octets: [UInt8]) {
        precondition(octets.count == 16)
        var lo: UInt64 = 0, hi: UInt64 = 0
        for i in 0..<8 { lo |= UInt64(octets[i]) << (8 * UInt64(i)) }
        for i in 0..<8 { hi |= UInt64(octets[8 + i]) << (8 * UInt64(i)) }
        bytes = (lo, hi)
    }

    /// From the two little-endian u64 register words (x1/x2 of the 64-bit ABIs).
    public init(lo: UInt64, hi: UInt64) { bytes = (lo, hi) }

    /// From the four little-endian u32 register words (w1..w4 of FFA_PARTITION_INFO_GET).
    public init(w1: UInt32, w2: UInt32, w3: UInt32, w4: UInt32) {
        bytes = (UInt64(w2) << 32 | UInt64(w1), UInt64(w4) << 32 | UInt64(w3))
    }

    public var words: (UInt32, UInt32, UInt32, UInt32) {
        (UInt32(truncatingIfNeeded: bytes.0), UInt32(truncatingIfNeeded: bytes.0 >> 32),
         UInt32(truncatingIfNeeded: bytes.1), UInt32(truncatingIfNeeded: bytes.1 >> 32))
    }

    public func octet(_ i: Int) -> UInt8 {
        i < 8 ? UInt8(truncatingIfNeeded: bytes.0 >> (8 * UInt64(i)))
              : UInt8(truncatingIfNeeded: bytes.1 >> (8 * UInt64(i - 8)))
    }

    public var isNil: Bool { bytes.0 == 0 && bytes.1 == 0 }

    public static let `nil` = UUID(lo: 0, hi: 0)
    /// gEfiSmmVariableProtocolGuid as an FF-A UUID: ed32d533-99e6-4209-9cc0-2d72cdd998a7.
    /// Register words 0x33d532ed, 0x0942e699, 0x722dc09c, 0xa798d9cd.
    public static let mmVariable = UUID(w1: 0x33d5_32ed, w2: 0x0942_e699, w3: 0x722d_c09c, w4: 0xa798_d9cd)

    public static func == (a: UUID, b: UUID) -> Bool { a.bytes.0 == b.bytes.0 && a.bytes.1 == b.bytes.1 }
}
