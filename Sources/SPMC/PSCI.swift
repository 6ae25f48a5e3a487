import ABI

/// PSCI (Arm DEN0022), function numbers 0x00...0x1F of the standard secure service range.
/// Only what a single-core QEMU machine needs: version, features, system off and reset.
enum PSCI {
    static let highestFunctionNumber: UInt16 = 0x1F

    /// The functions PSCI_FEATURES reports as present (SMCCC_VERSION included, as SMCCC v1.1+
    /// requires, so callers can discover SMCCC through PSCI).
    static func isImplemented(_ function: UInt32) -> Bool {
        switch function {
        case SMCCC.PSCI_VERSION, SMCCC.PSCI_FEATURES, SMCCC.PSCI_SYSTEM_OFF,
             SMCCC.PSCI_SYSTEM_RESET, SMCCC.SMCCC_VERSION:
            return true
        default:
            return false
        }
    }

    /// `r` is the caller's registers; every answer is them with w0 written.
    static func handle(_ r: Registers, function: UInt32, from world: World) -> Outcome {
        switch function {
        case SMCCC.PSCI_VERSION:
            return .resume(world, r.returning(UInt64(SMCCC.psciVersion1_1)))
        case SMCCC.PSCI_FEATURES:
            return .resume(world, r.returning(status: isImplemented(r.w(1)) ? SMCCC.PSCI_SUCCESS : SMCCC.PSCI_NOT_SUPPORTED))
        case SMCCC.PSCI_SYSTEM_OFF, SMCCC.PSCI_SYSTEM_RESET:
            // Powering the machine is the normal world's call; a partition is refused.
            guard world == .normal else { return .resume(world, r.returning(status: SMCCC.PSCI_DENIED)) }
            return Outcome(function == SMCCC.PSCI_SYSTEM_OFF ? .systemOff : .systemReset)
        default:
            return .resume(world, r.returning(status: SMCCC.PSCI_NOT_SUPPORTED))
        }
    }
}
