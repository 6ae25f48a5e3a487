import Hardware
import MMU

@_extern(c, "dcache_invalidate_range_poc") func early_invalidate(_ start: UInt64, _ length: UInt64)

/// A first identity map, turned on before any Swift code reads the boot inputs: with the MMU
/// off every access is Device-nGnRnE and silicon faults on an unaligned one, so code that runs
/// then must be built with strict alignment (Makefile STRICT_ALIGN, docs/image-size.md). With
/// this map on, only this module, MMU and the entry glue run with the MMU off; the device tree
/// or boot information is parsed from Normal memory, and the image's own map replaces this one
/// (MMUControl.replace) once the inputs say what RAM and devices there are.
public enum EarlyMap {
    /// The pool is zeroed, and made visible to the table walker, before the MMU is on: a table
    /// taken from it later (`addDevice`) is all invalid entries to the walker from the start.
    static func zero(_ pool: UnsafeMutableRawPointer, pages: Int) {
        let words = unsafe pool.assumingMemoryBound(to: UInt64.self)
        for i in 0..<pages * 512 { unsafe words[i] = 0 }
        hw_dsb_sy()
    }

    /// Maps [dataStart, dataEnd) read/write (the device tree or boot information; page-rounded,
    /// none when empty) and [imageStart, imageEnd) read/write/executable (this image, loaded
    /// with the MMU off), then turns the MMU on at `el`. Data that does not fit the pool or lies
    /// above 2^48 stays (partly) unmapped: the caller checks with `lookup`. Nil (the MMU still
    /// off) when the image does not fit.
    /// Never inlined: Embedded Swift would otherwise compile its body into the caller's module,
    /// with that module's flags (a caller without strict alignment).
    @inline(never)
    public static func enable(el: Int, pool: UnsafeMutableRawPointer, pages: Int,
                              imageStart: UInt64, imageEnd: UInt64, dataStart: UInt64, dataEnd: UInt64) -> TranslationTables? {
        zero(pool, pages: pages)
        var tables = TranslationTables(pool: pool, pages: pages, regime: Regime(el: el))
        let page = TranslationTables.pageSize - 1
        let base = dataStart & ~page, end = (dataEnd + page) & ~page
        if dataEnd > dataStart { _ = tables.map(base, end - base, .readWrite) }
        guard tables.map(imageStart & ~page, ((imageEnd + page) & ~page) - (imageStart & ~page), .readWriteExecute)
        else { return nil }
        // Written with the MMU off, so to memory: drop any line a loader or an earlier EL left.
        early_invalidate(UInt64(UInt(bitPattern: pool)), UInt64(pages) * TranslationTables.pageSize)
        MMUControl.enable(el: el, tables: tables, wxn: false)
        return tables
    }

    /// Adds the device page holding `address` to the live early map. Only invalid entries change,
    /// so no break-before-make: a page the map holds already (a device the inputs place in RAM or
    /// in the image) is left as it is. The barriers publish the entry before the first access.
    @inline(never)
    public static func addDevice(_ tables: inout TranslationTables, _ address: UInt64) {
        let page = address & ~(TranslationTables.pageSize - 1)
        guard tables.lookup(page) == nil else { return }
        _ = tables.map(page, TranslationTables.pageSize, .device)
        hw_dsb_ish()
        hw_isb()
    }
}
