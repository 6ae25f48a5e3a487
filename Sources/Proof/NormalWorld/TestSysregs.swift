import Board
import Hardware
import Platform

@_extern(c, "sysreg_probe") func sysreg_probe(_ index: UInt64) -> UInt64
@_extern(c, "probe_load") func probe_load(_ address: UInt64) -> UInt64
@_extern(c, "sysreg_probe_count") nonisolated(unsafe) var sysreg_probe_count: UInt64

/// A synchronous exception a proof command provokes on purpose: the handler records the
/// syndrome and steps over the faulting instruction (every probe is one 4-byte instruction
/// whose result register reads 0 afterwards).
enum ExpectedException {
    nonisolated(unsafe) static var armed = false
    nonisolated(unsafe) static var esr: UInt64? = nil
    nonisolated(unsafe) static var far: UInt64 = 0

    static func handle(_ frame: ExceptionFrame, kind: UInt64) -> Bool {
        guard armed, kind == 4 else { return false }   // synchronous, current EL, SP_ELx
        armed = false
        esr = frame.esr
        far = frame.far
        frame.setX(0, 0)
        frame.elr += 4
        return true
    }

    /// Runs `body` with the handler armed; the syndrome if it raised an exception.
    static func run(_ body: () -> UInt64) -> (value: UInt64, esr: UInt64?) {
        esr = nil
        armed = true
        let v = body()
        armed = false
        return (v, esr)
    }
}

extension Commands {
    static let sysregsCommand = Command(
        text: "sysregs\tread system registers an OS touches; each reads or is UNDEFINED here", run: sysregs)

    static let sysregNames: [StaticString] = [
        "SCXTNUM_EL0",
        "SCXTNUM_EL1",
        "SCXTNUM_EL2",
        "APIAKeyLo_EL1",
        "APIAKeyHi_EL1",
        "APIBKeyLo_EL1",
        "APDAKeyLo_EL1",
        "APDBKeyLo_EL1",
        "APGAKeyLo_EL1",
        "ZCR_EL2",
        "ZCR_EL1",
        "SMCR_EL2",
        "SMCR_EL1",
        "SVCR",
        "TPIDR2_EL0",
        "HCRX_EL2",
        "HFGRTR_EL2",
        "HFGWTR_EL2",
        "HDFGRTR_EL2",
        "RNDR",
        "RNDRRS",
        "PMCR_EL0",
        "PMCCNTR_EL0",
        "PMUSERENR_EL0",
        "MDSCR_EL1",
        "DBGBVR0_EL1",
        "DBGBCR0_EL1",
        "DBGWVR0_EL1",
        "OSLSR_EL1",
        "MDCCSR_EL0",
        "MDCR_EL2",
        "ICC_SRE_EL2",
        "ICC_SRE_EL1",
        "ICC_PMR_EL1",
        "ICC_CTLR_EL1",
        "ICC_IGRPEN1_EL1",
        "ICC_HPPIR1_EL1",
        "ICC_RPR_EL1",
        "ICC_BPR1_EL1",
        "ICH_HCR_EL2",
        "ICH_VTR_EL2",
        "CNTHCTL_EL2",
        "CNTVOFF_EL2",
        "CNTPOFF_EL2",
        "TCR2_EL1",
        "PIR_EL1",
        "POR_EL1",
        "GCSCR_EL1",
        "SCTLR2_EL1",
        "MPAM1_EL1",
        "TRFCR_EL1",
        "AMCR_EL0",
        "ACTLR_EL1",
        "ACTLR_EL2",
        "ERRIDR_EL1",
        "DISR_EL1",
    ]

    /// One line per register: its value, or the exception it raised at this EL. The monitor
    /// must never stop the machine: a read either works or is UNDEFINED at the caller's EL.
    /// Then a load from Secure memory (an external abort, which SCR_EL3.EA sends to EL3 and
    /// the monitor hands back as a data abort).
    static func sysregs(_ args: [[UInt8]]) {
        guard noArguments(args, "sysregs") else { return }
        let count = Int(sysreg_probe_count)
        guard count == sysregNames.count else { Console.line("sysregs: probe table and names disagree"); return }
        var read = 0, undefined = 0, other = 0
        Console.write("sysregs: at EL"); Console.dec(UInt64(boot.shellEL)); Console.put(10)
        // SVE and SME registers untrapped at this EL (CPTR_EL2.TZ/TSM, CPACR_EL1.ZEN/SMEN), as an
        // OS using them would set it: what remains trapped is then EL3's doing.
        let el2 = boot.shellEL == 2
        let savedCPTR = el2 ? hw_read_cptr_el2() : 0, savedCPACR = hw_read_cpacr_el1()
        if el2 { hw_write_cptr_el2(savedCPTR & ~(1 << 8 | 1 << 12)) }
        hw_write_cpacr_el1(savedCPACR | 3 << 16 | 3 << 24)
        hw_isb()
        defer {
            if el2 { hw_write_cptr_el2(savedCPTR) }
            hw_write_cpacr_el1(savedCPACR)
            hw_isb()
        }
        for i in 0..<count {
            let r = ExpectedException.run { sysreg_probe(UInt64(i)) }
            Console.write("sysregs: "); Console.write(sysregNames[i]); Console.write(" ")
            if let esr = r.esr {
                let ec = UInt8((esr >> 26) & 0x3F)
                if ec == 0 { undefined += 1; Console.line("UNDEFINED") } else {
                    other += 1
                    Console.write("exception EC 0x"); Console.hex(UInt64(ec), digits: 2)
                    Console.write(" ESR "); Console.hex0x(esr); Console.put(10)
                }
            } else {
                read += 1
                Console.write("= "); Console.hex0x(r.value); Console.put(10)
            }
        }
        let secure = UInt64(BOARD_SECURE_SRAM_BASE)
        let load = ExpectedException.run { probe_load(secure) }
        Console.write("sysregs: load from Secure SRAM "); Console.hex0x(secure)
        if let esr = load.esr {
            Console.write(": exception EC 0x"); Console.hex((esr >> 26) & 0x3F, digits: 2)
            Console.write(" ESR "); Console.hex0x(esr); Console.write(" FAR "); Console.hex0x(ExpectedException.far); Console.put(10)
        } else {
            Console.write(" read "); Console.hex0x(load.value); Console.put(10)
        }
        Console.write("sysregs: "); Console.dec(UInt64(read)); Console.write(" read, ")
        Console.dec(UInt64(undefined)); Console.write(" UNDEFINED, "); Console.dec(UInt64(other))
        Console.line(" other exceptions; done")
    }
}
