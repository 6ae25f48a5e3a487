/// The `/chosen` properties a boot loader hands to Linux (devicetree spec §3.6;
/// Linux Documentation/devicetree/bindings/chosen.txt).
extension FDTEditor {
    /// Sets `bootargs` (when given; NUL-terminated here) and `linux,initrd-start`/`-end` as
    /// 64-bit values (end exclusive), creating `/chosen` if needed. Without an initrd, stale
    /// initrd properties are removed so the kernel does not look for one.
    public mutating func setChosen(bootargs: [UInt8]?, initrd: FDTRegion?) throws(FDTError) {
        let chosen = try subnode(named: utf8("chosen"), of: fdt.root)
        if let bootargs {
            try setProperty(utf8("bootargs"), to: bootargs + [0], of: chosen)
        }
        let start = utf8("linux,initrd-start"), end = utf8("linux,initrd-end")
        if let initrd {
            try setProperty(start, to: be64(initrd.base), of: chosen)
            try setProperty(end, to: be64(initrd.base &+ initrd.size), of: chosen)
        } else {
            try removeProperty(start, of: chosen)
            // `chosen` keeps its offset: only bytes after its properties moved.
            try removeProperty(end, of: chosen)
        }
    }
}

private func be64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * $0)) } }
