/// SMC Calling Convention function identifiers (Arm DEN0028, §2.5).
///
/// bit 31 fast call, bit 30 SMC64, bits 29:24 owning entity, bits 23:17 MBZ,
/// bit 16 SVE hint (v1.3), bits 15:0 function number.
public struct FunctionID: Equatable, Hashable, Sendable {
    public var raw: UInt32
    @inlinable @inline(__always) public init(_ raw: UInt32) { self.raw = raw }

    @inlinable @inline(__always) public var isFastCall: Bool { raw & 0x8000_0000 != 0 }
    @inlinable @inline(__always) public var isSMC64: Bool { raw & 0x4000_0000 != 0 }
    public var owner: OwningEntity? { OwningEntity(rawValue: UInt8((raw >> 24) & 0x3F)) }
    @inlinable @inline(__always) public var ownerNumber: UInt8 { UInt8((raw >> 24) & 0x3F) }
    @inlinable @inline(__always) public var functionNumber: UInt16 { UInt16(raw & 0xFFFF) }
    /// Bits 23:17 must be zero in every call.
    @inlinable @inline(__always) public var hasReservedBitsSet: Bool { raw & 0x00FE_0000 != 0 }
    /// The same ID with the SVE live-state hint (bit 16) cleared.
    @inlinable @inline(__always) public var withoutSVEHint: FunctionID { FunctionID(raw & ~0x0001_0000) }
}

public enum OwningEntity: UInt8, Sendable {
    case armArchitecture = 0
    case cpu = 1
    case sip = 2
    case oem = 3
    case standardSecure = 4
    case standardHypervisor = 5
    case vendorHypervisor = 6
}

/// SMCCC architecture calls and PSCI (Arm DEN0022).
public enum SMCCC {
    public static let SMCCC_VERSION: UInt32 = 0x8000_0000
    public static let SMCCC_ARCH_FEATURES: UInt32 = 0x8000_0001
    /// Return value for an unknown function (as a 32-bit signed -1).
    public static let NOT_SUPPORTED: UInt32 = 0xFFFF_FFFF
    public static let version1_1: UInt32 = 0x1_0001
    public static let version1_2: UInt32 = 0x1_0002

    public static let PSCI_VERSION: UInt32 = 0x8400_0000
    public static let PSCI_CPU_OFF: UInt32 = 0x8400_0002
    public static let PSCI_CPU_ON_64: UInt32 = 0xC400_0003
    public static let PSCI_SYSTEM_OFF: UInt32 = 0x8400_0008
    public static let PSCI_SYSTEM_RESET: UInt32 = 0x8400_0009
    public static let PSCI_FEATURES: UInt32 = 0x8400_000A
    public static let psciVersion1_1: UInt32 = 0x1_0001

    /// PSCI return codes (DEN0022 §5.2.2).
    public static let PSCI_SUCCESS: Int32 = 0
    public static let PSCI_NOT_SUPPORTED: Int32 = -1
    public static let PSCI_INVALID_PARAMETERS: Int32 = -2
    public static let PSCI_DENIED: Int32 = -3
}
