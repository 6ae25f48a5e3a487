import ABI
import Platform
import SPMC

/// Physical memory as the EL3 identity map shows it (the SPMC only writes ranges it checked).
struct EL3Memory: PhysicalMemory {
    mutating func write(_ bytes: [UInt8], at pa: UInt64) -> Bool {
        guard let p = UnsafeMutablePointer<UInt8>(bitPattern: UInt(pa)) else { return false }
        for i in bytes.indices { unsafe p[i] = bytes[i] }
        return true
    }
}

/// The monitor's single dispatcher instance (pure logic from the SPMC layer).
enum Dispatch {
    nonisolated(unsafe) static var memory = EL3Memory()

    static func setUp(nonSecureMemory: [MemoryRange]) {
    }

    static func handle(_ r: Registers, from world: World) -> Outcome {
        // Interim until the SPMC's dispatcher lands: PSCI and partition start-up only.
        switch r.w(0) {
        case SMCCC.SMCCC_VERSION: return .resume(world, Registers(UInt64(SMCCC.version1_2)))
        case SMCCC.PSCI_VERSION: return .resume(world, Registers(UInt64(SMCCC.psciVersion1_1)))
        case SMCCC.PSCI_SYSTEM_OFF: return Outcome(.systemOff)
        case SMCCC.PSCI_SYSTEM_RESET: return Outcome(.systemReset)
        case FFAFunction.FFA_MSG_WAIT where world != .normal:
            return Outcome(.partitionInitialised(id: Endpoint.mmPartition, succeeded: true))
        default: return .resume(world, Registers(UInt64(SMCCC.NOT_SUPPORTED)))
        }
    }
}
