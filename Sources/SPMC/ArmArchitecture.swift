import ABI

/// Arm architecture calls (owning entity 0; SMCCC v1.2 §7). Results are in w0 alone.
enum ArmArchitecture {
    /// SMCCC_VERSION: we implement SMCCC v1.2 (x0..x17 argument and result passing).
    static let smcccVersion = SMCCC.version1_2

    /// `r` is the caller's registers; the answer is them with w0 written.
    static func handle(_ r: Registers, function: UInt32) -> Registers {
        switch function {
        case SMCCC.SMCCC_VERSION:
            return r.returning(UInt64(smcccVersion))
        case SMCCC.SMCCC_ARCH_FEATURES:
            // w1 = the queried function: 0 if implemented. No CPU workaround calls are.
            switch r.w(1) {
            case SMCCC.SMCCC_VERSION, SMCCC.SMCCC_ARCH_FEATURES: return r.returning(status: 0)
            default: return r.returning(status: Int32(bitPattern: SMCCC.NOT_SUPPORTED))
            }
        default:
            return r.unknownFunction(FunctionID(function))
        }
    }
}
