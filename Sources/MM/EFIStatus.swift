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
        var i = 0
        if rawValue == EFIStatus.interruptPending.rawValue {
            i = 44
        } else if isError {
            let n = rawValue & ~EFIStatus.errorBit
            if n >= 1 && n <= 35 && n != 29 && n != 30 { i = Int(n) }
        } else if rawValue <= 7 {
            i = 36 + Int(rawValue)
        }
        return NameList.entry(EFIStatus.names, i)
    }

    /// `name`'s entries: 0 unknown, 1...35 the errors by number (29 and 30 unassigned, empty),
    /// 36...43 EFI_SUCCESS and the warnings by number, 44 the PI's EFI_INTERRUPT_PENDING.
    static var names: StaticString { """
        EFI_STATUS_UNKNOWN\0EFI_LOAD_ERROR\0EFI_INVALID_PARAMETER\0EFI_UNSUPPORTED\0\
        EFI_BAD_BUFFER_SIZE\0EFI_BUFFER_TOO_SMALL\0EFI_NOT_READY\0EFI_DEVICE_ERROR\0\
        EFI_WRITE_PROTECTED\0EFI_OUT_OF_RESOURCES\0EFI_VOLUME_CORRUPTED\0EFI_VOLUME_FULL\0\
        EFI_NO_MEDIA\0EFI_MEDIA_CHANGED\0EFI_NOT_FOUND\0EFI_ACCESS_DENIED\0EFI_NO_RESPONSE\0\
        EFI_NO_MAPPING\0EFI_TIMEOUT\0EFI_NOT_STARTED\0EFI_ALREADY_STARTED\0EFI_ABORTED\0\
        EFI_ICMP_ERROR\0EFI_TFTP_ERROR\0EFI_PROTOCOL_ERROR\0EFI_INCOMPATIBLE_VERSION\0\
        EFI_SECURITY_VIOLATION\0EFI_CRC_ERROR\0EFI_END_OF_MEDIA\0\0\0EFI_END_OF_FILE\0\
        EFI_INVALID_LANGUAGE\0EFI_COMPROMISED_DATA\0EFI_IP_ADDRESS_CONFLICT\0EFI_HTTP_ERROR\0\
        EFI_SUCCESS\0EFI_WARN_UNKNOWN_GLYPH\0EFI_WARN_DELETE_FAILURE\0EFI_WARN_WRITE_FAILURE\0\
        EFI_WARN_BUFFER_TOO_SMALL\0EFI_WARN_STALE_DATA\0EFI_WARN_FILE_SYSTEM\0\
        EFI_WARN_RESET_REQUIRED\0EFI_INTERRUPT_PENDING
        """ }
}
