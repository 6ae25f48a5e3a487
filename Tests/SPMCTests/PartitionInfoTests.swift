import Testing
import ABI
@testable import SPMC

let mmWords: [UInt64] = [0x33d5_32ed, 0x0942_e699, 0x722d_c09c, 0xa798_d9cd]

/// The MM partition plus a second one, so that a nil-UUID query returns two descriptors.
let twoPartitions: SPMCConfig = {
    var c = SPMCConfig.qemuVirt(nonSecureMemory: [nsRAM])
    c.partitions.append(PartitionInfo(id: 0x8002, executionContexts: 1,
                                      properties: PartitionInfo.Property.receivesDirectRequests
                                          | PartitionInfo.Property.aarch64,
                                      uuid: UUID(lo: 0x1111, hi: 0x2222)))
    return c
}()

@Test func v1_0CallerGetsEightByteDescriptorsByUUID() {
    var h = Harness()
    h.negotiate(.v1_0)
    _ = h.mapBuffers()
    #expect(h.ask(FFAFunction.FFA_PARTITION_INFO_GET, mmWords) == .ffaSuccess(1, 0))
    // id 0x8001, 1 context, properties bit 0 only (v1.0 sees bits 2:0).
    #expect(h.memory.read(rxPage, count: 8) == [0x01, 0x80, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00])
    #expect(h.memory.read(rxPage + 8, count: 8) == [UInt8](repeating: 0, count: 8))
    #expect(h.spmc.normalWorld.mailbox?.rxOwnedByCaller == true)
}

@Test func v1_2CallerGetsTwentyFourByteDescriptorsWithUUIDForANilQuery() {
    var h = Harness()
    h.negotiate(.v1_2)
    _ = h.mapBuffers()
    #expect(h.ask(FFAFunction.FFA_PARTITION_INFO_GET) == .ffaSuccess(1, 24))
    let d = h.memory.read(rxPage, count: 24)
    #expect(PartitionInfo(bytes: d, at: 0, size: 24) == SPMCConfig.mmPartition)
    // properties: receives REQ (bit 0), AArch64 (bit 8), receives REQ2 (bit 9).
    #expect(Array(d[4..<8]) == [0x01, 0x03, 0x00, 0x00])
    #expect(Array(d[8..<24]) == [0xed, 0x32, 0xd5, 0x33, 0x99, 0xe6, 0x42, 0x09,
                                 0x9c, 0xc0, 0x2d, 0x72, 0xcd, 0xd9, 0x98, 0xa7])
}

@Test func aQueryByUUIDLeavesTheUUIDFieldZero() {
    var h = Harness()
    _ = h.mapBuffers()
    #expect(h.ask(FFAFunction.FFA_PARTITION_INFO_GET, mmWords) == .ffaSuccess(1, 24))
    #expect(h.memory.read(rxPage + 8, count: 16) == [UInt8](repeating: 0, count: 16))
}

@Test func v1_1CallerDoesNotSeeV1_2PropertyBits() {
    var h = Harness()
    h.negotiate(.v1_1)
    _ = h.mapBuffers()
    #expect(h.ask(FFAFunction.FFA_PARTITION_INFO_GET) == .ffaSuccess(1, 24))
    #expect(h.memory.read(rxPage + 4, count: 4) == [0x01, 0x01, 0x00, 0x00])
}

@Test func nilUUIDListsEveryPartition() {
    var h = Harness(config: twoPartitions)
    _ = h.mapBuffers()
    #expect(h.ask(FFAFunction.FFA_PARTITION_INFO_GET) == .ffaSuccess(2, 24))
    #expect(PartitionInfo(bytes: h.memory.read(rxPage + 24, count: 24), at: 0, size: 24)?.id == 0x8002)
}

@Test func countOnlyWritesNothingAndKeepsRXFree() {
    var h = Harness(config: twoPartitions)
    _ = h.mapBuffers()
    #expect(h.ask(FFAFunction.FFA_PARTITION_INFO_GET, [0, 0, 0, 0, 1]) == .ffaSuccess(2))
    #expect(h.memory.writeCount == 0)
    #expect(h.spmc.normalWorld.mailbox?.rxOwnedByCaller == false)
    // Count-only needs no buffers at all.
    var bare = Harness()
    #expect(bare.ask(FFAFunction.FFA_PARTITION_INFO_GET, mmWords + [1]) == .ffaSuccess(1))
}

@Test func v1_0CallerCannotPassFlags() {
    var h = Harness()
    h.negotiate(.v1_0)
    _ = h.mapBuffers()
    #expect(isError(h.ask(FFAFunction.FFA_PARTITION_INFO_GET, [0, 0, 0, 0, 1]), .invalidParameters))
}

@Test func undefinedFlagBitsAreInvalid() {
    var h = Harness()
    _ = h.mapBuffers()
    #expect(isError(h.ask(FFAFunction.FFA_PARTITION_INFO_GET, [0, 0, 0, 0, 2]), .invalidParameters))
}

@Test func unknownUUIDIsInvalid() {
    var h = Harness()
    _ = h.mapBuffers()
    #expect(isError(h.ask(FFAFunction.FFA_PARTITION_INFO_GET, [1, 2, 3, 4]), .invalidParameters))
    // The same UUID as big-endian words (a classic bug) is unknown too.
    #expect(isError(h.ask(FFAFunction.FFA_PARTITION_INFO_GET,
                          [0xed32_d533, 0x99e6_4209, 0x9cc0_2d72, 0xcdd9_98a7]), .invalidParameters))
    #expect(h.spmc.normalWorld.mailbox?.rxOwnedByCaller == false)
}

@Test func withoutRXBufferTheAnswerIsBusy() {
    var h = Harness()
    #expect(isError(h.ask(FFAFunction.FFA_PARTITION_INFO_GET), .busy))
}

@Test func rxStillOwnedIsBusyUntilReleased() {
    var h = Harness()
    _ = h.mapBuffers()
    #expect(isSuccess(h.ask(FFAFunction.FFA_PARTITION_INFO_GET)))
    #expect(isError(h.ask(FFAFunction.FFA_PARTITION_INFO_GET), .busy))
    #expect(h.ask(FFAFunction.FFA_RX_RELEASE) == .ffaSuccess())
    #expect(isSuccess(h.ask(FFAFunction.FFA_PARTITION_INFO_GET)))
}

@Test func descriptorsThatDoNotFitAreNoMemory() {
    var c = SPMCConfig.qemuVirt(nonSecureMemory: [nsRAM])
    for i in 0..<171 {   // 171 * 24 = 4104 bytes > one page
        c.partitions.append(PartitionInfo(id: 0x8100 + UInt16(i), executionContexts: 1,
                                          properties: 1, uuid: UUID(lo: UInt64(i + 1), hi: 9)))
    }
    var h = Harness(config: c, initialise: false)
    _ = h.mapBuffers()
    #expect(isError(h.ask(FFAFunction.FFA_PARTITION_INFO_GET), .noMemory))
    #expect(h.spmc.normalWorld.mailbox?.rxOwnedByCaller == false)
    // A v1.0 caller's 8-byte descriptors fit.
    var h10 = Harness(config: c, initialise: false)
    h10.negotiate(.v1_0)
    _ = h10.mapBuffers()
    #expect(h10.ask(FFAFunction.FFA_PARTITION_INFO_GET) == .ffaSuccess(172, 0))
}

@Test func aFailedRXWriteIsAbortedAndKeepsRXFree() {
    var h = Harness()
    _ = h.mapBuffers()
    h.memory.fail = true
    #expect(isError(h.ask(FFAFunction.FFA_PARTITION_INFO_GET), .aborted))
    #expect(h.spmc.normalWorld.mailbox?.rxOwnedByCaller == false)
}

@Test func partitionsCannotUseTheBufferedQuery() {
    var h = Harness(initialise: false)
    #expect(isError(h.ask(FFAFunction.FFA_PARTITION_INFO_GET, from: .partition(mm)), .notSupported))
}

// MARK: FFA_PARTITION_INFO_GET_REGS

@Test func getRegsReturnsDescriptorsInRegisters() {
    var h = Harness()
    let r = h.ask(FFAFunction.FFA_PARTITION_INFO_GET_REGS)
    #expect(r.x0 == UInt64(FFAFunction.FFA_SUCCESS_64))
    // last 0, current 0, tag 0, size 24.
    #expect(r.x2 == 24 << 48)
    #expect(r.x3 == 0x0000_0301_0001_8001)
    #expect(r.x4 == 0x0942_e699_33d5_32ed && r.x5 == 0xa798_d9cd_722d_c09c)
    for i in 6..<Registers.count { #expect(r[i] == 0) }
}

@Test func getRegsByUUIDLeavesTheUUIDRegistersZero() {
    var h = Harness()
    let r = h.ask(FFAFunction.FFA_PARTITION_INFO_GET_REGS, [0x0942_e699_33d5_32ed, 0xa798_d9cd_722d_c09c])
    #expect(r.x0 == UInt64(FFAFunction.FFA_SUCCESS_64) && r.x3 == 0x0000_0301_0001_8001)
    #expect(r.x4 == 0 && r.x5 == 0)
}

@Test func getRegsPagesThroughMoreThanFiveDescriptors() {
    var c = SPMCConfig.qemuVirt(nonSecureMemory: [nsRAM])
    for i in 0..<6 {
        c.partitions.append(PartitionInfo(id: 0x8100 + UInt16(i), executionContexts: 1,
                                          properties: 1, uuid: UUID(lo: UInt64(i + 1), hi: 9)))
    }
    var h = Harness(config: c, initialise: false)
    let first = h.ask(FFAFunction.FFA_PARTITION_INFO_GET_REGS)
    #expect(first.x2 == 6 | 4 << 16 | 24 << 48)   // 7 descriptors, 0...4 here
    #expect(first.x15 & 0xFFFF == 0x8103)
    let second = h.ask(FFAFunction.FFA_PARTITION_INFO_GET_REGS, [0, 0, 5])
    #expect(second.x2 == 6 | 6 << 16 | 24 << 48)
    #expect(second.x3 & 0xFFFF == 0x8104 && second.x6 & 0xFFFF == 0x8105)
    #expect(second.x9 == 0)
}

@Test func getRegsRejectsAStartIndexPastTheEnd() {
    var h = Harness()
    #expect(isError(h.ask(FFAFunction.FFA_PARTITION_INFO_GET_REGS, [0, 0, 1]), .invalidParameters))
}

@Test func getRegsWithAStaleTagAsksForARetry() {
    var h = Harness()
    #expect(isError(h.ask(FFAFunction.FFA_PARTITION_INFO_GET_REGS, [0, 0, 1 << 16]), .retry))
}

@Test func getRegsRejectsUpperBitsOfX3AndUnknownUUIDs() {
    var h = Harness()
    #expect(isError(h.ask(FFAFunction.FFA_PARTITION_INFO_GET_REGS, [0, 0, 1 << 32]), .invalidParameters))
    #expect(isError(h.ask(FFAFunction.FFA_PARTITION_INFO_GET_REGS, [5, 6]), .invalidParameters))
}
