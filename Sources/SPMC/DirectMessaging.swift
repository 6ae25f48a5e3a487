import ABI

/// FFA_MSG_SEND_DIRECT_REQ/RESP (32 and 64-bit) and FFA_MSG_SEND_DIRECT_REQ2/RESP2
/// (FF-A v1.2 §15.2-15.5): the normal world's request enters the partition; the partition's
/// response returns to the normal world.
enum DirectMessaging {
    /// w2 bit 31: a framework message (PSCI, VM created/destroyed). None is routed here.
    static let frameworkMessageBit: UInt32 = 0x8000_0000

    static func requestKind(_ function: UInt32) -> DirectMessageKind? {
        switch function {
        case FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32: return .smc32
        case FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64: return .smc64
        case FFAFunction.FFA_MSG_SEND_DIRECT_REQ2: return .req2
        default: return nil
        }
    }

    static func responseKind(_ function: UInt32) -> DirectMessageKind? {
        switch function {
        case FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32: return .smc32
        case FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64: return .smc64
        case FFAFunction.FFA_MSG_SEND_DIRECT_RESP2: return .req2
        default: return nil
        }
    }

    /// w1 = sender ID << 16 | receiver ID.
    static func endpoints(_ r: Registers) -> (sender: UInt16, receiver: UInt16) {
        let w1 = r.w(1)
        return (UInt16(truncatingIfNeeded: w1 >> 16), UInt16(truncatingIfNeeded: w1))
    }

    /// The flags word (w2, or x2 for SMC64) that must be zero for a partition message. We route
    /// no framework messages, so a set bit 31 is as invalid as any other bit.
    static func flagsAreZero(_ r: Registers, kind: DirectMessageKind) -> Bool {
        switch kind {
        case .smc32: return r.w(2) == 0
        case .smc64: return r.x2 == 0
        case .req2: return true   // x2/x3 carry the service UUID in a request
        }
    }

    /// A message as the other side sees it: x0 = `function`, w1 = endpoints, and only the
    /// registers the ABI defines (w3..w7 for SMC32, x3..x7 for SMC64, x2..x17 for REQ2 and
    /// x4..x17 for RESP2). Flags (w2) and RESP2's x2/x3 are MBZ. It is written over the
    /// receiver's own registers (`delivering`): x0...x7, or all of x0...x17 for REQ2/RESP2, so
    /// nothing else of the sender's registers reaches the other world, and the receiver keeps
    /// its own x8...x17 under a 32- or 64-bit message.
    static func forward(_ r: Registers, function: UInt32, kind: DirectMessageKind,
                        isResponse: Bool) -> Registers {
        var out = Registers(UInt64(function), UInt64(r.w(1)))
        switch kind {
        case .smc32:
            for i in 3...7 { out[i] = UInt64(r.w(i)) }
        case .smc64:
            for i in 3...7 { out[i] = r[i] }
        case .req2:
            for i in (isResponse ? 4 : 2)...17 { out[i] = r[i] }
        }
        return out
    }
}

extension SPMC {
    /// A direct request from the normal world. Checks, in TF-A's order: MBZ flags, the
    /// sender is the caller's own ID (0), the receiver is an existing secure partition that
    /// accepts this kind of request (DENIED if not), and it is idle (BUSY while it initialises
    /// or handles another request; ABORTED once it has failed or aborted).
    mutating func sendDirectRequest(_ r: Registers, function: UInt32,
                                    kind: DirectMessageKind) throws(FFAError) -> Outcome {
        guard DirectMessaging.flagsAreZero(r, kind: kind) else { throw .invalidParameters }
        let (sender, receiver) = DirectMessaging.endpoints(r)
        guard sender == Endpoint.normalWorld, Endpoint.isSecure(receiver),
              let index = partitionIndex(receiver) else { throw .invalidParameters }
        let info = partitions[index].info
        if kind == .req2 {
            // x2/x3: the service UUID; nil, or one the partition answers to.
            let service = UUID(lo: r.x2, hi: r.x3)
            guard service.isNil || service == info.uuid else { throw .invalidParameters }
        }
        let needed = kind == .req2 ? PartitionInfo.Property.receivesDirectRequest2
                                   : PartitionInfo.Property.receivesDirectRequests
        guard info.properties & needed != 0 else { throw .denied }
        switch partitions[index].runtime {
        case .waiting: break
        case .initialising, .handling: throw .busy
        case .failed, .aborted: throw .aborted
        }

        partitions[index].runtime = .handling(PendingRequest(origin: sender, kind: kind))
        partitions[index].request = r
        let message = DirectMessaging.forward(r, function: function, kind: kind, isResponse: false)
        return .resume(.partition(receiver), partitions[index].lastCall.delivering(message))
    }

    /// A direct response from the partition at `index`: it must answer the request it is
    /// handling (DENIED otherwise), from its own ID, to the request's sender, with the
    /// request's width; RESP flags and RESP2 x2/x3 MBZ.
    mutating func sendDirectResponse(_ r: Registers, function: UInt32, kind: DirectMessageKind,
                                     index: Int) throws(FFAError) -> Outcome {
        switch kind {
        case .smc32, .smc64:
            guard DirectMessaging.flagsAreZero(r, kind: kind) else { throw .invalidParameters }
        case .req2:
            guard r.x2 == 0, r.x3 == 0 else { throw .invalidParameters }
        }
        let (sender, receiver) = DirectMessaging.endpoints(r)
        guard sender == partitions[index].info.id else { throw .invalidParameters }
        guard case .handling(let pending) = partitions[index].runtime,
              pending.kind == kind, pending.origin == receiver else { throw .denied }

        partitions[index].runtime = .waiting
        let message = DirectMessaging.forward(r, function: function, kind: kind, isResponse: true)
        return .resume(.normal, partitions[index].request.delivering(message))
    }
}
