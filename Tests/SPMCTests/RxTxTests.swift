import Testing
import ABI
@testable import SPMC

@Test func mapRecordsTheBufferPair() {
    var h = Harness()
    #expect(h.ask(FFAFunction.FFA_RXTX_MAP_64, [0x4300_0000, 0x4300_2000, 2]) == .ffaSuccess())
    #expect(h.spmc.normalWorld.mailbox == Mailbox(tx: 0x4300_0000, rx: 0x4300_2000, pageCount: 2))
}

@Test func map32UsesTheLowHalvesOfX1AndX2() {
    var h = Harness()
    #expect(h.ask(FFAFunction.FFA_RXTX_MAP_32, [0xFFFF_FFFF_0000_0000 | txPage, rxPage, 1]) == .ffaSuccess())
    #expect(h.spmc.normalWorld.mailbox?.tx == txPage)
}

@Test func mapRejectsUnalignedBuffers() {
    var h = Harness()
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_MAP_64, [txPage + 0x800, rxPage + 0x1000, 1]), .invalidParameters))
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_MAP_64, [txPage, rxPage + 8, 1]), .invalidParameters))
    #expect(h.spmc.normalWorld.mailbox == nil)
}

@Test func mapRejectsZeroPages() {
    var h = Harness()
    #expect(isError(h.mapBuffers(pages: 0), .invalidParameters))
}

@Test func mapAcceptsSixtyThreePagesAndRejectsUpperBitsOfTheCount() {
    var h = Harness()
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_MAP_64, [0x4400_0000, 0x4500_0000, 64]), .invalidParameters))
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_MAP_64, [0x4400_0000, 0x4500_0000, 0x8000_0001]), .invalidParameters))
    #expect(h.ask(FFAFunction.FFA_RXTX_MAP_64, [0x4400_0000, 0x4500_0000, 63]) == .ffaSuccess())
    #expect(h.spmc.normalWorld.mailbox?.pageCount == 63)
}

@Test func mapRejectsAddressZero() {
    var h = Harness(config: .qemuVirt(nonSecureMemory: [MemoryRange(base: 0, size: 1 << 32)]))
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_MAP_64, [0, rxPage, 1]), .invalidParameters))
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_MAP_64, [txPage, 0, 1]), .invalidParameters))
}

@Test func mapRejectsTheSameBufferForTxAndRx() {
    var h = Harness()
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_MAP_64, [txPage, txPage, 1]), .invalidParameters))
}

@Test func mapRejectsOverlappingBuffers() {
    var h = Harness()
    // Two pages each, RX starting in TX's second page.
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_MAP_64, [txPage, txPage + 0x1000, 2]), .invalidParameters))
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_MAP_64, [txPage + 0x1000, txPage, 2]), .invalidParameters))
    #expect(h.ask(FFAFunction.FFA_RXTX_MAP_64, [txPage, txPage + 0x2000, 2]) == .ffaSuccess())
}

@Test func mapRejectsBuffersOutsideNonSecureRAM() {
    var h = Harness()
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_MAP_64, [0x0900_0000, rxPage, 1]), .invalidParameters)) // UART
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_MAP_64, [txPage, 0x1_0000_0000, 1]), .invalidParameters))
    // Straddling the end of RAM.
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_MAP_64, [0x7FFF_F000, rxPage, 2]), .invalidParameters))
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_MAP_64, [0x3FFF_F000, rxPage, 2]), .invalidParameters))
}

@Test func mapRejectsSecureMemoryEvenIfTheDTBCallsItRAM() {
    // A DTB whose /memory covers secure SRAM and flash must not make them mappable.
    var h = Harness(config: .qemuVirt(nonSecureMemory: [MemoryRange(base: 0, size: 1 << 31)]))
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_MAP_64, [0x0E00_0000, rxPage, 1]), .invalidParameters))
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_MAP_64, [0x0DFF_F000, rxPage, 2]), .invalidParameters))
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_MAP_64, [0x03F0_0000, rxPage, 1]), .invalidParameters))
    #expect(h.ask(FFAFunction.FFA_RXTX_MAP_64, [0x0F00_0000, rxPage, 1]) == .ffaSuccess())
}

@Test func mapRejectsTheMMSharedBuffer() {
    var h = Harness()
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_MAP_64, [0x4010_0000, rxPage, 1]), .invalidParameters))
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_MAP_64, [txPage, 0x4010_F000, 1]), .invalidParameters))
    // Two pages that end inside the buffer.
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_MAP_64, [0x400F_F000, rxPage, 2]), .invalidParameters))
    #expect(h.ask(FFAFunction.FFA_RXTX_MAP_64, [0x4011_0000, 0x400F_F000, 1]) == .ffaSuccess())
}

@Test func mapRangeMathCannotOverflow() {
    var h = Harness(config: .qemuVirt(nonSecureMemory: [MemoryRange(base: 0x4000_0000, size: UInt64.max)]))
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_MAP_64, [0xFFFF_FFFF_FFFF_F000, rxPage, 2]), .invalidParameters))
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_MAP_64, [txPage, 0xFFFF_FFFF_FFFF_0000, 63]), .invalidParameters))
    #expect(h.spmc.normalWorld.mailbox == nil)
}

@Test func mapTwiceIsDenied() {
    var h = Harness()
    #expect(h.mapBuffers() == .ffaSuccess())
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_MAP_64, [0x4300_0000, 0x4300_1000, 1]), .denied))
    #expect(h.spmc.normalWorld.mailbox?.tx == txPage)
}

@Test func partitionsCannotMapBuffers() {
    var h = Harness(initialise: false)
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_MAP_64, [txPage, rxPage, 1], from: .partition(mm)), .notSupported))
    #expect(h.spmc.normalWorld.mailbox == nil)
}

@Test func unmapForgetsThePairSoItCanBeMappedAgain() {
    var h = Harness()
    _ = h.mapBuffers()
    #expect(h.ask(FFAFunction.FFA_RXTX_UNMAP) == .ffaSuccess())
    #expect(h.spmc.normalWorld.mailbox == nil)
    #expect(h.ask(FFAFunction.FFA_RXTX_MAP_64, [0x4300_0000, 0x4300_1000, 1]) == .ffaSuccess())
}

@Test func unmapWithoutAPairIsInvalid() {
    var h = Harness()
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_UNMAP), .invalidParameters))
}

@Test func unmapWithAnEndpointIDIsInvalid() {
    var h = Harness()
    _ = h.mapBuffers()
    #expect(isError(h.ask(FFAFunction.FFA_RXTX_UNMAP, [1 << 16]), .invalidParameters))
    #expect(h.spmc.normalWorld.mailbox != nil)
}

@Test func rxReleaseWithoutOwnershipIsDenied() {
    var h = Harness()
    #expect(isError(h.ask(FFAFunction.FFA_RX_RELEASE), .denied))
    _ = h.mapBuffers()
    #expect(isError(h.ask(FFAFunction.FFA_RX_RELEASE), .denied))
}

@Test func rxReleaseWithAVMIDIsInvalid() {
    var h = Harness()
    _ = h.mapBuffers()
    _ = h.ask(FFAFunction.FFA_PARTITION_INFO_GET)
    #expect(isError(h.ask(FFAFunction.FFA_RX_RELEASE, [1]), .invalidParameters))
    #expect(h.spmc.normalWorld.mailbox?.rxOwnedByCaller == true)
    #expect(h.ask(FFAFunction.FFA_RX_RELEASE) == .ffaSuccess())
    #expect(h.spmc.normalWorld.mailbox?.rxOwnedByCaller == false)
}
