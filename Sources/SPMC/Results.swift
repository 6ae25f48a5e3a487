import ABI

/// How the services answer: over the registers of the world the answer goes to, never over
/// zeros. SMCCC v1.1+ requires the callee to preserve x4...x17 unless they carry results (Linux
/// keeps live values there across `smc`), so each answer writes only the registers its ABI
/// defines and leaves the rest as that world had them.
extension Registers {
    /// SMCCC "unknown function" (-1) in x0 alone: zero-extended for an SMC32 ID, all ones for an
    /// SMC64 ID. Every other register is the caller's.
    func unknownFunction(_ id: FunctionID) -> Registers {
        returning(id.isSMC64 ? UInt64.max : UInt64(SMCCC.NOT_SUPPORTED))
    }

    /// A result in x0 alone (SMCCC_VERSION, SMCCC_ARCH_FEATURES, PSCI); x1...x17 are the caller's.
    @inline(__always)
    func returning(_ x0: UInt64) -> Registers {
        var out = self
        out.x0 = x0
        return out
    }

    /// A signed 32-bit status in w0 alone (PSCI and SMCCC return codes), zero-extended.
    func returning(status value: Int32) -> Registers {
        returning(UInt64(UInt32(bitPattern: value)))
    }

    /// The FF-A `message` (built from zero, so its unused registers are MBZ) written over these
    /// registers: x0...x7, or x0...x17 for the ABIs that define the extended registers.
    @inline(__always)
    func delivering(_ message: Registers) -> Registers {
        overwriting(first: FFAFunction.definedRegisterCount(message.w(0)), from: message)
    }

    /// A signed 32-bit status as an FF-A message (FFA_VERSION's NOT_SUPPORTED): w0, zero-extended.
    static func status(_ value: Int32) -> Registers {
        Registers(UInt64(UInt32(bitPattern: value)))
    }
}
