/// FF-A error codes, carried in w2 of `FFA_ERROR` (FF-A v1.2 Table 12.x "Error status codes").
public enum FFAError: Int32, Error, Equatable, Sendable, CaseIterable {
    case notSupported = -1        // NOT_SUPPORTED
    case invalidParameters = -2   // INVALID_PARAMETERS
    case noMemory = -3            // NO_MEMORY
    case busy = -4                // BUSY
    case interrupted = -5         // INTERRUPTED
    case denied = -6              // DENIED
    case retry = -7               // RETRY
    case aborted = -8             // ABORTED
    case noData = -9              // NO_DATA (v1.1)
    case notReady = -10           // NOT_READY (v1.2)

    /// Decodes w2 of an `FFA_ERROR`; codes the spec does not define are nil.
    public init?(code: UInt32) { self.init(rawValue: Int32(bitPattern: code)) }

    /// The wire value for w2 (a zero-extended 32-bit signed code).
    public var code: UInt64 { UInt64(UInt32(bitPattern: rawValue)) }

    /// The spec's name, for logs and the shell.
    public var name: StaticString {
        switch self {
        case .notSupported: return "NOT_SUPPORTED"
        case .invalidParameters: return "INVALID_PARAMETERS"
        case .noMemory: return "NO_MEMORY"
        case .busy: return "BUSY"
        case .interrupted: return "INTERRUPTED"
        case .denied: return "DENIED"
        case .retry: return "RETRY"
        case .aborted: return "ABORTED"
        case .noData: return "NO_DATA"
        case .notReady: return "NOT_READY"
        }
    }
}

extension Registers {
    /// `FFA_ERROR` with `code` in w2.
    public static func ffaError(_ error: FFAError, target: UInt32 = 0) -> Registers {
        Registers(UInt64(FFAFunction.FFA_ERROR), UInt64(target), error.code)
    }

    /// `FFA_SUCCESS_32` with the given w2/w3.
    public static func ffaSuccess(_ w2: UInt64 = 0, _ w3: UInt64 = 0, target: UInt32 = 0) -> Registers {
        Registers(UInt64(FFAFunction.FFA_SUCCESS_32), UInt64(target), w2, w3)
    }
}
