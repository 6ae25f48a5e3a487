import ABI
import SPMC

/// PSCI (Arm DEN0022), function numbers 0x00...0x1F of the standard secure service range.
/// Only what a single-core QEMU machine needs: version, features, system off and reset. Every
/// answer is a status or version in w0 alone.
public enum PSCIService: SimpleService {
    static let highestFunctionNumber: UInt16 = 0x1F

    @inline(__always)
    public static func owns(_ function: FunctionID) -> Bool {
        function.ownerNumber == OwningEntity.standardSecure.rawValue && function.functionNumber <= highestFunctionNumber
    }

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

    static func status(_ s: Int32) -> UInt64 { UInt64(UInt32(bitPattern: s)) }

    public static func handle(_ r: inout Registers, from world: World) -> MonitorAction {
        let result: UInt64
        switch Interface.function(r.function) {
        case .psciVersion?:
            result = UInt64(SMCCC.psciVersion1_1)
        case .psciFeatures?:
            result = status(isImplemented(Interface.queriedFunction(r)) ? SMCCC.PSCI_SUCCESS : SMCCC.PSCI_NOT_SUPPORTED)
        case .psciSystemOff?, .psciSystemReset?:
            // Powering the machine is the normal world's call; a partition is refused.
            guard world == .normal else {
                result = status(SMCCC.PSCI_DENIED)
                break
            }
            return Interface.function(r.function) == .psciSystemOff ? .systemOff : .systemReset
        default:
            result = status(SMCCC.PSCI_NOT_SUPPORTED)
        }
        Interface.encodeResult(into: &r, result)
        return .returnToCaller
    }
}
