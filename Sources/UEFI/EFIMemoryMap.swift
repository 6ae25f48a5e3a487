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

    /// Wrapping: a range of the map lies within the address space (its pages come from
    /// addresses, or from an allocation of fewer than 2^40 pages within one), so no check.
    public var end: UInt64 { base &+ pages &* EFIMemoryMap.pageSize }
}

/// The memory map boot services keep and GetMemoryMap returns (UEFI 2.10 §7.2): sorted,
/// non-overlapping ranges; every change bumps `key`, which ExitBootServices must be given.
/// The ranges sit in a table of `slots` entries that the owner hands in (bootefi: in its
/// block), not an array: no growth code, no allocation per change. The map holds at most
/// `capacity` ranges; a change whose result would hold more is refused whole before anything
/// is written (`full` is then set): the map is never left half changed. AllocatePages and
/// AllocatePool then answer EFI_OUT_OF_RESOURCES. A free adds a range or two only when it
/// splits an allocated range (part of an allocation, or one of several touching allocations
/// of one type, which merge); FreePages and FreePool then answer EFI_INVALID_PARAMETER, the
/// spec's answer for a count of pages they cannot take (UEFI 2.10 lists no
/// EFI_OUT_OF_RESOURCES for them), and the pages stay allocated. A free that merges or keeps
/// the count always goes through. The value refers to its table: one map per table.
public struct EFIMemoryMap {
    public static let pageSize: UInt64 = 4096
    /// Larger than the 40-byte structure, as EDK2 does, so that callers step by DescriptorSize.
    public static let descriptorSize = 48
    public static let descriptorVersion: UInt32 = 1
    /// Ranges the map holds at most.
    public static let capacity = 128
    /// Entries of its table: two spare, since a change is written in place after the old
    /// ranges move up two (a change adds at most two: a range split around a new one).
    public static let slots = capacity + 2

    let table: UnsafeMutablePointer<EFIMemoryRange>
    public private(set) var count = 0
    public private(set) var key: UInt64 = 1
    /// Changes refused for want of room; `full` once there was one (what `describe`'s callers
    /// check). A count, not a Bool: an optional map (bootefi's) then takes the table pointer's
    /// null for nil, all zero bytes (.bss), where a Bool's spare values would put it in .data.
    public private(set) var refused = 0
    public var full: Bool { refused != 0 }

    /// An empty map over `table` (`slots` entries; its contents are not read).
    public init(table: UnsafeMutablePointer<EFIMemoryRange>) { self.table = table }

    /// Range `i` (below `count`), in address order.
    public subscript(i: Int) -> EFIMemoryRange { unsafe table[i] }

    /// The ranges as a list (host tests).
    public var ranges: [EFIMemoryRange] { (0..<count).map { self[$0] } }

    /// Describes [base, base + pages) as `type`, over whatever was there; false (nothing
    /// changed, `refused` counts it) when the result would hold more than `capacity` ranges.
    @discardableResult
    public mutating func set(_ r: EFIMemoryRange) -> Bool {
        guard r.pages > 0 else { return true }
        let n = count
        // A dry walk counts the result first: a change is refused only for what it would
        // leave, so a free that merges or keeps the count goes through on a full table.
        guard rebuild(r, n, from: 0, write: false) <= EFIMemoryMap.capacity else { refused &+= 1; return false }
        // Then the same walk writes over the table in place. The old ranges move up two first
        // (the table's two spare slots: n <= capacity): the k-th is read (from k + 2) before
        // anything is written there (at most k + 3 ranges come out of k + 1).
        var k = n
        while k > 0 { k -= 1; unsafe table[k + 2] = unsafe table[k] }
        count = rebuild(r, n, from: 2, write: true)
        key &+= 1
        return true
    }

    /// The ranges that `r` over the `n` old ones (at `from` in the table) leaves, in order,
    /// touching matching ones merged: what lies before `r`, then `r`, then what lies after it.
    /// Written from the table's start when `write`, else only counted. Returns their count.
    @inline(never)
    func rebuild(_ r: EFIMemoryRange, _ n: Int, from: Int, write: Bool) -> Int {
        var out = (count: 0, last: r, write: write)             // `last`: the last range out, once count > 0
        func emit(_ x: EFIMemoryRange) { self.emit(x, &out) }
        var placed = false
        for k in 0..<n {
            let old = unsafe table[k + from]
            if old.base < r.base {
                var left = old
                left.pages = (min(old.end, r.base) - old.base) / EFIMemoryMap.pageSize
                emit(left)
            }
            if old.end > r.end {
                if !placed { emit(r); placed = true }
                var right = old
                right.base = max(old.base, r.end)
                right.pages = (old.end - right.base) / EFIMemoryMap.pageSize
                emit(right)
            }
        }
        if !placed { emit(r) }
        return out.count
    }

    /// Adds `x` to the ranges `rebuild` puts out, merged into the last one when they touch and
    /// match; stored at its place in the table when `out.write`. One copy for its three calls.
    @inline(never)
    func emit(_ x: EFIMemoryRange, _ out: inout (count: Int, last: EFIMemoryRange, write: Bool)) {
        let l = out.last
        if out.count > 0, l.end == x.base, l.type == x.type, l.attribute == x.attribute, l.owned == x.owned {
            out.last.pages += x.pages
        } else {
            out.count += 1; out.last = x
        }
        if out.write { unsafe table[out.count - 1] = out.last }
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
        if kind == .address { guard address % EFIMemoryMap.pageSize == 0 else { return (.invalidParameter, 0) } }
        // One walk from the top: the free range holding [address, address + size) (compared
        // without a sum that could pass the top of the address space), or the highest one with
        // room below the limit.
        let limit = kind == .maxAddress ? address : UInt64.max
        var base: UInt64? = nil
        var i = count
        while base == nil, i > 0 {
            i -= 1
            let r = self[i]
            guard r.type == EFIMemoryType.conventional else { continue }
            if kind == .address {
                if r.base <= address && address < r.end && size <= r.end - address { base = address }
                continue
            }
            guard r.pages >= pages else { continue }
            let top = min(r.end, limit &+ 1 == 0 ? UInt64.max : (limit + 1) & ~(EFIMemoryMap.pageSize - 1))
            guard top >= r.base + size else { continue }
            let b = (top - size) & ~(alignment - 1)
            if b >= r.base { base = b }
        }
        guard base != nil else { return (kind == .address ? .notFound : .outOfResources, 0) }
        guard set(EFIMemoryRange(base: base!, pages: pages, type: type, attribute: attribute, owned: true)) else {
            return (.outOfResources, 0)
        }
        return (.success, base!)
    }

    /// FreePages: the range must lie wholly in memory that was allocated.
    public mutating func free(base: UInt64, pages: UInt64) -> EFIStatus {
        guard base % EFIMemoryMap.pageSize == 0, pages > 0, pages < 1 << 40 else { return .invalidParameter }
        let end = base &+ pages &* EFIMemoryMap.pageSize
        guard end > base else { return .notFound }              // past the top of the address space: never allocated
        var at = base
        for i in 0..<count where self[i].end > at && self[i].base <= at && at < end {
            guard self[i].owned else { return .notFound }
            at = self[i].end
        }
        guard at >= end else { return .notFound }
        // Refused (the pages stay allocated) only when it would split ranges past `capacity`.
        return set(EFIMemoryRange(base: base, pages: pages, type: EFIMemoryType.conventional)) ? .success : .invalidParameter
    }

    /// The type of the range holding `address`, nil outside the map.
    public func type(at address: UInt64) -> UInt32? {
        for i in 0..<count where self[i].base <= address && address < self[i].end { return self[i].type }
        return nil
    }

    /// The descriptors as GetMemoryMap writes them: Type u32, pad, PhysicalStart,
    /// VirtualStart (0), NumberOfPages, Attribute; DescriptorSize bytes each.
    public func descriptors() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count * EFIMemoryMap.descriptorSize)
        unsafe out.withUnsafeMutableBytes { unsafe writeDescriptors(to: $0) }
        return out
    }

    /// The descriptors written into `to` (at least count * descriptorSize bytes) in place:
    /// no array built to be copied into the caller's buffer. Every byte is written.
    public func writeDescriptors(to p: UnsafeMutableRawBufferPointer) {
        guard let d = p.baseAddress else { return }
        // One store a word (UEFI is built without strict alignment: the caller's buffer may be
        // unaligned); wrapping offsets within count * descriptorSize.
        var o = 0
        for i in 0..<count {
            let r = self[i]
            unsafe d.storeBytes(of: UInt64(r.type), toByteOffset: o, as: UInt64.self)   // the upper half: the pad
            unsafe d.storeBytes(of: r.base, toByteOffset: o &+ 8, as: UInt64.self)
            unsafe d.storeBytes(of: 0, toByteOffset: o &+ 16, as: UInt64.self)
            unsafe d.storeBytes(of: r.pages, toByteOffset: o &+ 24, as: UInt64.self)
            unsafe d.storeBytes(of: r.attribute, toByteOffset: o &+ 32, as: UInt64.self)
            unsafe d.storeBytes(of: 0, toByteOffset: o &+ 40, as: UInt64.self)
            o &+= EFIMemoryMap.descriptorSize
        }
    }
}
