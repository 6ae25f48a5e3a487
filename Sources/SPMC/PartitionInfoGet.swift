import ABI

/// FFA_PARTITION_INFO_GET and FFA_PARTITION_INFO_GET_REGS (FF-A v1.2 §14.8-14.9).
extension SPMC {
    /// FFA_PARTITION_INFO_GET flags (w5): bit 0 = return the count only (v1.1+).
    static let countOnlyFlag: UInt32 = 1
    /// FFA_PARTITION_INFO_GET_REGS: at most 5 descriptors of 3 registers each in x3..x17.
    static let descriptorsPerRegisterCall = 5

    /// The descriptors a query for `uuid` matches, as a caller of `version` sees them: the
    /// UUID field is filled only for a nil-UUID query (as TF-A and Hafnium do), and properties
    /// are masked to the bits the caller's version defines.
    func matchingPartitions(_ uuid: UUID, version: FFAVersion) -> [PartitionInfo] {
        var found: [PartitionInfo] = []
        for p in partitions where uuid.isNil || p.info.uuid == uuid {
            var info = p.info
            if !uuid.isNil { info.uuid = .nil }
            // v1.1 defines properties bits 8:0; v1.2 adds bits 10:9 (v1.0 masking is in ABI).
            info.properties &= version >= .v1_2 ? 0x7FF : 0x1FF
            found.append(info)
        }
        return found
    }

    /// FFA_PARTITION_INFO_GET: w1..w4 = UUID (nil = all), w5 = flags. The descriptors go into
    /// the caller's RX buffer in its version's format; the caller then owns RX until
    /// FFA_RX_RELEASE. Out: w2 = count, w3 = descriptor size (v1.1+, 0 for count-only).
    mutating func partitionInfoGet<M: PhysicalMemory>(_ r: Registers,
                                                      memory: inout M) throws(FFAError) -> Registers {
        let uuid = UUID(w1: r.w(1), w2: r.w(2), w3: r.w(3), w4: r.w(4))
        let flags = r.w(5)
        let version = normalWorld.version
        // v1.0 has no flags at all; v1.1+ defines bit 0 only.
        let allowedFlags = version >= .v1_1 ? SPMC.countOnlyFlag : 0
        guard flags & ~allowedFlags == 0 else { throw .invalidParameters }

        let found = matchingPartitions(uuid, version: version)
        guard !found.isEmpty else { throw .invalidParameters }
        if flags & SPMC.countOnlyFlag != 0 {
            return .ffaSuccess(UInt64(found.count))
        }

        // TF-A answers BUSY both when no RX buffer is mapped and when the caller still owns it.
        guard var mailbox = normalWorld.mailbox, !mailbox.rxOwnedByCaller else { throw .busy }
        let size = PartitionInfo.descriptorSize(for: version)
        guard UInt64(found.count) * UInt64(size) <= mailbox.byteCount else { throw .noMemory }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(found.count * size)
        for info in found { bytes.append(contentsOf: info.encoded(for: version)) }
        guard memory.write(bytes, at: mailbox.rx) else { throw .aborted }

        mailbox.rxOwnedByCaller = true
        normalWorld.mailbox = mailbox
        return .ffaSuccess(UInt64(found.count), version >= .v1_1 ? UInt64(size) : 0)
    }

    /// FFA_PARTITION_INFO_GET_REGS (SMC64 only): x1/x2 = UUID, x3 bits 15:0 = start index,
    /// bits 31:16 = information tag, bits 63:32 MBZ. Out FFA_SUCCESS_64 with
    /// x2 = last index | current index << 16 | tag << 32 | descriptor size << 48 and up to five
    /// descriptors in x3..x17 (id | contexts << 16 | properties << 32, UUID low, UUID high).
    func partitionInfoGetRegs(_ r: Registers) throws(FFAError) -> Registers {
        let uuid = UUID(lo: r.x1, hi: r.x2)
        guard r.x3 >> 32 == 0 else { throw .invalidParameters }
        let start = Int(r.x3 & 0xFFFF)
        // We never hand out tags, so a non-zero tag is stale: the caller restarts (Hafnium).
        guard (r.x3 >> 16) & 0xFFFF == 0 else { throw .retry }

        let found = matchingPartitions(uuid, version: SPMC.version)
        guard !found.isEmpty, start < found.count else { throw .invalidParameters }
        let last = found.count - 1
        let current = min(last, start + SPMC.descriptorsPerRegisterCall - 1)
        let size = UInt64(PartitionInfo.descriptorSize(for: .v1_2))

        var out = Registers(UInt64(FFAFunction.FFA_SUCCESS_64))
        out.x2 = UInt64(last) | UInt64(current) << 16 | size << 48
        var reg = 3
        for info in found[start...current] {
            let triple = info.registerTriple
            out[reg] = triple.0
            out[reg + 1] = triple.1
            out[reg + 2] = triple.2
            reg += 3
        }
        return out
    }
}
