import MM
/// The normal-world image's regions (Linker/normal.ld) as the memory map describes them.
public struct EFIFirmwareLayout: Sendable {
    public var imageStart: UInt64, runtimeStart: UInt64, runtimeData: UInt64, runtimeStop: UInt64
    public var textEnd: UInt64, imageEnd: UInt64

    public init(imageStart: UInt64, runtimeStart: UInt64, runtimeData: UInt64, runtimeStop: UInt64, textEnd: UInt64, imageEnd: UInt64) {
        self.imageStart = imageStart; self.runtimeStart = runtimeStart; self.runtimeData = runtimeData
        self.runtimeStop = runtimeStop; self.textEnd = textEnd; self.imageEnd = imageEnd
    }
}

extension EFIMemoryMap {
    /// The whole pages that hold [base, end).
    public static func pages(_ base: UInt64, _ end: UInt64) -> (base: UInt64, pages: UInt64) {
        let b = base & ~(pageSize - 1)
        let e = (end + pageSize - 1) & ~(pageSize - 1)
        return (b, e > b ? (e - b) / pageSize : 0)
    }

    /// [base, end) in whole pages as `type`, over whatever was there. `owned`: FreePages may
    /// give it back (EFIMemoryRange).
    @inline(never)
    public mutating func describe(_ base: UInt64, _ end: UInt64, _ type: UInt32, runtime: Bool = false, owned: Bool = false) {
        let p = EFIMemoryMap.pages(base, end)
        set(EFIMemoryRange(base: p.base, pages: p.pages, type: type,
                           attribute: EFIMemoryAttribute.writeBack | (runtime ? EFIMemoryAttribute.runtime : 0), owned: owned))
    }

    /// A range a caller gives `describe`: base, size.
    public typealias Ranges = (_ describe: (UInt64, UInt64) -> Void) -> Void

    /// The map at `bootefi`: RAM free but for the firmware, the device tree's slot, reserved
    /// memory, and `runtimeShared` (the MM buffer: reserved, and mapped for the runtime
    /// services). In the firmware, the runtime region's code is runtime code; its data and
    /// everything from the end of .text on (read-only data, data, bss, stacks, heap) are
    /// runtime data, since the runtime variable path reads globals and allocates; the rest of
    /// the code is boot services code, which the OS may reuse. `ram` and `reserved` call
    /// `describe` with each of their ranges (no array of ranges is built for them). `table`:
    /// where the map keeps its ranges (`EFIMemoryMap.slots` entries).
    public static func atBoot(table: UnsafeMutablePointer<EFIMemoryRange>, ram: Ranges, firmware f: EFIFirmwareLayout,
                              deviceTree: (base: UInt64, size: UInt64),
                              reserved: Ranges, runtimeShared: (base: UInt64, size: UInt64)) -> EFIMemoryMap {
        var m = EFIMemoryMap(table: table)
        ram { base, size in m.describe(base, base + size, EFIMemoryType.conventional) }
        m.describe(deviceTree.base, deviceTree.base + deviceTree.size, EFIMemoryType.bootServicesData)
        reserved { base, size in m.describe(base, base + size, EFIMemoryType.reserved) }
        m.describe(f.imageStart, f.runtimeStart, EFIMemoryType.bootServicesCode)
        m.describe(f.runtimeStart, f.runtimeData, EFIMemoryType.runtimeServicesCode, runtime: true)
        m.describe(f.runtimeData, f.runtimeStop, EFIMemoryType.runtimeServicesData, runtime: true)
        m.describe(f.runtimeStop, f.textEnd, EFIMemoryType.bootServicesCode)
        m.describe(f.textEnd, f.imageEnd, EFIMemoryType.runtimeServicesData, runtime: true)
        m.describe(runtimeShared.base, runtimeShared.base + runtimeShared.size, EFIMemoryType.reserved, runtime: true)
        return m
    }
}

/// EFI_LOADED_IMAGE_PROTOCOL (UEFI 2.10 §9.1), 96 bytes.
public enum EFILoadedImage {
    public static let size = 96
    public static let revision: UInt64 = 0x1000

    /// The protocol at `t` (`size` bytes, zeroed: what is not written is NULL or 0).
    public static func write(to t: UnsafeMutableRawBufferPointer, systemTable: UInt64, loadOptions: UInt64,
                             loadOptionsSize: UInt32, imageBase: UInt64, imageSize: UInt64) {
        unsafe t.storeBytes(of: UInt32(revision), toByteOffset: 0, as: UInt32.self)
        unsafe t.storeBytes(of: systemTable, toByteOffset: 16, as: UInt64.self)
        unsafe t.storeBytes(of: loadOptionsSize, toByteOffset: 48, as: UInt32.self)
        unsafe t.storeBytes(of: loadOptions, toByteOffset: 56, as: UInt64.self)
        unsafe t.storeBytes(of: imageBase, toByteOffset: 64, as: UInt64.self)
        unsafe t.storeBytes(of: imageSize, toByteOffset: 72, as: UInt64.self)
        unsafe t.storeBytes(of: EFIMemoryType.loaderCode, toByteOffset: 80, as: UInt32.self)
        unsafe t.storeBytes(of: EFIMemoryType.loaderData, toByteOffset: 84, as: UInt32.self)
    }

    /// LoadOptions as Linux's stub reads them, written at `t`: the command line in UCS-2 with
    /// its NUL (`2 * ascii.count + 2` bytes, returned); the firmware vendor string alike.
    public static func writeOptions(_ ascii: UnsafeBufferPointer<UInt8>, to t: UnsafeMutableRawBufferPointer) -> Int {
        UCS2.write(ascii, to: t, at: 0)
    }
}
