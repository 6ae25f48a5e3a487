import ABI
import Board

/// A physical address range [base, base + size).
public struct MemoryRange: Equatable, Sendable {
    public var base: UInt64
    public var size: UInt64

    public init(base: UInt64, size: UInt64) {
        self.base = base
        self.size = size
    }

    /// The exclusive end; nil when base + size does not fit in 64 bits.
    public var end: UInt64? {
        let (e, overflow) = base.addingReportingOverflow(size)
        return overflow ? nil : e
    }

    /// The exclusive end, saturated at 2^64 - 1 (a configured range that runs off the top of the
    /// address space just loses its last byte).
    var saturatedEnd: UInt64 { end ?? UInt64.max }

    /// Whether `inner` is non-empty, does not wrap, and lies entirely inside this range.
    public func contains(_ inner: MemoryRange) -> Bool {
        guard inner.size > 0, let innerEnd = inner.end, size > 0 else { return false }
        return inner.base >= base && innerEnd <= saturatedEnd
    }

    /// Whether the two ranges share at least one byte (empty ranges share none).
    public func overlaps(_ other: MemoryRange) -> Bool {
        guard size > 0, other.size > 0 else { return false }
        return base < other.saturatedEnd && other.base < saturatedEnd
    }
}

/// Everything the SPMC is told at boot: its partitions and the memory map it polices.
public struct SPMCConfig: Sendable {
    /// The secure partitions, as FFA_PARTITION_INFO_GET describes them (ID, execution-context
    /// count, properties, UUID).
    public var partitions: [PartitionInfo]
    /// Non-secure RAM (the DTB's /memory): RX/TX buffers must lie entirely inside one range.
    public var nonSecureMemory: [MemoryRange]
    /// Secure memory (secure flash, secure SRAM): RX/TX buffers must not touch it.
    public var secureMemory: [MemoryRange]
    /// The MM shared buffer: non-secure, but reserved for MM messages, so never an RX/TX buffer.
    public var mmBuffer: MemoryRange

    public init(partitions: [PartitionInfo], nonSecureMemory: [MemoryRange],
                secureMemory: [MemoryRange], mmBuffer: MemoryRange) {
        self.partitions = partitions
        self.nonSecureMemory = nonSecureMemory
        self.secureMemory = secureMemory
        self.mmBuffer = mmBuffer
    }

    /// The MM secure partition (docs/design.md "Contracts"): ID 0x8001, UUID ed32d533-..., one
    /// execution context, receives FFA_MSG_SEND_DIRECT_REQ and _REQ2, runs AArch64.
    public static let mmPartition = PartitionInfo(
        id: Endpoint.mmPartition, executionContexts: 1,
        properties: PartitionInfo.Property.receivesDirectRequests
            | PartitionInfo.Property.aarch64
            | PartitionInfo.Property.receivesDirectRequest2,
        uuid: .mmVariable)

    /// Secure flash0 and secure SRAM of QEMU `virt` (board.h).
    public static let qemuVirtSecureMemory = [
        MemoryRange(base: UInt64(BOARD_FLASH_BASE), size: UInt64(BOARD_FLASH_SIZE)),
        MemoryRange(base: UInt64(BOARD_SECURE_SRAM_BASE), size: UInt64(BOARD_SECURE_SRAM_SIZE)),
    ]

    /// The MM shared buffer (board.h).
    public static let qemuVirtMMBuffer = MemoryRange(base: UInt64(BOARD_MM_BUFFER_BASE), size: UInt64(BOARD_MM_BUFFER_SIZE))

    /// The QEMU `virt` platform with the MM partition; `nonSecureMemory` comes from the DTB.
    public static func qemuVirt(nonSecureMemory: [MemoryRange]) -> SPMCConfig {
        SPMCConfig(partitions: [mmPartition], nonSecureMemory: nonSecureMemory,
                   secureMemory: qemuVirtSecureMemory, mmBuffer: qemuVirtMMBuffer)
    }

    /// Whether the MM shared buffer lies in the normal-world RAM the monitor maps.
    public var mmBufferIsInNonSecureMemory: Bool {
        nonSecureMemory.contains { $0.contains(mmBuffer) }
    }

    /// Partition IDs are secure-world IDs, unique, and neither the SPMC's (0x8000) nor the
    /// SPMD's (0xFFFF); UUIDs are not nil.
    public var isValid: Bool {
        for (i, p) in partitions.enumerated() {
            if !Endpoint.isSecure(p.id) || p.id == Endpoint.spmc || p.id == 0xFFFF || p.uuid.isNil {
                return false
            }
            for q in partitions[(i + 1)...] where q.id == p.id { return false }
        }
        return true
    }
}
