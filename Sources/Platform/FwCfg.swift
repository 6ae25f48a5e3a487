import Hardware

/// QEMU's firmware configuration device (QEMU docs/specs/fw_cfg: MMIO, the DTB gives its address):
/// the run script passes boot options as `-fw_cfg name=opt/swiftfw/<key>,string=<value>`.
/// Used only where the device tree lists it ("qemu,fw-cfg-mmio"): other boards have none, and
/// touching its address there would fault.
public enum FwCfg {
    /// Set at boot from the device tree; nil: no fw_cfg.
    nonisolated(unsafe) public static var base: UInt64? = nil
    static var data: UInt64 { base ?? 0 }               // 8-bit reads stream the selected item
    static var selector: UInt64 { (base ?? 0) + 8 }     // 16-bit, big-endian
    static var dmaAddress: UInt64 { (base ?? 0) + 16 }  // 64-bit, big-endian; writing the low half starts it
    static let fileDirectory: UInt16 = 0x19

    @inline(never)   // four callers (item32, file, qfw load, the signature)
    public static func select(_ key: UInt16) {
        guard base != nil else { return }
        // The selector is big-endian on MMIO: write the byte-swapped key as a 16-bit store.
        let swapped = UInt32(key >> 8 | (key & 0xFF) << 8)
        hw_mmio_write16(selector, UInt16(swapped))
    }

    @inline(never)   // qfw load's command line and a named file: one copy
    public static func readBytes(_ n: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: n)
        for i in 0..<n { out[i] = hw_mmio_read8(data) }
        return out
    }

    /// The next `n` bytes of the selected item (n ≤ 8) as a big-endian number: fields read from
    /// the port as they come, no array per read.
    @inline(never)
    static func readBE(_ n: Int) -> UInt64 {
        var value: UInt64 = 0
        for _ in 0..<n { value = value << 8 | UInt64(hw_mmio_read8(data)) }
        return value
    }

    /// Whether the device is there: the signature item (key 0) reads "QEMU".
    public static var present: Bool {
        guard base != nil else { return false }
        select(0)
        return readBE(4) == 0x5145_4D55
    }

    /// A little-endian u32 item (sizes, the feature bitmap); 0 without fw_cfg.
    public static func item32(_ key: UInt16) -> UInt32 {
        guard present else { return 0 }
        select(key)
        return UInt32(truncatingIfNeeded: readBE(4)).byteSwapped
    }

    /// Starts the DMA access described by the 16-byte record at `record` (QEMU completes it
    /// before the store returns; the caller reads the record's control word back).
    public static func startDMA(record: UInt64) {
        guard base != nil else { return }
        hw_dsb_sy()
        hw_mmio_write32(dmaAddress, UInt32(truncatingIfNeeded: record >> 32).byteSwapped)
        hw_mmio_write32(dmaAddress + 4, UInt32(truncatingIfNeeded: record).byteSwapped)
        hw_dsb_sy()
    }

    /// The contents of the named file, or nil (no fw_cfg, or no such file). Call with the MMU
    /// mapping the device as device memory (or off).
    public static func file(_ name: StaticString) -> [UInt8]? {
        guard present else { return nil }
        let n = name.utf8CodeUnitCount
        guard n < 56 else { return nil }
        select(fileDirectory)
        let count = readBE(4)
        guard count < 1024 else { return nil }
        for _ in 0..<count {
            // size u32, select u16, reserved u16, name[56] (NUL-padded), each read as it comes
            let size = readBE(4), key = readBE(2)
            _ = readBE(2)
            var matches = true
            for k in 0..<56 {
                let b = hw_mmio_read8(data)
                let want: UInt8 = k < n ? unsafe name.utf8Start[k] : 0
                if k <= n && b != want { matches = false }
            }
            if matches {
                guard size <= 4096 else { return nil }
                select(UInt16(truncatingIfNeeded: key))
                return readBytes(Int(size))
            }
        }
        return nil
    }
}
