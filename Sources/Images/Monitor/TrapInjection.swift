import EL3
import Hardware
import Platform
import SPMC

/// Hands a trap the monitor does not serve back to the lower EL (EL3/ExceptionInjection.swift
/// decides where and with what PSTATE). The caller's EL1/EL2 registers are live here: the
/// monitor switches them only when it enters the other world.
enum TrapInjection {
    static func inject(into caller: WorldContext, world: World, esr: UInt64, far: UInt64) {
        let hcr: UInt64? = world == .normal && CPUFeatures.hasEL2 ? hw_read_hcr_el2() : nil
        let elr = hw_read_elr_el3(), spsr = hw_read_spsr_el3()
        let source = ExceptionInjection.Source(spsr: spsr, scr: caller.scr, hcrEL2: hcr)
        let target = ExceptionInjection.targetEL(source)
        guard ExceptionInjection.canInject(source, target: target) else {
            Console.write("\n*** secure: a trap from an AArch32 EL1 cannot be handed back (ESR ")
            Console.hex0x(esr); Console.write(" ELR "); Console.hex0x(elr); Console.line("); halting")
            halt()
        }
        let abort = ExceptionInjection.abortSyndrome(trappedESR: esr, sourceEL: source.el, target: target)
        let features = CPUFeatures.injectionFeatures
        let gcscr = features.gcs ? (target == 2 ? hw_read_gcscr_el2() : hw_read_gcscr_el1()) : 0
        let plan = ExceptionInjection.plan(
            source, elr: elr, esr: abort ?? ExceptionInjection.undefinedSyndrome(trappedESR: esr),
            target: target, vbar: target == 2 ? hw_read_vbar_el2() : hw_read_vbar_el1(),
            sctlr: target == 2 ? hw_read_sctlr_el2() : hw_read_sctlr_el1(), gcscr: gcscr, features: features)
        if target == 2 {
            hw_write_elr_el2(plan.elrTarget); hw_write_spsr_el2(plan.spsrTarget); hw_write_esr_el2(plan.esrTarget)
            if abort != nil { hw_write_far_el2(far) }
        } else {
            hw_write_elr_el1(plan.elrTarget); hw_write_spsr_el1(plan.spsrTarget); hw_write_esr_el1(plan.esrTarget)
            if abort != nil { hw_write_far_el1(far) }
        }
        // Live: the trap path restores ELR_EL3/SPSR_EL3 from the context only on a world switch.
        hw_write_elr_el3(plan.elrEL3)
        hw_write_spsr_el3(plan.spsrEL3)
        SecureConsole.log {
            Console.write(abort != nil ? "secure: external abort reflected to " : "secure: UNDEFINED injected into ")
            Console.write(world == .normal ? "NS-EL" : "S-EL"); Console.dec(UInt64(target))
            let ec = UInt8((esr >> 26) & 0x3F)
            Console.write(": trap EC 0x"); Console.hex(UInt64(ec), digits: 2)
            Console.write(" ("); Console.exceptionClassName(ec); Console.write(") ESR "); Console.hex0x(esr)
            Console.write(" ELR "); Console.hex0x(plan.elrTarget)
            if abort != nil { Console.write(" FAR "); Console.hex0x(far) }
            Console.put(10)
        }
    }
}

/// A lower EL's SError, routed to EL3 by SCR_EL3.EA: logged on the secure console, then the
/// interrupted world continues (the error was taken, so it is no longer pending).
@_cdecl("monitor_lower_serror")
public func monitor_lower_serror(_ frame: UnsafeMutablePointer<UInt64>) {
    let f = ExceptionFrame(frame)
    SecureConsole.log {
        Console.write("secure: SError from a lower EL: ESR "); Console.hex0x(f.esr)
        Console.write(" ELR "); Console.hex0x(f.elr); Console.write(" SPSR "); Console.hex0x(f.spsr); Console.put(10)
    }
}
