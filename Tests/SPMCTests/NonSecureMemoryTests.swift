import Testing
import ABI
@testable import SPMC

let secure = SPMCConfig.qemuVirtSecureMemory
let limit40: UInt64 = 1 << 40

@Test func qemuVirtRAMOfAnySizeIsAcceptedWhole() {
    for size: UInt64 in [1 << 30, 2 << 30, 4 << 30, 255 << 30] {
        let m = NonSecureMemory([MemoryRange(base: 0x4000_0000, size: size)], secure: secure, addressLimit: limit40)
        #expect(m.accepted == [MemoryRange(base: 0x4000_0000, size: size)])
        #expect(m.refused.isEmpty)
    }
}

@Test func twoMemoryNodesInAnyOrderAreBothTaken() {
    let nodes = [MemoryRange(base: 0x8000_0000, size: 1 << 30), MemoryRange(base: 0x4000_0000, size: 1 << 30)]
    let m = NonSecureMemory(nodes, secure: secure, addressLimit: limit40)
    #expect(m.accepted == nodes)
    #expect(m.contains(0xA000_0000, size: 0x2_0000))
    #expect(m.contains(0x4000_0000, size: 0x1000))
    #expect(!m.contains(0x7FFF_F000, size: 0x2000))                  // straddles two ranges
    #expect(!m.contains(0xC000_0000, size: 0x1000))
}

@Test func rangesTouchingSecureMemoryAreRefused() {
    let m = NonSecureMemory([MemoryRange(base: 0x0C00_0000, size: 0x400_0000),   // runs into secure SRAM
                             MemoryRange(base: 0x03F0_0000, size: 0x20_0000),    // the variable store's flash
                             MemoryRange(base: 0x4000_0000, size: 1 << 30)],
                            secure: secure, addressLimit: limit40)
    #expect(m.accepted == [MemoryRange(base: 0x4000_0000, size: 1 << 30)])
    #expect(m.refused.map(\.why) == [.overlapsSecureMemory, .overlapsSecureMemory])
}

@Test func emptyWrappingUnreachableTinyAndDuplicateRangesAreRefused() {
    let m = NonSecureMemory([MemoryRange(base: 0x4000_0000, size: 0),
                             MemoryRange(base: 0xFFFF_FFFF_FFFF_F000, size: 0x2000),
                             MemoryRange(base: 0xFF_C000_0000, size: 0x8000_0000),   // past 2^40
                             MemoryRange(base: 0x4000_0800, size: 0x1000),
                             MemoryRange(base: 0x4000_0000, size: 1 << 30),
                             MemoryRange(base: 0x6000_0000, size: 1 << 20)],
                            secure: secure, addressLimit: limit40)
    #expect(m.accepted == [MemoryRange(base: 0x4000_0000, size: 1 << 30)])
    #expect(m.refused.map(\.why) == [.empty, .wraps, .beyondAddressSpace, .smallerThanAPage, .overlapsAnotherRange])
}

/// The monitor takes the DTB's ranges one by one (logging each refusal as it comes): the same
/// ranges taken and the same reasons, in order, as the list `init` makes.
@Test func takingOneByOneIsWhatInitLists() {
    let candidates = [MemoryRange(base: 0x4000_0000, size: 0), MemoryRange(base: 0x0C00_0000, size: 0x400_0000),
                      MemoryRange(base: 0x4000_0100, size: 0x3000), MemoryRange(base: 0x4000_2000, size: 0x1000),
                      MemoryRange(base: 0xFFFF_FFFF_FFFF_F000, size: 0x2000), MemoryRange(base: 0x8000_0000, size: 1 << 30)]
    let listed = NonSecureMemory(candidates, secure: secure, addressLimit: limit40)
    var taken = NonSecureMemory(secure: secure, addressLimit: limit40)
    var whys: [MemoryRefusal] = []
    for c in candidates { if let why = taken.take(c) { whys.append(why) } }
    #expect(taken.accepted == listed.accepted && taken.refused.isEmpty)
    #expect(whys == listed.refused.map(\.why) && whys.count == 4)
}

@Test func unalignedEdgesAreTrimmedInwardToWholePages() {
    let m = NonSecureMemory([MemoryRange(base: 0x4000_0100, size: 0x3000)], secure: secure, addressLimit: limit40)
    #expect(m.accepted == [MemoryRange(base: 0x4000_1000, size: 0x2000)])
}

@Test func droppingARangeRemovesItFromTheAcceptedList() {
    var m = NonSecureMemory([MemoryRange(base: 0x4000_0000, size: 1 << 30), MemoryRange(base: 0x1_0000_0000, size: 1 << 30)],
                            secure: secure, addressLimit: limit40)
    m.drop(MemoryRange(base: 0x1_0000_0000, size: 1 << 30))
    #expect(m.accepted == [MemoryRange(base: 0x4000_0000, size: 1 << 30)])
}

/// The SPMC built from the accepted ranges takes RX/TX wherever EL3 maps RAM: above 2 GiB,
/// above 4 GiB, in a second memory node; and nowhere else.
@Test func rxtxAboveTwoAndFourGiBIsAcceptedWhenTheDTBSaysRAMIsThere() {
    let four = NonSecureMemory([MemoryRange(base: 0x4000_0000, size: 4 << 30)], secure: secure, addressLimit: limit40)
    var h = Harness(config: .qemuVirt(nonSecureMemory: four.accepted))
    #expect(h.ask(FFAFunction.FFA_RXTX_MAP_64, [0xBE46_F000, 0xBE47_0000, 1]) == .ffaSuccess())
    #expect(h.ask(FFAFunction.FFA_RXTX_UNMAP, [0]) == .ffaSuccess())
    #expect(h.ask(FFAFunction.FFA_RXTX_MAP_64, [0x1_3000_0000, 0x1_3001_0000, 16]) == .ffaSuccess())
    #expect(h.ask(FFAFunction.FFA_RXTX_UNMAP, [0]) == .ffaSuccess())
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_MAP_64, [0x1_3FFF_F000, 0x1_4000_0000, 1]), .invalidParameters))

    let oneGiB = NonSecureMemory([MemoryRange(base: 0x4000_0000, size: 1 << 30)], secure: secure, addressLimit: limit40)
    var low = Harness(config: .qemuVirt(nonSecureMemory: oneGiB.accepted))
    #expect(isError(low.ask(FFAFunction.FFA_RXTX_MAP_64, [0xBE46_F000, 0xBE47_0000, 1]), .invalidParameters))

    let numa = NonSecureMemory([MemoryRange(base: 0x4000_0000, size: 1 << 30), MemoryRange(base: 0x8000_0000, size: 1 << 30)],
                               secure: secure, addressLimit: limit40)
    var two = Harness(config: .qemuVirt(nonSecureMemory: numa.accepted))
    #expect(two.ask(FFAFunction.FFA_RXTX_MAP_64, [0xA000_0000, 0x5000_0000, 1]) == .ffaSuccess())
}

@Test func theMMBufferMustLieInTheAcceptedRAM() {
    #expect(SPMCConfig.qemuVirt(nonSecureMemory: [MemoryRange(base: 0x4000_0000, size: 1 << 30)]).mmBufferIsInNonSecureMemory)
    #expect(!SPMCConfig.qemuVirt(nonSecureMemory: [MemoryRange(base: 0x8000_0000, size: 1 << 30)]).mmBufferIsInNonSecureMemory)
    #expect(!SPMCConfig.qemuVirt(nonSecureMemory: []).mmBufferIsInNonSecureMemory)
}

/// The monitor prints a refusal's name from `MemoryRefusal.names` by its raw value's place in
/// `codes`: each case lines up with its name.
@Test func refusalNamesAreListedInCaseOrder() {
    let codes = Array(UnsafeBufferPointer(start: MemoryRefusal.codes.utf8Start, count: MemoryRefusal.codes.utf8CodeUnitCount))
    let names = Array(UnsafeBufferPointer(start: MemoryRefusal.names.utf8Start, count: MemoryRefusal.names.utf8CodeUnitCount))
        .split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    let cases: [MemoryRefusal] = [.empty, .wraps, .beyondAddressSpace, .smallerThanAPage, .overlapsSecureMemory, .overlapsAnotherRange]
    #expect(codes == cases.map(\.rawValue))
    #expect(names == ["empty", "wraps past 2^64", "beyond the physical address space", "smaller than a page",
                      "overlaps secure memory", "overlaps another memory range"])
}
