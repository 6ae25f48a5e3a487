import ABI

/// FFA_PARTITION_INFO_GET and FFA_PARTITION_INFO_GET_REGS (FF-A v1.2 §14.8-14.9).
extension SPMC {
    /// FFA_PARTITION_INFO_GET_REGS: at most 5 descriptors of 3 registers each in x3..x17.
    static let descriptorsPerRegisterCall = 5

    /// Whether the partition at `index` matches a query for `uuid` (nil: every partition).
    func matches(_ index: Int, _ uuid: UUID) -> Bool { uuid.isNil || config.partitions[index].uuid == uuid }

    /// The descriptor of the partition at `index` as a caller of `version` sees it after a query
    /// for `uuid`: the UUID field is filled only for a nil-UUID query (as TF-A and Hafnium do),
    /// and properties are masked to the bits the caller's version defines.
    func descriptor(_ index: Int, query uuid: UUID, version: FFAVersion) -> PartitionInfo {
        var info = config.partitions[index]
        if !uuid.isNil { info.uuid = .nil }
        // v1.1 defines properties bits 8:0, v1.2 adds bits 10:9; v1.0 bits 2:0 only.
        info.properties &= version >= .v1_2 ? 0x7FF : version >= .v1_1 ? 0x1FF : 0x7
        return info
    }

    func matchCount(_ uuid: UUID) -> Int {
        var n = 0
        for i in 0..<partitionCount where matches(i, uuid) { n += 1 }
        return n
    }

    /// FFA_PARTITION_INFO_GET: the descriptors go into the caller's RX buffer in its version's
    /// format; the caller then owns RX until FFA_RX_RELEASE. Answer: w2 = count, w3 = descriptor
    /// size (v1.1+, 0 for count-only).
    mutating func partitionInfoGet<M: PhysicalMemory>(_ uuid: UUID, countOnly: Bool,
                                                      memory: inout M) throws(FFAError) -> Reply {
        let version = normalWorld.version
        // v1.0 has no flags at all.
        if countOnly { guard version >= .v1_1 else { throw .invalidParameters } }
        let count = matchCount(uuid)
        guard count > 0 else { throw .invalidParameters }
        if countOnly { return .success(UInt64(count)) }

        // TF-A answers BUSY both when no RX buffer is mapped and when the caller still owns it.
        guard var mailbox = normalWorld.mailbox, !mailbox.rxOwnedByCaller else { throw .busy }
        let size = PartitionInfo.descriptorSize(for: version)
        guard UInt64(count) * UInt64(size) <= mailbox.byteCount else { throw .noMemory }
        var at = mailbox.rx
        for i in 0..<partitionCount where matches(i, uuid) {
            let words = descriptor(i, query: uuid, version: version).registerTriple
            guard memory.write64(words.0, at: at) else { throw .aborted }
            if size == 24 {
                guard memory.write64(words.1, at: at + 8), memory.write64(words.2, at: at + 16) else {
                    throw .aborted
                }
            }
            at += UInt64(size)
        }
        mailbox.rxOwnedByCaller = true
        normalWorld.mailbox = mailbox
        return .success(UInt64(count), version >= .v1_1 ? UInt64(size) : 0)
    }

    /// FFA_PARTITION_INFO_GET_REGS (SMC64 only), from `start`. Answer FFA_SUCCESS_64 with the
    /// last and current indices and the descriptor size, and up to five descriptors.
    func partitionInfoGetRegs(_ uuid: UUID, start: UInt16, tag: UInt16) throws(FFAError) -> PartitionInfoRegisters {
        // We never hand out tags, so a non-zero tag is stale: the caller restarts (Hafnium).
        guard tag == 0 else { throw .retry }
        let count = matchCount(uuid)
        let first = Int(start)
        guard count > 0, first < count else { throw .invalidParameters }
        let last = count - 1
        let current = min(last, first + SPMC.descriptorsPerRegisterCall - 1)
        var answer = PartitionInfoRegisters(last: UInt16(last), current: UInt16(current),
                                            descriptorSize: UInt16(PartitionInfo.descriptorSize(for: .v1_2)))
        var n = 0, slot = 0
        for i in 0..<partitionCount where matches(i, uuid) {
            if n >= first && n <= current {
                answer.set(slot, descriptor(i, query: uuid, version: SPMC.version))
                slot += 1
            }
            n += 1
        }
        return answer
    }
}
