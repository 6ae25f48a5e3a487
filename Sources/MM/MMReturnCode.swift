/// The MM return code a partition puts in w3 of `FFA_MSG_SEND_DIRECT_RESP_64` (Arm MM interface;
/// TF-A `SPM_MM_*`, Trusted Services `MM_RETURN_CODE_*`, U-Boot `MM_*`). -4 is unused by the spec.
public enum MMReturnCode: Int32, Equatable, Sendable, CaseIterable {
    case success = 0            // MM SUCCESS
    case notSupported = -1      // NOT_SUPPORTED
    case invalidParameter = -2  // INVALID_PARAMETER
    case denied = -3            // DENIED
    case noMemory = -5          // NO_MEMORY

    /// Parses the low 32 bits of x3 as a signed code, as U-Boot does (`int sp_event_ret`).
    /// -4 is read as NO_MEMORY, because EDK2's `ARM_SMC_MM_RET_NO_MEMORY` says -4; other values are nil.
    public init?(register: UInt64) {
        let code = Int32(truncatingIfNeeded: register)
        if code == -4 { self = .noMemory; return }
        self.init(rawValue: code)
    }

    /// The value for x3: the 32-bit code, zero-extended (a w3 result).
    public var register: UInt64 { UInt64(UInt32(bitPattern: rawValue)) }

    public var name: StaticString {
        switch self {
        case .success: return "MM_SUCCESS"
        case .notSupported: return "MM_NOT_SUPPORTED"
        case .invalidParameter: return "MM_INVALID_PARAMETER"
        case .denied: return "MM_DENIED"
        case .noMemory: return "MM_NO_MEMORY"
        }
    }
}

extension EFIStatus {
    /// The EFI status a client reports for the MM return code in x3, as U-Boot's
    /// `ffa_notify_mm_sp` + `ffa_mm_communicate` do: NOT_SUPPORTED → EFI_DEVICE_ERROR,
    /// INVALID_PARAMETER → EFI_INVALID_PARAMETER, DENIED → EFI_ACCESS_DENIED, NO_MEMORY (-5, and
    /// -4 as parsed above) → EFI_OUT_OF_RESOURCES, anything else → EFI_ACCESS_DENIED.
    /// Success maps to EFI_SUCCESS: the caller then reports the variable header's ReturnStatus.
    public init(mmReturnRegister register: UInt64) {
        guard let code = MMReturnCode(register: register) else { self = .accessDenied; return }
        self.init(mmReturn: code)
    }

    public init(mmReturn code: MMReturnCode) {
        switch code {
        case .success: self = .success
        case .notSupported: self = .deviceError
        case .invalidParameter: self = .invalidParameter
        case .denied: self = .accessDenied
        case .noMemory: self = .outOfResources
        }
    }
}
