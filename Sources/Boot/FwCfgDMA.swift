/// QEMU's fw_cfg items for a kernel given with -kernel/-initrd/-append, and the DMA access
/// record (QEMU docs/specs/fw_cfg.rst). With firmware in flash QEMU loads nothing itself: it
/// only offers these items, as it does to U-Boot's `qfw load`.
public enum FwCfgItem {
    public static let signature: UInt16 = 0x00
    /// Feature bitmap, little-endian u32: bit 0 traditional interface, bit 1 DMA.
    public static let id: UInt16 = 0x01
    public static let kernelSize: UInt16 = 0x08
    public static let initrdSize: UInt16 = 0x0B
    public static let kernelData: UInt16 = 0x11
    public static let initrdData: UInt16 = 0x12
    public static let cmdlineSize: UInt16 = 0x14
    public static let cmdlineData: UInt16 = 0x15
    public static let dmaFeature: UInt32 = 1 << 1
}

/// `FWCfgDmaAccess`: three big-endian fields the device reads from guest memory when the
/// guest writes the record's address to the DMA register; on completion `control` reads 0,
/// or has the error bit set.
public struct FwCfgDMAAccess: Equatable, Sendable {
    public static let error: UInt32 = 1 << 0
    public static let read: UInt32 = 1 << 1
    public static let skip: UInt32 = 1 << 2
    public static let select: UInt32 = 1 << 3

    public var control: UInt32
    public var length: UInt32
    public var address: UInt64

    /// Select `item`, then read `length` bytes of it to `address`.
    public static func selectAndRead(_ item: UInt16, length: UInt32, to address: UInt64) -> FwCfgDMAAccess {
        FwCfgDMAAccess(control: UInt32(item) << 16 | select | read, length: length, address: address)
    }

    /// Continue reading the selected item from where the last access stopped.
    public static func read(length: UInt32, to address: UInt64) -> FwCfgDMAAccess {
        FwCfgDMAAccess(control: read, length: length, address: address)
    }

    /// The 16 bytes as they sit in memory.
    public var bytes: [UInt8] {
        var b = [UInt8](repeating: 0, count: 16)
        unsafe b.withUnsafeMutableBytes { unsafe write(to: $0.baseAddress!) }
        return b
    }

    /// Writes the record where the device will read it: `p`, 8-byte aligned, 16 bytes. In
    /// place (three word stores), no array of its bytes.
    public func write(to p: UnsafeMutableRawPointer) {
        unsafe p.assumingMemoryBound(to: UInt32.self)[0] = control.bigEndian
        unsafe p.assumingMemoryBound(to: UInt32.self)[1] = length.bigEndian
        unsafe (p + 8).assumingMemoryBound(to: UInt64.self).pointee = address.bigEndian
    }

    /// Whether a control word read back after the access reports completion without error.
    public static func succeeded(_ control: UInt32) -> Bool { control == 0 }
}
