import ABI

/// Result registers shared by the services. Every result starts from zeroed registers, so the
/// registers an ABI does not define come back as zero (SMCCC v1.2: results in x0..x17).
extension Registers {
    /// SMCCC "unknown function" (-1): zero-extended for an SMC32 ID, all ones for an SMC64 ID.
    static func unknownFunction(_ id: FunctionID) -> Registers {
        Registers(id.isSMC64 ? UInt64.max : UInt64(SMCCC.NOT_SUPPORTED))
    }

    /// A signed 32-bit status in w0 (PSCI and SMCCC return codes), zero-extended.
    static func status(_ value: Int32) -> Registers {
        Registers(UInt64(UInt32(bitPattern: value)))
    }
}
