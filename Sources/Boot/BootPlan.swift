import DeviceTree

/// Something in memory at boot that the kernel and the initrd must leave alone.
public struct BootOccupant: Equatable, Sendable {
    public var kind: BootRegionKind
    public var region: FDTRegion
    public init(_ kind: BootRegionKind, _ region: FDTRegion) { self.kind = kind; self.region = region }
}

/// Where `booti` puts the kernel: the Image at `source` is moved (memmove, `imageSize` bytes)
/// to `load` = a 2 MiB-aligned base + text_offset, unless it is there already.
public struct KernelPlacement: Equatable, Sendable {
    public var source: UInt64
    public var load: UInt64
    public var imageSize: UInt64
    public var moves: Bool { source != load }
    /// The 2 MiB-aligned base the kernel counts from.
    public var base: UInt64
}

/// The checks and the choice of `booti` (booting.rst; U-Boot's `booti_setup`), free of hardware.
public enum BootPlan {
    public static let alignment: UInt64 = 2 << 20

    /// Whether [base, base+size) lies inside one RAM range (false when it wraps).
    public static func inRAM(_ r: FDTRegion, _ memory: [FDTRegion]) -> Bool {
        guard let end = r.end else { return false }
        return memory.contains { m in m.end.map { r.base >= m.base && end <= $0 } ?? false }
    }

    @inline(never)   // inlined, each of its three callers held a copy
    public static func overlaps(_ a: FDTRegion, _ b: FDTRegion) -> Bool {
        guard a.size != 0, b.size != 0 else { return false }
        let aEnd = a.end ?? UInt64.max, bEnd = b.end ?? UInt64.max
        return a.base < bEnd && b.base < aEnd
    }

    /// Checks the initrd, then places the kernel found at `image` (its header already decoded).
    /// `occupied` holds the device tree (with the room it may grow into), the firmware and the
    /// reserved regions. A kernel that may go anywhere stays at `image` rounded up to the next
    /// 2 MiB boundary + text_offset; one that may not goes to the lowest free 2 MiB boundary.
    public static func place(image: UInt64, header: ImageHeader, initrd: FDTRegion?,
                             occupied: [BootOccupant], memory: [FDTRegion]) throws(BootError) -> KernelPlacement {
        // The Image is read from `image` (moved or not): all of it must be RAM.
        guard inRAM(FDTRegion(base: image, size: header.imageSize), memory) else { throw .kernelOutsideRAM }
        var blockers = occupied
        if let initrd {
            guard initrd.size != 0, inRAM(initrd, memory) else { throw .initrdOutsideRAM }
            if let o = firstOverlap(occupied, initrd) { throw .initrdOverlaps(o.kind) }
            add(&blockers, .initrd, initrd)
        }
        let footprint = header.footprint
        if header.placeAnywhere {
            guard image >= header.textOffset, let base = alignUp(image - header.textOffset) else {
                throw .kernelOutsideRAM
            }
            let region = FDTRegion(base: base, size: footprint)
            guard inRAM(region, memory) else { throw .kernelOutsideRAM }
            if let o = firstOverlap(blockers, region) { throw .kernelOverlaps(o.kind) }
            return KernelPlacement(source: image, load: base + header.textOffset, imageSize: header.imageSize, base: base)
        }
        // Lowest range first. An insertion sort (stable, as `sorted`): a board has a few
        // ranges, and the stdlib's sort would add its merge code to the image.
        var ranges = memory
        for i in ranges.indices.dropFirst() {
            var j = i
            while j > 0 && ranges[j].base < ranges[j - 1].base { ranges.swapAt(j, j - 1); j -= 1 }
        }
        for range in ranges {
            guard let rangeEnd = range.end else { continue }
            var candidate = alignUp(range.base)
            while let base = candidate, base <= rangeEnd, footprint <= rangeEnd - base {
                let region = FDTRegion(base: base, size: footprint)
                guard let o = firstOverlap(blockers, region) else {
                    return KernelPlacement(source: image, load: base + header.textOffset, imageSize: header.imageSize, base: base)
                }
                candidate = o.region.end.flatMap(alignUp)
            }
        }
        throw .noRoomForKernel
    }

    /// The device tree is edited in place over `region` (its room included): never over the
    /// firmware or reserved memory.
    public static func checkDeviceTree(_ region: FDTRegion, occupied: [BootOccupant]) throws(BootError) {
        if occupied.contains(where: { $0.kind != .deviceTree && overlaps($0.region, region) }) {
            throw .deviceTreeOverlaps
        }
    }

    /// One occupant onto a list: out of line, one copy of the array's append for the image's
    /// list of occupants and this one.
    @inline(never)
    public static func add(_ list: inout [BootOccupant], _ kind: BootRegionKind, _ region: FDTRegion) {
        list.append(BootOccupant(kind, region))
    }

    /// The first of `list` that overlaps `region`: one loop for the places that ask (the
    /// image's qfw load too).
    @inline(never)
    public static func firstOverlap(_ list: [BootOccupant], _ region: FDTRegion) -> BootOccupant? {
        for o in list where overlaps(o.region, region) { return o }
        return nil
    }

    static func alignUp(_ v: UInt64) -> UInt64? {
        let (sum, overflow) = v.addingReportingOverflow(alignment - 1)
        return overflow ? nil : sum & ~(alignment - 1)
    }

    /// How many bytes after a device tree's start `booti` may use to edit it in place: its
    /// totalsize when that leaves at least 4 KiB free (QEMU hands over 1 MiB), else totalsize
    /// plus 12 KiB (U-Boot's CONFIG_SYS_FDT_PAD), which then counts as occupied.
    public static func deviceTreeRoom(totalSize: UInt64, used: UInt64) -> UInt64 {
        used + 0x1000 <= totalSize ? totalSize : (totalSize + 0x3000 + 7) & ~7
    }
}

extension FDTRegion {
    /// One past the last byte; nil when the region wraps past 2^64.
    public var end: UInt64? {
        let (e, overflow) = base.addingReportingOverflow(size)
        return overflow ? nil : e
    }
}
