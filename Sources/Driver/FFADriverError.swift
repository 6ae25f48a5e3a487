import ABI
import MM

/// Why the normal world has no FF-A: decided before any call, or from the first answers.
public enum NoFFAReason: Equatable, Sendable {
    /// The device tree names no PSCI conduit.
    case noPSCIMethod
    /// An `smc` would be UNDEFINED: ID_AA64PFR0_EL1 reports no EL3.
    case noEL3ForSMC
    /// An `hvc` would be UNDEFINED: ID_AA64PFR0_EL1 reports no EL2.
    case noEL2ForHVC
    /// At EL2 an `hvc` enters our own vectors: there is no hypervisor above to answer it.
    case hvcAtEL2
    /// The normal-world driver runs at EL1 or EL2 only.
    case unsupportedExceptionLevel(UInt8)
    /// `SMCCC_VERSION` answered NOT_SUPPORTED (an SMCCC v1.0 implementation).
    case smcccVersionNotSupported
    /// `SMCCC_VERSION` answered a version below 1.1, or no version at all (the word it sent).
    case smcccTooOld(UInt32)
    /// `FFA_VERSION` answered NOT_SUPPORTED: no FF-A implementation above us.
    case ffaVersionNotSupported
    /// The driver was used before a successful `probe()`.
    case notProbed

    public var name: StaticString {
        let i: Int
        switch self {
        case .noPSCIMethod: i = 0
        case .noEL3ForSMC: i = 1
        case .noEL2ForHVC: i = 2
        case .hvcAtEL2: i = 3
        case .unsupportedExceptionLevel: i = 4
        case .smcccVersionNotSupported: i = 5
        case .smcccTooOld: i = 6
        case .ffaVersionNotSupported: i = 7
        case .notProbed: i = 8
        }
        return NameList.entry("""
            no PSCI conduit in the device tree\0smc conduit but no EL3\0hvc conduit but no EL2\0\
            hvc conduit while running at EL2\0not running at EL1 or EL2\0\
            SMCCC_VERSION not supported (SMCCC v1.0)\0SMCCC version below 1.1\0\
            FFA_VERSION not supported\0FF-A not probed
            """, i)
    }
}

/// Every way an FF-A exchange can fail, as seen by the normal-world driver.
public enum FFADriverError: Error, Equatable, Sendable {
    /// `FFA_ERROR` with a code the spec defines (also used for a local rejection that the
    /// other side would have answered with the same code).
    case ffa(FFAError)
    /// `FFA_ERROR` with a code the spec does not define (the w2 received).
    case unknownErrorCode(UInt32)
    /// An answer whose function ID the call does not allow (the w0 received).
    case unexpectedFunction(UInt32)
    /// A direct response whose w1 does not name (responder = target, receiver = us).
    case unexpectedEndpoints(UInt32)
    /// Partition descriptors that do not fit, or sizes and indices that contradict each other.
    case malformedDescriptors
    /// Interface properties from `FFA_FEATURES` with a reserved value (the w2 received).
    case malformedProperties(UInt32)
    /// `FFA_VERSION` answered a version we cannot work with (the word received).
    case versionIncompatible(UInt32)
    /// FF-A is absent, and why.
    case noFFA(NoFFAReason)
    /// The call needs the RX/TX pair, which is not mapped.
    case rxtxNotMapped
    /// The RX/TX buffers offered are smaller than, or not aligned to, the SPMC's minimum.
    case rxtxBuffersUnsuitable
    /// BUSY, RETRY, or FFA_INTERRUPT/FFA_YIELD (`.interrupted`) still after the bounded retries.
    case retriesExhausted(FFAError)

    public var name: StaticString {
        let i: Int
        switch self {
        case .ffa(let e): i = 8 - Int(e.rawValue)   // the spec's codes -1...-10: FFAError.name's
        case .noFFA(let reason): return reason.name
        case .unknownErrorCode: i = 0
        case .unexpectedFunction: i = 1
        case .unexpectedEndpoints: i = 2
        case .malformedDescriptors: i = 3
        case .malformedProperties: i = 4
        case .versionIncompatible: i = 5
        case .rxtxNotMapped: i = 6
        case .rxtxBuffersUnsuitable: i = 7
        case .retriesExhausted: i = 8
        }
        return NameList.entry("""
            unknown FF-A error code\0unexpected function ID in the answer\0\
            response from the wrong endpoint\0malformed partition descriptors\0\
            malformed FFA_FEATURES properties\0incompatible FF-A version\0RX/TX buffers not mapped\0\
            RX/TX buffers too small or misaligned\0retries exhausted\0NOT_SUPPORTED\0\
            INVALID_PARAMETERS\0NO_MEMORY\0BUSY\0INTERRUPTED\0DENIED\0RETRY\0ABORTED\0NO_DATA\0NOT_READY
            """, i)
    }

    /// The error an `FFA_ERROR` answer carries.
    static func fromErrorAnswer(_ r: borrowing Registers) -> FFADriverError {
        fromErrorCode(Interface.errorCode(r))
    }

    /// The error of an `FFA_ERROR` whose w2 is `code`. Out of line: every call's answer checks
    /// it (five sites), where only its code differs.
    @inline(never)
    static func fromErrorCode(_ code: UInt32) -> FFADriverError {
        if let e = FFAError(code: code) { return .ffa(e) }
        return .unknownErrorCode(code)
    }
}
