import MM

/// EFI_MEMORY_TYPE values (UEFI 2.10 §7.2).
public enum EFIMemoryType {
    public static let reserved: UInt32 = 0, loaderCode: UInt32 = 1, loaderData: UInt32 = 2
    public static let bootServicesCode: UInt32 = 3, bootServicesData: UInt32 = 4
    public static let runtimeServicesCode: UInt32 = 5, runtimeServicesData: UInt32 = 6
    public static let conventional: UInt32 = 7, persistent: UInt32 = 14

    /// What AllocatePages/AllocatePool accept: the spec's types but conventional and persistent
    /// (and none of the reserved range up to the OEM/OS values at 0x7000_0000).
    public static func allocatable(_ t: UInt32) -> Bool {
        (t < 15 && t != conventional && t != persistent) || t >= 0x7000_0000
    }
}

/// EFI_MEMORY_DESCRIPTOR Attribute bits.
public enum EFIMemoryAttribute {
    public static let writeBack: UInt64 = 0x8
    public static let runtime: UInt64 = 1 << 63
}

/// One range of the map, in 4 KiB pages. `owned`: it came from AllocatePages or AllocatePool,
/// so FreePages may give it back (never a range the firmware itself described).
public struct EFIMemoryRange: Equatable, Sendable {
    public var base: UInt64
    public var pages: UInt64
    public var type: UInt32
    public var attribute: UInt64
    public var owned: Bool

    public init(base: UInt64, pages: UInt64, type: UInt32, attribute: UInt64 = EFIMemoryAttribute.writeBack, owned: Bool = false) {
        self.base = base; self.pages = pages; self.type = type; self.attribute = attribute; self.owned = owned
    }

    public var end: UInt64 { base + pages * EFIMemoryMap.pageSize }
}

/// The memory map boot services keep and GetMemoryMap returns (UEFI 2.10 §7.2): sorted,
/// non-overlapping ranges; every change bumps `key`, which ExitBootServices must be given.
public struct EFIMemoryMap: Sendable {
    public static let pageSize: UInt64 = 4096
    /// Larger than the 40-byte structure, as EDK2 does, so that callers step by DescriptorSize.
    public static let descriptorSize = 48
    public static let descriptorVersion: UInt32 = 1

    public private(set) var ranges: [EFIMemoryRange] = []
    public private(set) var key: UInt64 = 1

    public init() {}

    /// Describes [base, base + pages) as `type`, over whatever was there.
    public mutating func set(_ r: EFIMemoryRange) {
        guard r.pages > 0 else { return }
        // Ranges stay sorted: what lies before `r`, then `r`, then what lies after it.
        var out: [EFIMemoryRange] = []
        var placed = false
        for old in ranges {
            if old.base < r.base {
                var left = old
                left.pages = (min(old.end, r.base) - old.base) / EFIMemoryMap.pageSize
                append(left, to: &out)
            }
            if old.end > r.end {
                if !placed { append(r, to: &out); placed = true }
                var right = old
                right.base = max(old.base, r.end)
                right.pages = (old.end - right.base) / EFIMemoryMap.pageSize
                append(right, to: &out)
            }
        }
        if !placed { append(r, to: &out) }
        ranges = out
        key &+= 1
    }

    /// Appends `x`, merged into the last range when they touch and match.
    @inline(never)
    func append(_ x: EFIMemoryRange, to out: inout [EFIMemoryRange]) {
        let n = out.count
        if n > 0, out[n - 1].end == x.base, out[n - 1].type == x.type, out[n - 1].attribute == x.attribute,
           out[n - 1].owned == x.owned {
            out[n - 1].pages += x.pages   // in place: no copy of the last range out and back
        } else {
            out.append(x)
        }
    }

    /// EFI_ALLOCATE_TYPE.
    public enum AllocateType: UInt32 { case anyPages = 0, maxAddress = 1, address = 2 }

    /// AllocatePages: the highest free range that fits (at or below `address` for maxAddress),
    /// or exactly `address`. `alignment` is this firmware's own need (a PE image's placement).
    public mutating func allocate(_ kind: AllocateType, type: UInt32, pages: UInt64, address: UInt64 = 0,
                                  alignment: UInt64 = pageSize) -> (status: EFIStatus, base: UInt64) {
        guard EFIMemoryType.allocatable(type), pages > 0, pages < 1 << 40 else { return (.invalidParameter, 0) }
        let size = pages * EFIMemoryMap.pageSize
        let attribute = EFIMemoryAttribute.writeBack | (type == EFIMemoryType.runtimeServicesCode
            || type == EFIMemoryType.runtimeServicesData ? EFIMemoryAttribute.runtime : 0)
        if kind == .address {
            guard address % EFIMemoryMap.pageSize == 0 else { return (.invalidParameter, 0) }
            guard ranges.contains(where: { $0.type == EFIMemoryType.conventional && $0.base <= address && address + size <= $0.end })
            else { return (.notFound, 0) }
            set(EFIMemoryRange(base: address, pages: pages, type: type, attribute: attribute, owned: true))
            return (.success, address)
        }
        let limit = kind == .maxAddress ? address : UInt64.max
        for r in ranges.reversed() where r.type == EFIMemoryType.conventional && r.pages >= pages {
            let top = min(r.end, limit &+ 1 == 0 ? UInt64.max : (limit + 1) & ~(EFIMemoryMap.pageSize - 1))
            guard top >= r.base + size else { continue }
            let base = (top - size) & ~(alignment - 1)
            guard base >= r.base else { continue }
            set(EFIMemoryRange(base: base, pages: pages, type: type, attribute: attribute, owned: true))
            return (.success, base)
        }
        return (.outOfResources, 0)
    }

    /// FreePages: the range must lie wholly in memory that was allocated.
    public mutating func free(base: UInt64, pages: UInt64) -> EFIStatus {
        guard base % EFIMemoryMap.pageSize == 0, pages > 0, pages < 1 << 40 else { return .invalidParameter }
        let end = base + pages * EFIMemoryMap.pageSize
        var at = base
        for r in ranges where r.end > at && r.base <= at && at < end {
            guard r.owned else { return .notFound }
            at = r.end
        }
        guard at >= end else { return .notFound }
        set(EFIMemoryRange(base: base, pages: pages, type: EFIMemoryType.conventional))
        return .success
    }

    /// The type of the range holding `address`, nil outside the map.
    public func type(at address: UInt64) -> UInt32? {
        ranges.first { $0.base <= address && address < $0.end }?.type
    }

    /// The descriptors as GetMemoryMap writes them: Type u32, pad, PhysicalStart,
    /// VirtualStart (0), NumberOfPages, Attribute; DescriptorSize bytes each.
    public func descriptors() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: ranges.count * EFIMemoryMap.descriptorSize)
        unsafe out.withUnsafeMutableBytes { unsafe writeDescriptors(to: $0) }
        return out
    }

    /// The descriptors written into `to` (at least ranges.count * descriptorSize bytes) in place:
    /// no array built to be copied into the caller's buffer. Every byte is written.
    public func writeDescriptors(to p: UnsafeMutableRawBufferPointer) {
        var o = 0
        for r in ranges {
            unsafe storeWord(UInt64(r.type), p, o)   // the upper half: the pad
            unsafe storeWord(r.base, p, o + 8)
            unsafe storeWord(0, p, o + 16)
            unsafe storeWord(r.pages, p, o + 24)
            unsafe storeWord(r.attribute, p, o + 32)
            unsafe storeWord(0, p, o + 40)
            o += EFIMemoryMap.descriptorSize
        }
    }
}
