import ABI

extension FFADriver {
    /// FFA_PARTITION_INFO_GET for `uuid` (nil UUID: every partition), through the RX buffer.
    ///
    /// At v1.1+ a count-only call comes first (w5 bit 0; it touches no buffer), then the
    /// descriptors at the stride the SPMC gives in w3 (0 means 24, what OP-TEE sent before
    /// 2024); v1.0 descriptors are 8 bytes and carry no UUID, so the queried one is filled in.
    /// The count is bounded by the mapped RX size. FFA_RX_RELEASE follows every answer that may
    /// have filled the buffer, also when decoding fails.
    public mutating func partitionInfoGet<B: RXTXBuffers>(uuid: UUID, buffers: B) throws(FFADriverError) -> [PartitionInfo] {
        let v = try requireProbed()
        guard let mapping = rxtx else { throw .rxtxNotMapped }
        if v >= .v1_1 {
            let counted = try callExpectingSuccess(.partitionInfoGet(uuid: uuid, countOnly: true))
            if counted.x2 == 0 { return [] }
        }

        let out = invoke(Interface.partitionInfoGet(uuid: uuid, countOnly: false).registers)
        let answer: (x2: UInt64, x3: UInt64)
        switch Interface.answer(of: out) {
        case .success32?:
            answer = Interface.successResults(out, is64: false)
        case .success64?:
            answer = Interface.successResults(out, is64: true)
        case .error?:
            throw .fromErrorAnswer(out)
        default:
            // Whatever this was, the SPMC may consider the buffer ours: give it back.
            _ = try? rxRelease()
            throw .unexpectedFunction(Interface.functionWord(out))
        }

        let list: [PartitionInfo]
        do throws(FFADriverError) {
            list = try Self.decodeDescriptors(count: UInt32(truncatingIfNeeded: answer.x2),
                                              sizeWord: UInt32(truncatingIfNeeded: answer.x3), version: v,
                                              rxSize: mapping.size, queried: uuid, buffers: buffers)
        } catch {
            // The buffer goes back either way; the descriptors' fault is the one reported.
            _ = try? rxRelease()
            throw error
        }
        try rxRelease()
        return list
    }

    static func decodeDescriptors<B: RXTXBuffers>(count: UInt32, sizeWord: UInt32, version: FFAVersion, rxSize: Int,
                                                  queried: UUID, buffers: B) throws(FFADriverError) -> [PartitionInfo] {
        let stride: Int
        if version < .v1_1 {
            stride = 8
        } else {
            stride = sizeWord == 0 ? 24 : Int(sizeWord)
            guard stride >= 24 else { throw .malformedDescriptors }
        }
        let (total, overflow) = Int(count).multipliedReportingOverflow(by: stride)
        guard !overflow, total <= rxSize else { throw .malformedDescriptors }
        let bytes = buffers.readRX(offset: 0, count: total)
        guard bytes.count >= total else { throw .malformedDescriptors }

        // Written in place (the count is bounded by the RX size): no append, no growth path.
        var malformed = false
        let list = [PartitionInfo](unsafeUninitializedCapacity: Int(count)) { out, made in
            for i in 0..<Int(count) {
                guard var info = PartitionInfo(bytes: bytes, at: i * stride, size: stride) else { malformed = true; return }
                // v1.0 descriptors carry no UUID; for a query by UUID the field is not the answer
                // either (TF-A's EL3 SPMC leaves it unwritten): the partition answers `queried`.
                if stride == 8 || !queried.isNil { info.uuid = queried }
                out.initializeElement(at: i, to: info)
                made = i + 1
            }
        }
        guard !malformed else { throw .malformedDescriptors }
        return list
    }

    /// FFA_PARTITION_INFO_GET_REGS (FF-A v1.2 §14.x, SMC64): no buffers needed.
    ///
    /// x1/x2 = UUID, x3 = start index | tag << 16. The answer's x2 holds the last index (15:0),
    /// this reply's last index (31:16), the tag (47:32) and the descriptor size (63:48); x3..x17
    /// hold the descriptors, size/8 registers each. RETRY (the list changed) restarts from 0.
    public mutating func partitionInfoGetRegs(uuid: UUID) throws(FFADriverError) -> [PartitionInfo] {
        let v = try requireProbed()
        guard v >= .v1_2, registerCount == Registers.count else { throw .ffa(.notSupported) }

        var list: [PartitionInfo] = []
        var start = 0, tag: UInt16 = 0
        var lastIndex: Int? = nil
        var retries = 0
        // Bounded: each reply moves `start` forward (at most 65536 times) or spends a retry.
        while true {
            let out = invoke(Interface.partitionInfoGetRegs(uuid: uuid, start: UInt16(truncatingIfNeeded: start),
                                                            tag: tag).registers)
            let reply: PartitionInfoRegisters
            switch Interface.answer(of: out) {
            case .success64?, .success32?:
                reply = PartitionInfoRegisters(decoding: Interface.successArguments(out, is64: true))
            case .error?:
                let e = FFADriverError.fromErrorAnswer(out)
                guard e == .ffa(.retry) || e == .ffa(.busy) else { throw e }
                retries += 1
                guard retries <= retryLimit else { throw .retriesExhausted(e == .ffa(.busy) ? .busy : .retry) }
                list = []; start = 0; tag = 0; lastIndex = nil
                continue
            default:
                throw .unexpectedFunction(Interface.functionWord(out))
            }

            let last = reply.last
            let current = reply.current
            let size = reply.descriptorSize == 0 ? 24 : reply.descriptorSize
            guard size >= 24, size % 8 == 0 else { throw .malformedDescriptors }
            let fit = 15 / (size / 8)
            if let known = lastIndex, known != last { throw .malformedDescriptors }
            guard current >= start, current <= last, current - start < fit else { throw .malformedDescriptors }
            lastIndex = last

            for k in 0...(current - start) {
                guard let info = PartitionInfoRegisters.descriptor(k, size: size, of: out) else { throw .malformedDescriptors }
                list.append(info)
            }
            if current == last { return list }
            start = current + 1
            tag = reply.tag
        }
    }

    /// Partitions answering `uuid`: FFA_PARTITION_INFO_GET_REGS when the version, the
    /// registers and FFA_FEATURES allow it, else FFA_PARTITION_INFO_GET through the RX buffer.
    public mutating func partitions<B: RXTXBuffers>(uuid: UUID, buffers: B) throws(FFADriverError) -> [PartitionInfo] {
        let v = try requireProbed()
        if v >= .v1_2 && registerCount == Registers.count {
            if partitionInfoGetRegsSupported == nil {
                partitionInfoGetRegsSupported = try features(FFAFunction.FFA_PARTITION_INFO_GET_REGS) != nil
            }
            if partitionInfoGetRegsSupported == true { return try partitionInfoGetRegs(uuid: uuid) }
        }
        return try partitionInfoGet(uuid: uuid, buffers: buffers)
    }
}
