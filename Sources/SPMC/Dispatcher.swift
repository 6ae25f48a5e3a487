import ABI

/// The EL3 monitor's pure SMC dispatcher: the image saves x0..x17 of the world that trapped,
/// calls `handle`, and does what the `Outcome` says. Dispatch is by owning entity and
/// function number (SMCCC v1.2 §2.5):
/// - Arm architecture calls (entity 0): SMCCC_VERSION, SMCCC_ARCH_FEATURES;
/// - standard secure service (entity 4): PSCI at 0x00...0x1F, FF-A at 0x60...0xFF
///   (32- and 64-bit), both handled by the SPMC;
/// - everything else, yielding calls and IDs with bits 23:17 set: NOT_SUPPORTED (-1).
/// Bit 16 (the SVE live-state hint of SMCCC v1.3) is ignored.
///
/// Every answer is the registers of the world it goes to with only the result registers
/// written (SMCCC v1.2: x4...x17 are preserved unless they carry results); see Results.swift.
public struct Dispatcher: Sendable {
    public private(set) var spmc: SPMC

    public init(config: SPMCConfig) {
        spmc = SPMC(config: config)
    }

    /// One SMC from `world`. `memory` receives the only writes the SPMC makes: descriptors in
    /// the normal world's RX buffer.
    public mutating func handle<M: PhysicalMemory>(_ registers: Registers, from world: World,
                                                   memory: inout M) -> Outcome {
        let id = FunctionID(registers.w(0))
        guard id.isFastCall, !id.hasReservedBitsSet else {
            return .resume(world, registers.unknownFunction(id))
        }
        let function = id.withoutSVEHint.raw
        let number = id.functionNumber
        switch id.owner {
        case .armArchitecture?:
            return .resume(world, ArmArchitecture.handle(registers, function: function))
        case .standardSecure?:
            if number <= PSCI.highestFunctionNumber {
                return PSCI.handle(registers, function: function, from: world)
            }
            if FFAFunction.isFFA(function) {
                return spmc.handle(registers, function: function, from: world, memory: &memory)
            }
            return .resume(world, registers.unknownFunction(id))
        default:
            return .resume(world, registers.unknownFunction(id))
        }
    }

    /// The image could not load or start partition `id` (see `SPMC.partitionFailedToStart`).
    public mutating func partitionFailedToStart(_ id: UInt16) {
        spmc.partitionFailedToStart(id)
    }
}
