import ABI
import Driver
import Hardware
import Platform

/// The conduit chosen at run time (`smc #0` to EL3 or `hvc #0` to EL2, Startup/smccc.S), as one
/// concrete type the driver is specialised for.
struct RuntimeConduit: Conduit {
    let useHVC: Bool
    mutating func call(_ regs: Registers) -> Registers { useHVC ? hvcCall(regs) : smcCall(regs) }
    mutating func call(inPlace regs: inout Registers) {
        if useHVC { hvcCall(inPlace: &regs) } else { smcCall(inPlace: &regs) }
    }
}

/// The conduit chosen at boot (FFA.start builds the driver's conduit from it).
enum SystemConduit {
    nonisolated(unsafe) static var choice = ConduitChoice.noFFA(.noPSCIMethod)

    static func select(el2Stub: Bool) {
        let method: Driver.PSCIMethod
        switch boot.smccc {
        case .smc?: method = .smc
        case .hvc?: method = .hvc
        default: method = .none
        }
        choice = ConduitChoice.select(psciMethod: method, currentEL: ExceptionLevel(currentEL: hw_read_current_el()),
                                      idAA64PFR0: hw_read_id_aa64pfr0(), el2StubForwardsToEL3: el2Stub)
    }
}

/// PSCI follows the device tree's `/psci` method as Linux does: the DTB's author (QEMU itself on
/// plain `virt`, which answers `hvc` with no EL2) knows what answers. FF-A is stricter (above).
enum PSCI {
    static func call(_ function: UInt32) {
        let r = Registers(UInt64(function))
        switch boot.psci {
        case .smc?: _ = smcCall(r)
        case .hvc?: _ = hvcCall(r)
        default: break
        }
    }
}
