import DeviceTree
import Hardware
import Platform

/// `irqtest`: proves the EL3 GIC set-up lets the normal world take its timer interrupts. It
/// touches only what an OS touches (the CPU interface, the PPI's enable bit, HCR_EL2.IMO, the
/// timer): groups, routing mode and the redistributor's wake state are EL3's.
enum InterruptProbe {
    nonisolated(unsafe) static var expecting = false
    nonisolated(unsafe) static var intid: UInt32? = nil
    nonisolated(unsafe) static var gic: FDTInterruptController? = nil

    // GICv2 CPU interface (Non-secure view) and distributor offsets.
    static let GICC_CTLR: UInt64 = 0x00, GICC_PMR: UInt64 = 0x04, GICC_IAR: UInt64 = 0x0C
    static let GICC_EOIR: UInt64 = 0x10, GICC_HPPIR: UInt64 = 0x18
    static let GICD_ISENABLER: UInt64 = 0x100, GICD_ICENABLER: UInt64 = 0x180
    static let GICR_SGI_ISENABLER0: UInt64 = 0x1_0100, GICR_SGI_ICENABLER0: UInt64 = 0x1_0180

    /// IRQ at the current EL: acknowledge, silence both timers (the interrupt is level), EOI.
    static func handle(_ frame: ExceptionFrame, kind: UInt64) -> Bool {
        guard expecting, kind == 5, let gic else { return false }
        let iar: UInt32
        if gic.kind == .gicV3 { iar = UInt32(truncatingIfNeeded: hw_read_icc_iar1_el1()) }
        else { iar = hw_mmio_read32(gic.second + GICC_IAR) }
        stopTimers()
        if gic.kind == .gicV3 { hw_write_icc_eoir1_el1(UInt64(iar)) } else { hw_mmio_write32(gic.second + GICC_EOIR, iar) }
        intid = iar & 0xFF_FFFF
        expecting = false
        return true
    }

    static func stopTimers() {
        hw_write_cntp_ctl_el0(0)
        if boot.shellEL == 2 { hw_write_cnthp_ctl_el2(0) }
        hw_isb()
    }

    static func findGIC() -> FDTInterruptController? {
        guard boot.dtbAddress != 0, let start = UnsafeRawPointer(bitPattern: UInt(boot.dtbAddress)) else { return nil }
        let total = unsafe start.load(fromByteOffset: 4, as: UInt32.self).byteSwapped
        do throws(FDTError) {
            let fdt = try FDT(unsafe UnsafeRawBufferPointer(start: start, count: Int(min(UInt64(total), BoardDefaults.dtbSlot))))
            return fdt.interruptController()
        } catch {
            return nil
        }
    }

    static func enablePPI(_ ppi: UInt32, _ on: Bool, _ gic: FDTInterruptController) {
        if gic.kind == .gicV3 {
            // This CPU's redistributor is the first one: the proof machine has one core.
            hw_mmio_write32(gic.second + (on ? GICR_SGI_ISENABLER0 : GICR_SGI_ICENABLER0), 1 << ppi)
        } else {
            hw_mmio_write32(gic.distributor + (on ? GICD_ISENABLER : GICD_ICENABLER), 1 << ppi)
        }
    }

    /// Arms one timer for 1 ms, unmasks IRQs and waits at most 100 ms of counter time; the
/// INTID taken and the counter ticks from arming to the end of the wait.
    static func fire(ppi: UInt32, hypervisorTimer: Bool, _ gic: FDTInterruptController) -> (UInt32?, UInt64) {
        enablePPI(ppi, true, gic)
        let tick = max(hw_read_cntfrq() / 1000, 1)
        intid = nil
        expecting = true
        let start = hw_read_cntpct()
        if hypervisorTimer { hw_write_cnthp_tval_el2(tick); hw_write_cnthp_ctl_el2(1) }
        else { hw_write_cntp_tval_el0(tick); hw_write_cntp_ctl_el0(1) }
        hw_isb()
        hw_irq_unmask()
        while intid == nil && hw_read_cntpct() &- start < 100 * tick { }
        hw_irq_mask()
        let waited = hw_read_cntpct() &- start
        expecting = false
        stopTimers()
        enablePPI(ppi, false, gic)
        return (intid, waited)
    }
}

extension Commands {
    static let irqtestCommand = Command(
        text: "irqtest\ttake a timer interrupt through the GIC that EL3 set up", run: irqtest)

    static func irqtest(_ args: [[UInt8]]) {
        guard noArguments(args, "irqtest") else { return }
        guard let gic = InterruptProbe.findGIC() else { Console.line("irqtest: no GIC in the device tree"); return }
        InterruptProbe.gic = gic
        let el2 = boot.shellEL == 2
        if gic.kind == .gicV3 {
            let sre = el2 ? hw_read_icc_sre_el2() : hw_read_icc_sre_el1()
            Console.write("irqtest: GICv3 (DTB: distributor "); Console.hex0x(gic.distributor)
            Console.write(", redistributors "); Console.hex0x(gic.second)
            Console.write("), ICC_SRE_EL"); Console.write(el2 ? "2 " : "1 "); Console.hex0x(sre); Console.put(10)
            guard sre & 1 != 0 else { Console.line("irqtest: the system-register interface is off; FAIL"); return }
            hw_write_icc_pmr_el1(0xFF)
            hw_write_icc_igrpen1_el1(1)
        } else {
            Console.write("irqtest: GICv2 (DTB: distributor "); Console.hex0x(gic.distributor)
            Console.write(", CPU interface "); Console.hex0x(gic.second); Console.line(")")
            hw_mmio_write32(gic.second + InterruptProbe.GICC_PMR, 0xFF)
            hw_mmio_write32(gic.second + InterruptProbe.GICC_CTLR, 1)   // EnableGrp1 (Non-secure view)
        }
        hw_isb()
        var savedHCR: UInt64 = 0
        if el2 { savedHCR = hw_read_hcr_el2(); hw_write_hcr_el2(savedHCR | 1 << 31 | 1 << 4); hw_isb() }   // RW, IMO
        var timers: [(StaticString, UInt32, Bool)] = [("EL1 physical timer", 30, false)]
        if el2 { timers.insert(("EL2 hypervisor timer", 26, true), at: 0) }
        var passed = 0
        for (name, ppi, hyp) in timers {
            let (id, waited) = InterruptProbe.fire(ppi: ppi, hypervisorTimer: hyp, gic)
            Console.write("irqtest: "); Console.write(name); Console.write(" (PPI "); Console.dec(UInt64(ppi)); Console.write("): ")
            if let id {
                Console.write("IRQ taken, INTID "); Console.dec(UInt64(id))
                if id == ppi { passed += 1 }
            } else {
                Console.write("no IRQ; ISR_EL1 "); Console.hex0x(hw_read_isr_el1())
            }
            Console.write(", "); Console.dec(waited); Console.line(" counter ticks")
        }
        if el2 { hw_write_hcr_el2(savedHCR); hw_isb() }
        Console.line(passed == timers.count ? "irqtest: PASS" : "irqtest: FAIL")
    }
}
