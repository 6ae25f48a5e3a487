/// Why an MM buffer was not accepted: what the other side sent, in detail. `mmReturnCode` and
/// `returnStatus` turn it into the answer on the wire, in one place.
public enum MMDecodeError: Error, Equatable, Sendable {
    /// Fewer than 24 bytes: no EFI_MM_COMMUNICATE_HEADER.
    case truncatedCommunicateHeader
    /// 24 + MessageLength is beyond the bytes given (or overflows).
    case messageBeyondBuffer
    /// HeaderGuid names no service we run.
    case unknownHeaderGuid(EFIGuid)
    /// MessageLength < 16: no SMM_VARIABLE_COMMUNICATE_HEADER.
    case truncatedVariableHeader
    /// A function number we do not serve (or do not know).
    case unsupportedFunction(UInt64)
    /// The payload is shorter than the fixed part of its structure.
    case truncatedPayload
    /// NameSize (with DataSize) reaches beyond the payload, or overflows.
    case sizesBeyondPayload
    /// NameSize < 2: no room even for the NUL terminator.
    case nameSizeTooSmall
    /// NameSize is odd: not a whole number of UCS-2 characters.
    case nameSizeOdd
    /// The character at NameSize/2 - 1 is not NUL.
    case nameNotTerminated

    /// The MM return code for x3: transport faults only; everything else is MM SUCCESS and
    /// reported in ReturnStatus. Codes as Trusted Services' smm-gateway answers them: a bad
    /// length is INVALID_PARAMETER, an unknown service GUID NOT_SUPPORTED, a message too short
    /// for the variable header DENIED.
    public var mmReturnCode: MMReturnCode {
        switch self {
        case .truncatedCommunicateHeader, .messageBeyondBuffer: return .invalidParameter
        case .unknownHeaderGuid: return .notSupported
        case .truncatedVariableHeader: return .denied
        case .unsupportedFunction, .truncatedPayload, .sizesBeyondPayload, .nameSizeTooSmall,
             .nameSizeOdd, .nameNotTerminated:
            return .success
        }
    }

    /// The SMM_VARIABLE_COMMUNICATE_HEADER.ReturnStatus for a fault inside the message: an
    /// unknown function is EFI_UNSUPPORTED; a malformed payload is EFI_ACCESS_DENIED, as EDK2's
    /// `SmmVariableHandler` answers. (EDK2 leaves ReturnStatus untouched for a payload shorter
    /// than its fixed part; we answer EFI_ACCESS_DENIED there too, so a zero-filled buffer never
    /// reads as success.) Transport faults have no ReturnStatus; EFI_ACCESS_DENIED is returned
    /// for them only so the property is total.
    public var returnStatus: EFIStatus {
        switch self {
        case .unsupportedFunction: return .unsupported
        case .truncatedCommunicateHeader, .messageBeyondBuffer, .unknownHeaderGuid,
             .truncatedVariableHeader, .truncatedPayload, .sizesBeyondPayload, .nameSizeTooSmall,
             .nameSizeOdd, .nameNotTerminated:
            return .accessDenied
        }
    }
}
