import MM
import Testing
@testable import UEFI

private let firmware = EFIFirmwareLayout(imageStart: 0x6000_0000, runtimeStart: 0x6000_1000, runtimeData: 0x6001_0000,
                                         runtimeStop: 0x6001_2000, textEnd: 0x6003_0000, imageEnd: 0x6060_0000)
/// A table for a map (the tests' tables live as long as the test process).
private func table() -> UnsafeMutablePointer<EFIMemoryRange> { .allocate(capacity: EFIMemoryMap.slots) }

private func virt() -> EFIMemoryMap {
    EFIMemoryMap.atBoot(table: table(), ram: { $0(0x4000_0000, 0x4000_0000) }, firmware: firmware, deviceTree: (0x4000_0000, 0x10_0000),
                        reserved: { $0(0x4010_0000, 0x1_0000) }, runtimeShared: (0x4010_0000, 0x1_0000))
}

@Suite struct EFIMemoryMapTests {
    @Test func theBootMapCoversRAMOnceAndMarksTheRuntimeRegions() {
        let m = virt()
        var at: UInt64 = 0x4000_0000
        for r in m.ranges { #expect(r.base == at); at = r.end }
        #expect(at == 0x8000_0000)
        let runtime = m.ranges.filter { $0.attribute & EFIMemoryAttribute.runtime != 0 }
        #expect(runtime.map { $0.type } == [EFIMemoryType.reserved, EFIMemoryType.runtimeServicesCode,
                                            EFIMemoryType.runtimeServicesData, EFIMemoryType.runtimeServicesData])
        #expect(runtime[0].base == 0x4010_0000 && runtime[0].pages == 16)              // the MM buffer
        #expect(runtime[1].base == 0x6000_1000 && runtime[1].end == 0x6001_0000)
        #expect(runtime[3].base == 0x6003_0000 && runtime[3].end == 0x6060_0000)
        #expect(m.type(at: 0x6001_2000) == EFIMemoryType.bootServicesCode && m.type(at: 0x4000_0000) == EFIMemoryType.bootServicesData)
        #expect(m.ranges.allSatisfy { $0.attribute & EFIMemoryAttribute.writeBack != 0 })
    }

    @Test func descriptorsAre48BytesWithTypeAddressPagesAndAttribute() {
        let m = virt()
        let d = m.descriptors()
        #expect(d.count == 48 * m.ranges.count)
        let i = m.ranges.firstIndex { $0.type == EFIMemoryType.runtimeServicesCode }!
        #expect(d.le(48 * i, 4) == 5 && d.le(48 * i + 8, 8) == 0x6000_1000 && d.le(48 * i + 16, 8) == 0)
        #expect(d.le(48 * i + 24, 8) == 15 && d.le(48 * i + 32, 8) == 0x8000_0000_0000_0008)
    }

    @Test func allocationsComeFromTheTopOfFreeMemoryAndChangeTheKey() {
        var m = virt()
        let key = m.key
        let a = m.allocate(.anyPages, type: EFIMemoryType.loaderData, pages: 4)
        #expect(a.status == .success && a.base == 0x7FFF_C000 && m.key != key)
        let b = m.allocate(.maxAddress, type: EFIMemoryType.loaderData, pages: 1, address: 0x5FFF_FFFF)
        #expect(b.status == .success && b.base == 0x5FFF_F000)
        let c = m.allocate(.anyPages, type: EFIMemoryType.loaderCode, pages: 0x2100, alignment: 0x20_0000)
        #expect(c.status == .success && c.base % 0x20_0000 == 0 && c.base + 0x210_0000 <= 0x7FFF_C000)
        #expect(m.allocate(.address, type: EFIMemoryType.loaderData, pages: 1, address: 0x6000_0000).status == .notFound)
        #expect(m.allocate(.address, type: EFIMemoryType.loaderData, pages: 1, address: 0x5000_0000).status == .success)
        #expect(m.allocate(.anyPages, type: EFIMemoryType.conventional, pages: 1).status == .invalidParameter)
        #expect(m.allocate(.anyPages, type: 0x100, pages: 1).status == .invalidParameter)
        #expect(m.allocate(.anyPages, type: EFIMemoryType.loaderData, pages: 0x4_0000).status == .outOfResources)
        #expect(m.allocate(.anyPages, type: EFIMemoryType.runtimeServicesData, pages: 1).status == .success)
        #expect(m.ranges.contains { $0.type == EFIMemoryType.runtimeServicesData && $0.owned && $0.attribute & EFIMemoryAttribute.runtime != 0 })
    }

    @Test func onlyAllocatedMemoryCanBeFreedAndFreeingMerges() {
        var m = virt()
        let count = m.ranges.count
        let a = m.allocate(.anyPages, type: EFIMemoryType.loaderData, pages: 2)
        #expect(m.free(base: 0x6000_0000, pages: 1) == .notFound)                 // the firmware
        #expect(m.free(base: 0x4010_0000, pages: 1) == .notFound)                 // the MM buffer
        #expect(m.free(base: a.base, pages: 3) == .notFound)                      // past the allocation
        #expect(m.free(base: a.base + 1, pages: 1) == .invalidParameter)
        #expect(m.free(base: 0xFFFF_FFFF_FFFF_F000, pages: 2) == .notFound)      // past the top: an answer, no trap
        #expect(m.allocate(.address, type: EFIMemoryType.loaderData, pages: 2, address: 0xFFFF_FFFF_FFFF_F000).status == .notFound)
        let key = m.key
        #expect(m.free(base: a.base + 0x1000, pages: 1) == .success && m.key != key)
        #expect(m.free(base: a.base, pages: 1) == .success)
        #expect(m.ranges.count == count)                                            // merged back
    }
}

@Suite struct EFIMemoryMapCapacityTests {
    /// A 3-page allocation, then 1-page ones of alternating types, none merging, until the map
    /// holds `capacity` ranges: a change whose result would hold more is refused whole
    /// (AllocatePages: EFI_OUT_OF_RESOURCES; a free splitting an allocation:
    /// EFI_INVALID_PARAMETER, the pages stay allocated) and `full` says so; a free that keeps
    /// or lowers the count still goes through.
    @Test func aChangeThatWouldOutgrowTheTableIsRefusedWhole() {
        var m = EFIMemoryMap(table: table())
        m.set(EFIMemoryRange(base: 0x4000_0000, pages: 0x1000, type: EFIMemoryType.conventional))
        let wide = m.allocate(.anyPages, type: EFIMemoryType.loaderData, pages: 3)
        #expect(wide.status == .success && wide.base == 0x40FF_D000 && !m.full)
        var n = 0
        while m.allocate(.anyPages, type: n % 2 == 0 ? EFIMemoryType.bootServicesData : EFIMemoryType.loaderData, pages: 1).status == .success {
            n += 1
        }
        #expect(m.full && n == EFIMemoryMap.capacity - 2 && m.count == EFIMemoryMap.capacity)
        let before = m.ranges, key = m.key
        #expect(m.allocate(.anyPages, type: EFIMemoryType.bootServicesData, pages: 1).status == .outOfResources)
        #expect(m.free(base: wide.base + 0x1000, pages: 1) == .invalidParameter)   // would split it in three
        #expect(m.free(base: wide.base + 0x2000, pages: 1) == .invalidParameter)   // in two
        #expect(m.free(base: 0x4000_0000, pages: 1) == .notFound)               // not allocated: refused first
        #expect(m.ranges == before && m.key == key)                            // nothing changed
        var at: UInt64 = 0x4000_0000
        for r in m.ranges { #expect(r.base == at); at = r.end }
        #expect(at == 0x4100_0000)
        // One that merges into the lowest allocation (loader data) adds no range: it goes through.
        #expect(m.allocate(.anyPages, type: EFIMemoryType.loaderData, pages: 1).status == .success && m.count == EFIMemoryMap.capacity)
        // The whole of the top allocation: free memory in its place, no range more.
        #expect(m.free(base: wide.base, pages: 3) == .success && m.count == EFIMemoryMap.capacity && m.key != key)
        #expect(m.ranges.last == EFIMemoryRange(base: wide.base, pages: 3, type: EFIMemoryType.conventional))
        // The lowest allocation merges into the free memory below it: one range fewer, room again.
        let low = m.ranges[1]
        #expect(low.owned && low.pages == 2 && m.free(base: low.base, pages: 2) == .success && m.count == EFIMemoryMap.capacity - 1)
        #expect(m.ranges[0] == EFIMemoryRange(base: 0x4000_0000, pages: low.end / 4096 - 0x4_0000, type: EFIMemoryType.conventional))
        #expect(m.allocate(.anyPages, type: EFIMemoryType.loaderData, pages: 1).status == .success)
    }
}

@Suite struct EFIMemoryMapModelTests {
    /// Random sets, allocations (AllocateAddress at any start, a little past either end too)
    /// and frees over 64 pages (fixed seed) against a page-by-page model:
    /// the map stays sorted, non-overlapping, merged, and says what the model says.
    @Test func theMapAgreesWithAPageModel() {
        var seed: UInt64 = 0x5EED_17
        func next(_ n: UInt64) -> UInt64 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return (seed >> 33) % n }
        let base: UInt64 = 0x4000_0000
        var m = EFIMemoryMap(table: table())
        m.set(EFIMemoryRange(base: base, pages: 64, type: EFIMemoryType.conventional))
        var model = [(type: UInt32, owned: Bool)](repeating: (EFIMemoryType.conventional, false), count: 64)
        var exactFits = 0                                                        // AllocateAddress of a whole free run's tail
        for _ in 0..<500 {
            switch next(4) {
            case 0:
                // Free memory too, so that free runs come back for AllocateAddress to hit.
                let at = next(64), n = 1 + next(min(16, 64 - at))
                let t = [EFIMemoryType.reserved, EFIMemoryType.bootServicesData, EFIMemoryType.conventional, EFIMemoryType.conventional][Int(next(4))]
                m.set(EFIMemoryRange(base: base + at * 4096, pages: n, type: t))
                for p in at..<at + n { model[Int(p)] = (t, false) }
            case 1:
                let n = 1 + next(8)
                let r = m.allocate(.anyPages, type: EFIMemoryType.loaderData, pages: n)
                if r.status == .success {
                    let first = Int((r.base - base) / 4096)
                    for p in first..<first + Int(n) { #expect(model[p].type == EFIMemoryType.conventional); model[p] = (EFIMemoryType.loaderData, true) }
                } else {
                    #expect(r.status == .outOfResources)
                }
            case 2:
                // Succeeds exactly when every page asked for is free: an off-by-one at either
                // end of the free range shows.
                let at = Int(next(72)) - 4
                var n = 1 + Int(next(6))
                if at >= 0 && at < 64 && model[at].type == EFIMemoryType.conventional && next(2) == 0 {
                    var end = at                                                 // the end of its free run
                    while end < 64 && model[end].type == EFIMemoryType.conventional { end += 1 }
                    n = max(1, end - at + Int(next(3)) - 1)                      // one short of it, to it, one past it
                }
                let free = at >= 0 && at + n <= 64 && (at..<at + n).allSatisfy { model[$0].type == EFIMemoryType.conventional }
                let r = m.allocate(.address, type: EFIMemoryType.loaderData, pages: UInt64(n), address: base &+ UInt64(bitPattern: Int64(at * 4096)))
                #expect(r.status == (free ? .success : .notFound))
                if free {
                    if at + n == 64 || model[at + n].type != EFIMemoryType.conventional { exactFits += 1 }
                    #expect(r.base == base + UInt64(at) * 4096)
                    for p in at..<at + n { model[p] = (EFIMemoryType.loaderData, true) }
                }
            default:
                let at = next(64), n = 1 + next(min(8, 64 - at))
                let ok = (at..<at + n).allSatisfy { model[Int($0)].owned }
                #expect((m.free(base: base + at * 4096, pages: n) == .success) == ok)
                if ok { for p in at..<at + n { model[Int(p)] = (EFIMemoryType.conventional, false) } }
            }
            var page = 0
            for (i, r) in m.ranges.enumerated() {
                #expect(r.base == base + UInt64(page) * 4096)
                if i > 0 { let l = m.ranges[i - 1]; #expect(l.type != r.type || l.owned != r.owned || l.attribute != r.attribute) }
                for _ in 0..<r.pages { #expect(model[page].type == r.type && model[page].owned == r.owned); page += 1 }
            }
            #expect(page == 64)
        }
        #expect(exactFits >= 5)                                                  // the seed reaches the edge case
    }
}
