import ABI
import SPMC

/// Arm architecture calls (owning entity 0; SMCCC v1.2 §7). Results are in w0 alone.
public enum ArmArchitectureService: SimpleService {
    /// SMCCC_VERSION: we implement SMCCC v1.2 (x0..x17 argument and result passing).
    public static let smcccVersion = SMCCC.version1_2

    /// A fast call of entity 0 with no reserved bit set (SMCCC_VERSION, SMCCC_ARCH_FEATURES,
    /// the CPU workaround calls).
    @inline(__always)
    public static func owns(_ function: FunctionID) -> Bool {
        function.raw & 0xBFFE_0000 == 0x8000_0000
    }

    @inline(__always)
    public static func handle(_ r: inout Registers, from world: World) -> MonitorAction {
        // Only the two calls of SMCCC v1.2 §7 (w0 with bit 16 cleared, so bits 63:32 of x0 and
        // the SVE hint do not matter); a jump table over every ABI is not needed here.
        switch r.function {
        case SMCCC.SMCCC_VERSION:
            Interface.encodeResult(into: &r, UInt64(smcccVersion))
        case SMCCC.SMCCC_ARCH_FEATURES:
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
