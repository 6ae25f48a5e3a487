import ABI

/// FFA_MSG_SEND_DIRECT_REQ/RESP (32 and 64-bit) and FFA_MSG_SEND_DIRECT_REQ2/RESP2
/// (FF-A v1.2 §15.2-15.5): the normal world's request enters the partition; the partition's
/// response returns to the normal world.
///
/// The message is encoded straight into the saved registers of the world it goes to, which is
/// stopped inside its own call (the partition in its FFA_MSG_WAIT or last response, the sender
/// in its request): x0...x7, or x0...x17 for REQ2/RESP2. So nothing else of the sender's
/// registers reaches the other world, and the receiver keeps its own x8...x17 under a 32- or
/// 64-bit message (docs/smccc-registers.md).
extension SPMC {
    /// A direct request from the normal world. Checks, in TF-A's order: MBZ flags (the
    /// codec), the sender is the caller's own ID (0), the receiver is an existing secure
    /// partition that accepts this kind of request (DENIED if not), and it is idle (BUSY while
    /// it initialises or handles another request; ABORTED once it has failed or aborted).
    mutating func sendDirectRequest<B: RegisterBlocks>(
        _ m: DirectMessage, blocks: B
    ) throws(FFAError) -> MonitorAction {
        try acceptRequest(from: m.sender, to: m.receiver, kind: m.is64 ? .smc64 : .smc32, service: .nil)
        unsafe m.encode(into: &blocks.registers(of: .partition(m.receiver)).pointee, response: false)
        return .switchToPartition
    }

    mutating func sendDirectRequest2<B: RegisterBlocks>(
        _ m: DirectMessage2, blocks: B
    ) throws(FFAError) -> MonitorAction {
        try acceptRequest(from: m.sender, to: m.receiver, kind: .req2, service: m.service)
        unsafe m.encode(into: &blocks.registers(of: .partition(m.receiver)).pointee, response: false)
        return .switchToPartition
    }

    /// The checks of a request; the partition that takes it is marked as handling it.
    private mutating func acceptRequest(from sender: UInt16, to receiver: UInt16, kind: DirectMessageKind,
                                        service: UUID) throws(FFAError) {
        guard sender == Endpoint.normalWorld, Endpoint.isSecure(receiver),
              let index = partitionIndex(receiver) else { throw .invalidParameters }
        // REQ2's service UUID: nil, or one the partition answers to.
        if kind == .req2 {
            guard service.isNil || service == partitions[index].info.uuid else { throw .invalidParameters }
        }
        let needed = kind == .req2 ? PartitionInfo.Property.receivesDirectRequest2
                                   : PartitionInfo.Property.receivesDirectRequests
        guard partitions[index].info.properties & needed != 0 else { throw .denied }
        switch partitions[index].runtime {
        case .waiting: break
        case .initialising, .handling: throw .busy
        case .failed, .aborted: throw .aborted
        }
        partitions[index].runtime = .handling(PendingRequest(origin: sender, kind: kind))
        running = receiver
    }

    /// A direct response from the partition at `index`: it must answer the request it is
    /// handling (DENIED otherwise), from its own ID, to the request's sender, with the
    /// request's width (RESP flags and RESP2 x2/x3 MBZ: the codec).
    mutating func sendDirectResponse<B: RegisterBlocks>(
        _ m: DirectMessage, index: Int, blocks: B
    ) throws(FFAError) -> MonitorAction {
        try acceptResponse(from: m.sender, to: m.receiver, kind: m.is64 ? .smc64 : .smc32, index: index)
        unsafe m.encode(into: &blocks.registers(of: .normal).pointee, response: true)
        return .switchToNormal
    }

    mutating func sendDirectResponse2<B: RegisterBlocks>(
        _ m: DirectMessage2, index: Int, blocks: B
    ) throws(FFAError) -> MonitorAction {
        try acceptResponse(from: m.sender, to: m.receiver, kind: .req2, index: index)
        unsafe m.encode(into: &blocks.registers(of: .normal).pointee, response: true)
        return .switchToNormal
    }

    private mutating func acceptResponse(from sender: UInt16, to receiver: UInt16, kind: DirectMessageKind,
                                         index: Int) throws(FFAError) {
        guard sender == partitions[index].info.id else { throw .invalidParameters }
        guard case .handling(let pending) = partitions[index].runtime,
              pending.kind == kind, pending.origin == receiver else { throw .denied }
        partitions[index].runtime = .waiting
    }
}
