import EL3
import Hardware
import Platform

/// GIC MMIO as it is: each access one volatile 32-bit load or store (hardware.h).
struct GICHardware: GICAccess {
    mutating func read32(_ address: UInt64) -> UInt32 { hw_mmio_read32(address) }
    mutating func write32(_ address: UInt64, _ value: UInt32) { hw_mmio_write32(address, value) }
}

/// EL3 GIC set-up before any lower EL runs (docs/boot.md): the MMIO sequences are the pure
/// ones in EL3/GICv3Setup.swift and GICv2Setup.swift; the CPU-interface system registers are here.
enum GIC {
    nonisolated(unsafe) static var version: GICVersion? = nil

    static func initialise() {
        var hw = GICHardware()
        let d = QEMUVirt.gicDistributor
        let pfr0 = hw_read_id_aa64pfr0()
        let found = GICDetect.version(pfr0: pfr0, pidr2: hw.read32(d + GICDetect.pidr2Offset(pfr0: pfr0)))
        version = found
        switch found {
        case .v3?:
            var setup = GICv3Setup(access: hw, distributor: d, redistributors: QEMUVirt.gicRedistributors)
            do throws(GICSetupError) {
                let rd = try setup.run(mpidr: hw_read_mpidr())
                enableSystemRegisterInterface()
                Console.write("secure: GICv3 distributor "); Console.hex0x(d, digits: 8)
                Console.write(", redistributor "); Console.hex0x(rd, digits: 8)
                Console.line(": every interrupt Group 1 Non-secure, affinity routing on, redistributor awake")
            } catch {
                Console.write("secure: GICv3 set-up failed: ")
                switch error {
                case .registerWriteTimeout: Console.line("GICD_CTLR.RWP stays set")
                case .redistributorNotFound: Console.line("no redistributor for this CPU")
                case .redistributorStaysAsleep: Console.line("GICR_WAKER.ChildrenAsleep stays set")
                case .noGIC: Console.line("no GIC")
                }
            }
        case .v2?:
            var setup = GICv2Setup(access: hw, distributor: d, cpuInterface: QEMUVirt.gicCPUInterface)
            setup.run()
            Console.write("secure: GICv2 distributor "); Console.hex0x(d, digits: 8); Console.write(", CPU interface ")
            Console.hex0x(QEMUVirt.gicCPUInterface, digits: 8); Console.line(": every interrupt Group 1 (Non-secure), both groups enabled")
        case nil:
            Console.line("secure: no GICv2 or GICv3 found; interrupts stay as reset left them")
        }
    }

    /// ICC_SRE_EL3/EL2 with SRE and Enable (lower ELs use the system registers and may set up
    /// their own ICC_SRE), ICC_SRE_EL1 of both security states with SRE, the priority mask
    /// open. ICC_SRE_EL2 and the Non-secure ICC_SRE_EL1 are written with SCR_EL3.NS set.
    static func enableSystemRegisterInterface() {
        hw_write_icc_sre_el3(hw_read_icc_sre_el3() | ICCSRE.el3AndEL2)
        hw_isb()
        let scr = hw_read_scr_el3()
        hw_write_scr_el3(scr | SecureConfiguration.ns)
        hw_isb()
        if CPUFeatures.hasEL2 { hw_write_icc_sre_el2(hw_read_icc_sre_el2() | ICCSRE.el3AndEL2) }
        hw_write_icc_sre_el1(ICCSRE.sre)
        hw_isb()
        hw_write_scr_el3(scr & ~SecureConfiguration.ns)
        hw_isb()
        hw_write_icc_sre_el1(ICCSRE.sre)
        hw_isb()
        hw_write_icc_pmr_el1(0xFF)
        hw_isb()
    }
}
