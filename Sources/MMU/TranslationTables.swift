/// Stage-1 identity-map translation tables: 4 KiB granule, 48-bit VA (T0SZ = 16) walked from
/// level 0, built from 1 GiB and 2 MiB blocks and 4 KiB pages as alignment allows, so that
/// any amount of RAM takes a bounded number of table pages. Tables come from a fixed pool.
public struct TranslationTables {
    /// Input (and identity output) addresses must lie below 2^48.
    public static let addressLimit: UInt64 = 1 << 48
    public static let t0sz: UInt64 = 16
    public static let pageSize: UInt64 = 4096

    let pool: UnsafeMutableRawPointer
    let poolPages: Int
    /// Table pages taken from the pool so far (the level-0 root is the first).
    public private(set) var pagesUsed = 0
    public let regime: Regime
    /// The level-0 table's physical address, for TTBR0_ELx.
    public let root: UInt64

    /// Tables come from `pool` (page-aligned, `pages` pages, at least one); the first page
    /// becomes the level-0 root.
    public init(pool: UnsafeMutableRawPointer, pages: Int, regime: Regime) {
        self.pool = pool
        poolPages = pages
        self.regime = regime
        root = UInt64(UInt(bitPattern: pool))
        TranslationTables.zero(pool)
        pagesUsed = 1
    }

    /// Bytes one entry of a level-`level` table covers: 512 GiB, 1 GiB, 2 MiB, 4 KiB.
    /// Callers pass a level of 0 to 3: the arithmetic wraps rather than checks.
    static func entrySpan(_ level: Int) -> UInt64 { 1 &<< UInt64(truncatingIfNeeded: 12 &+ 9 &* (3 &- level)) }

    static func zero(_ page: UnsafeMutableRawPointer) {
        // Word stores into the page-aligned table (storeBytes takes any alignment, and under
        // strict alignment that is a byte store per byte).
        let entries = unsafe page.assumingMemoryBound(to: UInt64.self)
        for i in 0..<512 { unsafe entries[i] = 0 }
    }

    static func entry(_ table: UInt64, _ index: Int) -> UnsafeMutablePointer<UInt64> {
        // Safety: `table` is a page of this pool (or of the host test's pool); index < 512.
        unsafe UnsafeMutablePointer<UInt64>(bitPattern: UInt(table) + UInt(index * 8))!
    }

    mutating func newTable() -> UInt64? {
        guard pagesUsed < poolPages else { return nil }
        let page = unsafe pool + pagesUsed * Int(TranslationTables.pageSize)
        TranslationTables.zero(page)
        pagesUsed &+= 1   // below poolPages (checked above)
        return UInt64(UInt(bitPattern: page))
    }

    /// Identity-maps [base, base + size) with `access`. Both must be page multiples and the range
    /// must end at or below 2^48. Later mappings override earlier ones where they overlap.
    /// Returns false (having mapped a prefix) for a bad range or when the pool runs out.
    @inline(never)   // one copy: every caller maps through it
    public mutating func map(_ base: UInt64, _ size: UInt64, _ access: Access, nonSecure: Bool = false) -> Bool {
        let mask = TranslationTables.pageSize - 1
        guard base & mask == 0, size & mask == 0 else { return false }
        let (end, overflow) = base.addingReportingOverflow(size)
        guard !overflow, end <= TranslationTables.addressLimit else { return false }
        let attrs = Descriptor.attributes(access, nonSecure: nonSecure, regime: regime)
        var va = base
        while va < end {
            var level = 1
            while level < 3 && (va % TranslationTables.entrySpan(level) != 0 || end - va < TranslationTables.entrySpan(level)) {
                level += 1
            }
            guard let table = place(va, level: level, attrs: attrs) else { return false }
            va += TranslationTables.entrySpan(level)
            if level == 3 {
                // The pages up to the end of that level-3 table (or `end`) go straight into it:
                // one walk per 2 MiB, not one per page.
                let span2 = TranslationTables.entrySpan(2)
                let stop = min(end, (va - 1) / span2 * span2 + span2)
                while va < stop {
                    unsafe TranslationTables.entry(table, Int((va / TranslationTables.pageSize) & 0x1FF)).pointee =
                        va | attrs | Descriptor.valid | Descriptor.tableOrPage
                    va += TranslationTables.pageSize
                }
            }
        }
        return true
    }

    /// Writes the level-`target` block or page for `va`, creating tables on the way and splitting
    /// any coarser block it meets. Where a finer table already sits, fills that table instead,
    /// so earlier finer mappings are overridden without leaking their pages. Returns the table
    /// written into (for a page, the level-3 table), nil when the pool runs out.
    mutating func place(_ va: UInt64, level target: Int, attrs: UInt64) -> UInt64? {
        var table = root
        var level = 0
        while true {
            let span = TranslationTables.entrySpan(level)
            let entry = TranslationTables.entry(table, Int((va / span) & 0x1FF))
            let old = unsafe entry.pointee
            let isTable = level < 3 && old & (Descriptor.valid | Descriptor.tableOrPage) == Descriptor.valid | Descriptor.tableOrPage
            if level == target && !isTable {
                unsafe entry.pointee = va | attrs | Descriptor.valid | (level == 3 ? Descriptor.tableOrPage : 0)
                return table
            }
            if level == target {
                let child = TranslationTables.entrySpan(level &+ 1)
                for i in 0..<UInt64(512) {
                    guard place(va &+ i &* child, level: level &+ 1, attrs: attrs) != nil else { return nil }
                }
                return table
            }
            if isTable {
                table = old & Descriptor.outputAddressMask
            } else {
                guard let next = newTable() else { return nil }
                if old & Descriptor.valid != 0 {        // a block: repeat it at the finer size
                    let child = TranslationTables.entrySpan(level &+ 1)
                    let base = old & Descriptor.outputAddressMask & ~(span - 1)
                    let kind = level &+ 1 == 3 ? Descriptor.tableOrPage : 0
                    for i in 0..<512 {
                        unsafe TranslationTables.entry(next, i).pointee =
                            (base + UInt64(i) * child) | (old & Descriptor.attributeMask) | Descriptor.valid | kind
                    }
                }
                unsafe entry.pointee = next | Descriptor.valid | Descriptor.tableOrPage
                table = next
            }
            level &+= 1   // 0 to 3: the walk stops at `target`
        }
    }

    /// What a walk of `va` finds: the block or page descriptor and its level, nil when unmapped.
    public func lookup(_ va: UInt64) -> (descriptor: UInt64, level: Int)? {
        guard va < TranslationTables.addressLimit else { return nil }
        var table = root
        for level in 0...3 {
            let d = unsafe TranslationTables.entry(table, Int((va / TranslationTables.entrySpan(level)) & 0x1FF)).pointee
            guard d & Descriptor.valid != 0 else { return nil }
            let tableOrPage = d & Descriptor.tableOrPage != 0
            if level == 3 { return tableOrPage ? (d, 3) : nil }        // 0b01 is reserved at level 3
            if !tableOrPage { return level == 0 ? nil : (d, level) }   // no level-0 blocks with 4 KiB
            table = d & Descriptor.outputAddressMask
        }
        return nil
    }

    /// The access mapped at `va` and whether it is non-secure; nil when unmapped.
    public func access(at va: UInt64) -> (access: Access, nonSecure: Bool)? {
        guard let (d, _) = lookup(va), let a = Descriptor.access(of: d, regime: regime) else { return nil }
        return (a, d & Descriptor.nonSecure != 0)
    }
}
