import Hardware
import MMU

/// The CPU's side of the translation tables MMU/TranslationTables.swift builds: TCR, MAIR,
/// TTBR0 and SCTLR for the exception level the tables serve.
public enum MMUControl {
    /// The first physical address this CPU (and our 48-bit tables) cannot reach.
    public static var physicalAddressLimit: UInt64 {
        PhysicalAddressRange.limit(parange: hw_read_id_aa64mmfr0())
    }

    /// TCR_ELx: T0SZ = 16 (48-bit VA, walks start at level 0), write-back walks, inner shareable,
    /// 4 KiB granule; IPS (EL1, bits 34:32) or PS (EL2/EL3, bits 18:16) = the CPU's PA range.
    /// EL1 also sets EPD1: nothing is mapped through TTBR1.
    public static func tcr(el: Int) -> UInt64 {
        let ps = PhysicalAddressRange.tcrPS(parange: hw_read_id_aa64mmfr0())
        let base: UInt64 = TranslationTables.t0sz | 1 << 8 | 1 << 10 | 3 << 12
        return el == 1 ? base | 1 << 23 | ps << 32 : base | 1 << 31 | 1 << 23 | ps << 16
    }

    /// SCTLR_ELx bits we set: M (MMU), C (data cache), I (instruction cache), WXN (bit 19).
    static func sctlrBits(wxn: Bool) -> UInt64 { 1 | 1 << 2 | 1 << 12 | (wxn ? 1 << 19 : 0) }
    /// SCTLR_ELx.A (bit 1): the entry code sets it while the MMU is off, where silicon faults on
    /// any unaligned access anyway (all memory is Device) and QEMU then does too; cleared with
    /// the MMU on, where code built without strict alignment may access Normal memory unaligned.
    static let alignmentCheck: UInt64 = 1 << 1

    /// Turns the MMU and caches on at `el` with `tables`. `wxn` makes every writable page
    /// execute-never whatever the tables say (only for W^X maps).
    public static func enable(el: Int, tables: TranslationTables, wxn: Bool) {
        let tcr = tcr(el: el)
        let bits = sctlrBits(wxn: wxn)
        hw_dsb_sy()
        switch el {
        case 3:
            hw_write_mair_el3(Descriptor.mair); hw_write_tcr_el3(tcr); hw_write_ttbr0_el3(tables.root)
            hw_isb(); hw_tlbi_all_el3()
            hw_write_sctlr_el3(hw_read_sctlr_el3() & ~alignmentCheck | bits)
        case 2:
            hw_write_mair_el2(Descriptor.mair); hw_write_tcr_el2(tcr); hw_write_ttbr0_el2(tables.root)
            hw_isb(); hw_tlbi_all_el2()
            hw_write_sctlr_el2(hw_read_sctlr_el2() & ~alignmentCheck | bits)
        default:
            hw_write_mair_el1(Descriptor.mair); hw_write_tcr_el1(tcr); hw_write_ttbr0_el1(tables.root)
            hw_isb(); hw_tlbi_all_el1()
            hw_write_sctlr_el1(hw_read_sctlr_el1() & ~alignmentCheck | bits)
        }
        hw_isb()
    }

    /// Moves the running EL2 or EL1 from its early map (EarlyMap) to `tables`, briefly with the
    /// MMU off (hw_ttbr0_replace_elx): the maps may differ in block sizes where both are in use.
    public static func replace(el: Int, with tables: TranslationTables, wxn: Bool = false) {
        let set: UInt64 = wxn ? 1 << 19 : 0
        if el == 2 { hw_ttbr0_replace_el2(tables.root, set) } else { hw_ttbr0_replace_el1(tables.root, set) }
    }

    /// Moves the running EL3 to `tables`: both maps must agree on everything in use meanwhile
    /// (the code, the stack and the tables themselves).
    public static func switchEL3(to tables: TranslationTables) {
        hw_dsb_sy()
        hw_write_ttbr0_el3(tables.root)
        hw_isb()
        hw_tlbi_all_el3()
    }

    /// Whether a stage-1 write to `va` at `el` would fault (AT S1E3W, S1E2W or S1E1W: PAR_EL1.F).
    /// PAR_EL1 belongs to the EL1 context: use it before a world is entered, or on the world's own.
    public static func writeFaults(el: Int, _ va: UInt64) -> Bool {
        switch el {
        case 3: hw_at_s1e3w(va)
        case 2: hw_at_s1e2w(va)
        default: hw_at_s1e1w(va)
        }
        return hw_read_par_el1() & 1 != 0
    }

    /// Whether SCTLR_ELx.WXN is set at `el`.
    public static func wxnSet(el: Int) -> Bool {
        let sctlr = el == 3 ? hw_read_sctlr_el3() : el == 2 ? hw_read_sctlr_el2() : hw_read_sctlr_el1()
        return sctlr & 1 << 19 != 0
    }
}
