import ABI
import SPMC

/// Arm architecture calls (owning entity 0; SMCCC v1.2 §7). Results are in w0 alone.
public enum ArmArchitectureService: SimpleService {
    /// SMCCC_VERSION: we implement SMCCC v1.2 (x0..x17 argument and result passing).
    public static let smcccVersion = SMCCC.version1_2

    @inline(__always)
    public static func owns(_ function: FunctionID) -> Bool { function.ownerNumber == OwningEntity.armArchitecture.rawValue }

    public static func handle(_ r: inout Registers, from world: World) -> MonitorAction {
        switch Interface.function(r.function) {
        case .smcccVersion?:
            Interface.encodeResult(into: &r, UInt64(smcccVersion))
        case .smcccArchFeatures?:
            // 0 if implemented. No CPU workaround calls are.
            switch Interface.queriedFunction(r) {
            case SMCCC.SMCCC_VERSION, SMCCC.SMCCC_ARCH_FEATURES: Interface.encodeResult(into: &r, 0)
            default: Interface.encodeRefusal(.notSupported, into: &r)
            }
        default:
            Interface.encodeRefusal(.notSupported, into: &r)
        }
        return .returnToCaller
    }
}
