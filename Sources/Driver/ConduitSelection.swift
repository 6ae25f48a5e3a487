/// The `method` property of the device tree's `/psci` node (Linux `psci` binding).
public enum PSCIMethod: Equatable, Sendable {
    case smc
    case hvc
    /// No `/psci` node, or a method we do not know.
    case none
}

/// An exception level, as CurrentEL reports it.
public enum ExceptionLevel: UInt8, Equatable, Comparable, Sendable {
    case el0 = 0, el1, el2, el3

    /// From the raw CurrentEL register (the level sits in bits 3:2).
    public init(currentEL: UInt64) {
        self = ExceptionLevel(rawValue: UInt8(truncatingIfNeeded: (currentEL >> 2) & 3)) ?? .el0
    }

    public static func < (a: ExceptionLevel, b: ExceptionLevel) -> Bool { a.rawValue < b.rawValue }
}

/// The exception levels ID_AA64PFR0_EL1 says exist (Arm ARM D19.2: EL2 bits 11:8, EL3 bits 15:12;
/// 0 = not implemented, 1 = AArch64 only, 2 = AArch64 and AArch32).
public struct ImplementedLevels: Equatable, Sendable {
    public var el2: Bool
    public var el3: Bool

    public init(el2: Bool, el3: Bool) { self.el2 = el2; self.el3 = el3 }

    /// Decodes a raw ID_AA64PFR0_EL1 value; any non-zero field counts as implemented.
    public init(idAA64PFR0: UInt64) {
        el2 = (idAA64PFR0 >> 8) & 0xF != 0
        el3 = (idAA64PFR0 >> 12) & 0xF != 0
    }
}

/// Which conduit FF-A calls take, or why there is none.
public enum ConduitChoice: Equatable, Sendable {
    case smc
    case hvc
    case noFFA(NoFFAReason)

    /// Picks the conduit from the PSCI method, where we run and what exists above us.
    ///
    /// An `smc` with no EL3, or an `hvc` with no EL2, is UNDEFINED: we never issue one (U-Boot
    /// does, and crashes on plain `-M virt` at EL1). An `hvc` at EL2 traps to our own vectors, not
    /// to a hypervisor above, so at EL2 only `smc` reaches an SPMC. At EL1 under the image's own
    /// EL2 stub, which forwards `hvc` to EL3 with `smc`, the conduit is `hvc` whatever the device
    /// tree says, as long as EL3 exists for the stub to reach.
    public static func select(psciMethod: PSCIMethod, currentEL: ExceptionLevel,
                              idAA64PFR0: UInt64, el2StubForwardsToEL3: Bool = false) -> ConduitChoice {
        var levels = ImplementedLevels(idAA64PFR0: idAA64PFR0)
        // Running at a level proves it exists, whatever the ID register claims.
        if currentEL >= .el2 { levels.el2 = true }
        if currentEL == .el3 { levels.el3 = true }

        guard currentEL == .el1 || currentEL == .el2 else {
            return .noFFA(.unsupportedExceptionLevel(currentEL.rawValue))
        }
        if currentEL == .el1 && el2StubForwardsToEL3 && levels.el2 {
            return levels.el3 ? .hvc : .noFFA(.noEL3ForSMC)
        }
        switch psciMethod {
        case .none:
            return .noFFA(.noPSCIMethod)
        case .smc:
            return levels.el3 ? .smc : .noFFA(.noEL3ForSMC)
        case .hvc:
            if currentEL == .el2 { return .noFFA(.hvcAtEL2) }
            return levels.el2 ? .hvc : .noFFA(.noEL2ForHVC)
        }
    }
}
