import Testing
import ABI
@testable import SPMC

@Test func rangeContainmentIsOverflowProof() {
    let ram = MemoryRange(base: 0x4000_0000, size: 0x1000)
    #expect(ram.contains(MemoryRange(base: 0x4000_0000, size: 0x1000)))
    #expect(!ram.contains(MemoryRange(base: 0x4000_0001, size: 0x1000)))
    #expect(!ram.contains(MemoryRange(base: 0x4000_0000, size: 0)))
    #expect(!ram.contains(MemoryRange(base: UInt64.max, size: 2)))
    let top = MemoryRange(base: 0xFFFF_FFFF_0000_0000, size: UInt64.max)   // runs off the top
    #expect(top.end == nil)
    #expect(top.contains(MemoryRange(base: 0xFFFF_FFFF_FFFF_F000, size: 0x1000 - 1)))
    #expect(!top.contains(MemoryRange(base: 0xFFFF_FFFF_FFFF_F000, size: 0x1000)))
}

@Test func rangeOverlapIsExclusiveAtTheEnd() {
    let a = MemoryRange(base: 0x1000, size: 0x1000)
    #expect(!a.overlaps(MemoryRange(base: 0x2000, size: 0x1000)))
    #expect(!a.overlaps(MemoryRange(base: 0, size: 0x1000)))
    #expect(a.overlaps(MemoryRange(base: 0x1FFF, size: 1)))
    #expect(a.overlaps(MemoryRange(base: 0, size: UInt64.max)))
    #expect(!a.overlaps(MemoryRange(base: 0x1800, size: 0)))
}

@Test func qemuConfigurationHasTheMMPartition() {
    let c = SPMCConfig.qemuVirt(nonSecureMemory: [nsRAM])
    #expect(c.isValid)
    #expect(c.partitions == [PartitionInfo(id: 0x8001, executionContexts: 1, properties: 0x301, uuid: .mmVariable)])
    #expect(c.mmBuffer == MemoryRange(base: 0x4010_0000, size: 0x1_0000))
}

@Test func configurationValidityRejectsBadPartitionTables() {
    var c = SPMCConfig.qemuVirt(nonSecureMemory: [nsRAM])
    c.partitions.append(SPMCConfig.mmPartition)
    #expect(!c.isValid)   // duplicate ID
    c.partitions = [PartitionInfo(id: 0x0001, executionContexts: 1, properties: 1, uuid: .mmVariable)]
    #expect(!c.isValid)   // normal-world ID
    c.partitions = [PartitionInfo(id: 0x8000, executionContexts: 1, properties: 1, uuid: .mmVariable)]
    #expect(!c.isValid)   // the SPMC's own ID
    c.partitions = [PartitionInfo(id: 0x8003, executionContexts: 1, properties: 1, uuid: .nil)]
    #expect(!c.isValid)
}
