/// An EFI_STATUS (UEFI 2.10 Appendix D; EDK2 `MdePkg/Include/Base.h`): 64-bit, errors have the
/// top bit set, `ENCODE_ERROR(n) = MAX_BIT | n`. PI codes (`PI_ENCODE_ERROR`) also set bit 61.
/// A struct rather than an enum so any value read from the wire survives unchanged.
public struct EFIStatus: RawRepresentable, Equatable, Sendable {
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// MAX_BIT of a UINTN on AArch64.
    public static let errorBit: UInt64 = 1 << 63
    /// MAX_BIT >> 2, the PI specification's tag (`PiMultiPhase.h`).
    public static let piBit: UInt64 = 1 << 61

    public var isError: Bool { rawValue & EFIStatus.errorBit != 0 }
    public var isSuccess: Bool { rawValue == 0 }

    static func error(_ n: UInt64) -> EFIStatus { EFIStatus(rawValue: errorBit | n) }
    static func warning(_ n: UInt64) -> EFIStatus { EFIStatus(rawValue: n) }

    public static let success = EFIStatus(rawValue: 0)
    public static let loadError = error(1)
    public static let invalidParameter = error(2)
    public static let unsupported = error(3)
    public static let badBufferSize = error(4)
    public static let bufferTooSmall = error(5)
    public static let notReady = error(6)
    public static let deviceError = error(7)
    public static let writeProtected = error(8)
    public static let outOfResources = error(9)
    public static let volumeCorrupted = error(10)
    public static let volumeFull = error(11)
    public static let noMedia = error(12)
    public static let mediaChanged = error(13)
    public static let notFound = error(14)
    public static let accessDenied = error(15)
    public static let noResponse = error(16)
    public static let noMapping = error(17)
    public static let timeout = error(18)
    public static let notStarted = error(19)
    public static let alreadyStarted = error(20)
    public static let aborted = error(21)
    public static let icmpError = error(22)
    public static let tftpError = error(23)
    public static let protocolError = error(24)
    public static let incompatibleVersion = error(25)
    public static let securityViolation = error(26)
    public static let crcError = error(27)
    public static let endOfMedia = error(28)
    public static let endOfFile = error(31)
    public static let invalidLanguage = error(32)
    public static let compromisedData = error(33)
    public static let ipAddressConflict = error(34)
    public static let httpError = error(35)
    /// PI 1.x `EFI_INTERRUPT_PENDING = PI_ENCODE_ERROR(0)`.
    public static let interruptPending = EFIStatus(rawValue: errorBit | piBit)

    public static let warnUnknownGlyph = warning(1)
    public static let warnDeleteFailure = warning(2)
    public static let warnWriteFailure = warning(3)
    public static let warnBufferTooSmall = warning(4)
    public static let warnStaleData = warning(5)
    public static let warnFileSystem = warning(6)
    public static let warnResetRequired = warning(7)

    /// Every status this type names, for logs and tests.
    public static let known: [EFIStatus] = [
        .success, .loadError, .invalidParameter, .unsupported, .badBufferSize, .bufferTooSmall,
        .notReady, .deviceError, .writeProtected, .outOfResources, .volumeCorrupted, .volumeFull,
        .noMedia, .mediaChanged, .notFound, .accessDenied, .noResponse, .noMapping, .timeout,
        .notStarted, .alreadyStarted, .aborted, .icmpError, .tftpError, .protocolError,
        .incompatibleVersion, .securityViolation, .crcError, .endOfMedia, .endOfFile,
        .invalidLanguage, .compromisedData, .ipAddressConflict, .httpError, .interruptPending,
        .warnUnknownGlyph, .warnDeleteFailure, .warnWriteFailure, .warnBufferTooSmall,
        .warnStaleData, .warnFileSystem, .warnResetRequired,
    ]

    /// The spec's name; "EFI_STATUS_UNKNOWN" for a value no specification assigns.
    public var name: StaticString {
        if rawValue == EFIStatus.interruptPending.rawValue { return "EFI_INTERRUPT_PENDING" }
        if isError {
            switch rawValue & ~EFIStatus.errorBit {
            case 1: return "EFI_LOAD_ERROR"
            case 2: return "EFI_INVALID_PARAMETER"
            case 3: return "EFI_UNSUPPORTED"
            case 4: return "EFI_BAD_BUFFER_SIZE"
            case 5: return "EFI_BUFFER_TOO_SMALL"
            case 6: return "EFI_NOT_READY"
            case 7: return "EFI_DEVICE_ERROR"
            case 8: return "EFI_WRITE_PROTECTED"
            case 9: return "EFI_OUT_OF_RESOURCES"
            case 10: return "EFI_VOLUME_CORRUPTED"
            case 11: return "EFI_VOLUME_FULL"
            case 12: return "EFI_NO_MEDIA"
            case 13: return "EFI_MEDIA_CHANGED"
            case 14: return "EFI_NOT_FOUND"
            case 15: return "EFI_ACCESS_DENIED"
            case 16: return "EFI_NO_RESPONSE"
            case 17: return "EFI_NO_MAPPING"
            case 18: return "EFI_TIMEOUT"
            case 19: return "EFI_NOT_STARTED"
            case 20: return "EFI_ALREADY_STARTED"
            case 21: return "EFI_ABORTED"
            case 22: return "EFI_ICMP_ERROR"
            case 23: return "EFI_TFTP_ERROR"
            case 24: return "EFI_PROTOCOL_ERROR"
            case 25: return "EFI_INCOMPATIBLE_VERSION"
            case 26: return "EFI_SECURITY_VIOLATION"
            case 27: return "EFI_CRC_ERROR"
            case 28: return "EFI_END_OF_MEDIA"
            case 31: return "EFI_END_OF_FILE"
            case 32: return "EFI_INVALID_LANGUAGE"
            case 33: return "EFI_COMPROMISED_DATA"
            case 34: return "EFI_IP_ADDRESS_CONFLICT"
            case 35: return "EFI_HTTP_ERROR"
            default: return "EFI_STATUS_UNKNOWN"
            }
        }
        switch rawValue {
        case 0: return "EFI_SUCCESS"
        case 1: return "EFI_WARN_UNKNOWN_GLYPH"
        case 2: return "EFI_WARN_DELETE_FAILURE"
        case 3: return "EFI_WARN_WRITE_FAILURE"
        case 4: return "EFI_WARN_BUFFER_TOO_SMALL"
        case 5: return "EFI_WARN_STALE_DATA"
        case 6: return "EFI_WARN_FILE_SYSTEM"
        case 7: return "EFI_WARN_RESET_REQUIRED"
        default: return "EFI_STATUS_UNKNOWN"
        }
    }
}
