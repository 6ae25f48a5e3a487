/// FF-A function identifiers (FF-A v1.2, DEN0077A Table 13.x; 32-bit IDs are 0x8400_00nn,
/// 64-bit IDs 0xC400_00nn).
public enum FFAFunction {
    public static let FFA_ERROR: UInt32 = 0x8400_0060
    public static let FFA_SUCCESS_32: UInt32 = 0x8400_0061
    public static let FFA_SUCCESS_64: UInt32 = 0xC400_0061
    public static let FFA_INTERRUPT: UInt32 = 0x8400_0062
    public static let FFA_VERSION: UInt32 = 0x8400_0063
    public static let FFA_FEATURES: UInt32 = 0x8400_0064
    public static let FFA_RX_RELEASE: UInt32 = 0x8400_0065
    public static let FFA_RXTX_MAP_32: UInt32 = 0x8400_0066
    public static let FFA_RXTX_MAP_64: UInt32 = 0xC400_0066
    public static let FFA_RXTX_UNMAP: UInt32 = 0x8400_0067
    public static let FFA_PARTITION_INFO_GET: UInt32 = 0x8400_0068
    public static let FFA_ID_GET: UInt32 = 0x8400_0069
    public static let FFA_MSG_WAIT: UInt32 = 0x8400_006B
    public static let FFA_YIELD: UInt32 = 0x8400_006C
    public static let FFA_RUN: UInt32 = 0x8400_006D
    public static let FFA_MSG_SEND_DIRECT_REQ_32: UInt32 = 0x8400_006F
    public static let FFA_MSG_SEND_DIRECT_REQ_64: UInt32 = 0xC400_006F
    public static let FFA_MSG_SEND_DIRECT_RESP_32: UInt32 = 0x8400_0070
    public static let FFA_MSG_SEND_DIRECT_RESP_64: UInt32 = 0xC400_0070
    public static let FFA_SPM_ID_GET: UInt32 = 0x8400_0085
    public static let FFA_CONSOLE_LOG_32: UInt32 = 0x8400_008A
    public static let FFA_CONSOLE_LOG_64: UInt32 = 0xC400_008A
    public static let FFA_PARTITION_INFO_GET_REGS: UInt32 = 0xC400_008B
    public static let FFA_MSG_SEND_DIRECT_REQ2: UInt32 = 0xC400_008D
    public static let FFA_MSG_SEND_DIRECT_RESP2: UInt32 = 0xC400_008E
    /// FF-A v1.3: a partition reports a fatal error; it never runs again.
    public static let FFA_ABORT_32: UInt32 = 0x8400_0090
    public static let FFA_ABORT_64: UInt32 = 0xC400_0090

    /// How many registers, from x0, an FF-A message with `id` in w0 defines (FF-A v1.2 over
    /// SMCCC v1.2): x0...x17 for the SMC64 ABIs that use the extended registers (FFA_SUCCESS_64
    /// with x2...x17, FFA_MSG_SEND_DIRECT_REQ2/RESP2, FFA_CONSOLE_LOG_64), x0...x7 for every
    /// other one. Inside that span an unused register is MBZ; past it the receiver keeps its own.
    public static func definedRegisterCount(_ id: UInt32) -> Int {
        switch id {
        case FFA_SUCCESS_64, FFA_MSG_SEND_DIRECT_REQ2, FFA_MSG_SEND_DIRECT_RESP2, FFA_CONSOLE_LOG_64:
            return Registers.count
        default:
            return 8
        }
    }

    /// FF-A owns function numbers 0x60...0xFF of the standard secure service range.
    @inlinable @inline(__always)
    public static func isFFA(_ id: UInt32) -> Bool {
        let f = FunctionID(id)
        return f.ownerNumber == OwningEntity.standardSecure.rawValue
            && (0x60...0xFF).contains(f.functionNumber)
    }
}

/// FF-A version word: bit 31 MBZ, bits 30:16 major, bits 15:0 minor.
public struct FFAVersion: Equatable, Comparable, Sendable {
    public var major: UInt16
    public var minor: UInt16
    public init(major: UInt16, minor: UInt16) { self.major = major; self.minor = minor }

    /// Decodes a version word; nil when bit 31 is set (not a version: an error code).
    public init?(word: UInt32) {
        guard word & 0x8000_0000 == 0 else { return nil }
        major = UInt16(word >> 16)
        minor = UInt16(truncatingIfNeeded: word)
    }

    public var word: UInt32 { UInt32(major) << 16 | UInt32(minor) }

    public static let v1_0 = FFAVersion(major: 1, minor: 0)
    public static let v1_1 = FFAVersion(major: 1, minor: 1)
    public static let v1_2 = FFAVersion(major: 1, minor: 2)

    public static func < (a: FFAVersion, b: FFAVersion) -> Bool {
        (a.major, a.minor) < (b.major, b.minor)
    }
}
