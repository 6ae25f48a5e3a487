/// The `/chosen` properties a boot loader hands to Linux (devicetree spec §3.6;
/// Linux Documentation/devicetree/bindings/chosen.txt).
extension FDTEditor {
    /// Sets `bootargs` (when given; NUL-terminated here) and `linux,initrd-start`/`-end` as
    /// 64-bit values (end exclusive), creating `/chosen` if needed. Without an initrd, stale
    /// initrd properties are removed so the kernel does not look for one.
    public mutating func setChosen(bootargs: [UInt8]?, initrd: FDTRegion?) throws(FDTError) {
        let chosen = try subnode(named: literal("chosen"), of: fdt.root, knownMissing: false)
        if let bootargs {
            // The text where it lies; its NUL written as the value's padding.
            let failure: FDTError? = bootargs.withUnsafeBytes { v in
                do throws(FDTError) { try setProperty(named: literal("bootargs"), to: v, nul: 1, of: chosen); return nil }
                catch { return error }
            }
            if let failure { throw failure }
        }
        if let initrd {
            try setProperty("linux,initrd-start", cells: initrd.base, of: chosen)
            try setProperty("linux,initrd-end", cells: initrd.base &+ initrd.size, of: chosen)
        } else {
            try removeProperty("linux,initrd-start", of: chosen)
            // `chosen` keeps its offset: only bytes after its properties moved.
            try removeProperty("linux,initrd-end", of: chosen)
        }
    }
}
