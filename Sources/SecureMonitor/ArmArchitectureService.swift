import ABI
import SPMC

/// Arm architecture calls (owning entity 0; SMCCC v1.2 §7). Results are in w0 alone.
public enum ArmArchitectureService: SimpleService {
    /// SMCCC_VERSION: we implement SMCCC v1.2 (x0..x17 argument and result passing).
    public static let smcccVersion = SMCCC.version1_2

    @inline(__always)
    public static func owns(_ function: FunctionID) -> Bool { function.ownerNumber == OwningEntity.armArchitecture.rawValue }

    public static func handle(_ r: inout Registers, from world: World) -> MonitorAction {
        let answer: Interface
        switch try? Interface.decode(r) {
        case .smcccVersion?:
            answer = .result(UInt64(smcccVersion))
        case .smcccArchFeatures(let f)?:
            // 0 if implemented. No CPU workaround calls are.
            switch f {
            case SMCCC.SMCCC_VERSION, SMCCC.SMCCC_ARCH_FEATURES: answer = .result(0)
            default: answer = Interface.refusal(.notSupported, to: r)
            }
        default:
            answer = Interface.refusal(.notSupported, to: r)
        }
        answer.encode(into: &r)
        return .returnToCaller
    }
}
