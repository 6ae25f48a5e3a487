import Hardware

/// Stage-1 translation tables, 4 KiB granule, 39-bit VA starting at level 1 (T0SZ = 25):
/// identity maps built from 1 GiB / 2 MiB blocks and 4 KiB pages as alignment allows.
public struct PageTables {
    public enum Memory { case device, normal }

    /// MAIR attribute indices: 0 = Device-nGnRnE, 1 = Normal write-back RA/WA.
    public static let mair: UInt64 = 0x00 | 0xFF << 8

    let pool: UnsafeMutableRawPointer
    let poolPages: Int
    var used = 0
    public let root: UInt64

    /// Tables come from `pool` (page-aligned, `pages` pages); the first page is the level-1 root.
    public init(pool: UnsafeMutableRawPointer, pages: Int) {
        self.pool = pool
        poolPages = pages
        root = UInt64(UInt(bitPattern: pool))
        _ = unsafe PageTables.zeroPage(pool)
        used = 1
    }

    static func zeroPage(_ p: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        for i in 0..<512 { unsafe p.storeBytes(of: UInt64(0), toByteOffset: i * 8, as: UInt64.self) }
        return p
    }

    mutating func newTable() -> UInt64? {
        guard used < poolPages else { return nil }
        let p = unsafe PageTables.zeroPage(pool + used * 4096)
        used += 1
        return UInt64(UInt(bitPattern: p))
    }

    static func attributes(_ m: Memory, executable: Bool, nonSecure: Bool) -> UInt64 {
        var a: UInt64 = 1 << 10            // AF
        switch m {
        case .device: a |= 0 << 2 | 1 << 54 | 1 << 53   // AttrIndx 0, never executable
        case .normal: a |= 1 << 2 | 3 << 8              // AttrIndx 1, inner shareable
            if !executable { a |= 1 << 54 | 1 << 53 }
        }
        if nonSecure { a |= 1 << 5 }
        return a
    }

    /// Maps [base, base+size) to itself. Returns false when the pool runs out.
    @discardableResult
    public mutating func map(_ base: UInt64, _ size: UInt64, _ m: Memory, executable: Bool = true, nonSecure: Bool = false) -> Bool {
        let attrs = PageTables.attributes(m, executable: executable, nonSecure: nonSecure)
        var va = base & ~0xFFF
        let end = (base &+ size &+ 0xFFF) & ~0xFFF
        while va < end {
            let remaining = end - va
            let level: Int
            if va & 0x3FFF_FFFF == 0 && remaining >= 0x4000_0000 { level = 1 }
            else if va & 0x1F_FFFF == 0 && remaining >= 0x20_0000 { level = 2 }
            else { level = 3 }
            guard setEntry(va: va, level: level, attrs: attrs) else { return false }
            va += level == 1 ? 0x4000_0000 : level == 2 ? 0x20_0000 : 0x1000
        }
        return true
    }

    /// Walks to the table of `level` for `va`, splitting blocks into tables as needed.
    mutating func setEntry(va: UInt64, level: Int, attrs: UInt64) -> Bool {
        var table = root
        var l = 1
        while true {
            let shift = UInt64(39 - 9 * l)
            let index = Int((va >> shift) & 0x1FF)
            let entryAddress = table + UInt64(index * 8)
            let entry = unsafe UnsafeMutablePointer<UInt64>(bitPattern: UInt(entryAddress))!
            if l == level {
                unsafe entry.pointee = va | attrs | (level == 3 ? 0b11 : 0b01)
                return true
            }
            let old = unsafe entry.pointee
            if old & 0b11 == 0b11 {
                table = old & 0x0000_FFFF_FFFF_F000
            } else {
                guard let next = newTable() else { return false }
                if old & 0b11 == 0b01 {  // split a block: the new table repeats it at the finer size
                    let childSize: UInt64 = l == 1 ? 0x20_0000 : 0x1000
                    let outputBase = old & 0x0000_FFFF_FFFF_F000 & ~((childSize << 9) - 1)
                    for i in 0..<512 {
                        let desc = (outputBase + UInt64(i) * childSize) | (old & 0xFFF0_0000_0000_0FFC) | (l + 1 == 3 ? 0b11 : 0b01)
                        unsafe UnsafeMutablePointer<UInt64>(bitPattern: UInt(next + UInt64(i * 8)))!.pointee = desc
                    }
                }
                unsafe entry.pointee = next | 0b11
                table = next
            }
            l += 1
        }
    }

    /// TCR value for the EL1 regime (IPS at 34:32) or EL2/EL3 (PS at 18:16).
    public static func tcr(el: Int) -> UInt64 {
        let pa = min(hw_read_id_aa64mmfr0() & 0xF, 5)
        let base: UInt64 = 25 | 1 << 8 | 1 << 10 | 3 << 12   // T0SZ=25, WBWA walks, inner shareable, 4K
        return el == 1 ? base | 1 << 23 | pa << 32 : base | 1 << 31 | 1 << 23 | pa << 16
    }
}

/// Turns the MMU and caches on at `el` with the tables given.
public func enableMMU(el: Int, tables: PageTables) {
    let tcr = PageTables.tcr(el: el)
    hw_dsb_sy()
    switch el {
    case 3:
        hw_write_mair_el3(PageTables.mair); hw_write_tcr_el3(tcr); hw_write_ttbr0_el3(tables.root)
        hw_isb(); hw_tlbi_all_el3()
        hw_write_sctlr_el3(hw_read_sctlr_el3() | 1 | 1 << 2 | 1 << 12)
    case 2:
        hw_write_mair_el2(PageTables.mair); hw_write_tcr_el2(tcr); hw_write_ttbr0_el2(tables.root)
        hw_isb(); hw_tlbi_all_el2()
        hw_write_sctlr_el2(hw_read_sctlr_el2() | 1 | 1 << 2 | 1 << 12)
    default:
        hw_write_mair_el1(PageTables.mair); hw_write_tcr_el1(tcr); hw_write_ttbr0_el1(tables.root)
        hw_isb(); hw_tlbi_all_el1()
        hw_write_sctlr_el1(hw_read_sctlr_el1() | 1 | 1 << 2 | 1 << 12)
    }
    hw_isb()
}
