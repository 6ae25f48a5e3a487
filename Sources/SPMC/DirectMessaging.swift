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
    /// Issue 12's hot path: FFA_MSG_SEND_DIRECT_REQ_32/64 from the normal world, or
    /// FFA_MSG_SEND_DIRECT_RESP_32/64 from the partition that handles the request, forwarded
    /// from the sender's block into the receiver's (x0...x7) after the checks `handle` makes,
    /// and nothing else: no version table, no dispatch over the other functions. nil for any
    /// other call and for a message a check refuses, with nothing changed: `handle` then
    /// answers it (with the error).
    @inline(__always)
    public mutating func forwardDirectMessage<B: RegisterBlocks>(
        _ r: UnsafeMutablePointer<Registers>, function: UInt32, from world: World, blocks: B
    ) -> MonitorAction? {
        switch world {
        case .normal: return unsafe forwardDirectRequest(r, function: function, blocks: blocks)
        case .partition(let id): return unsafe forwardDirectResponse(r, function: function, from: id, blocks: blocks)
        }
    }

    /// `forwardDirectMessage` from the normal world.
    @inline(__always)
    public mutating func forwardDirectRequest<B: RegisterBlocks>(
        _ r: UnsafeMutablePointer<Registers>, function: UInt32, blocks: B
    ) -> MonitorAction? {
        // checkRequest's checks: MBZ flags, sender 0, a secure receiver, a partition with that ID
        // that receives such requests and waits (one compare of its table word).
        guard let is64 = DirectMessage.requestWidth(function),
              let (sender, receiver) = unsafe DirectMessage.endpoints(r.pointee, is64: is64),
              sender == Endpoint.normalWorld, Endpoint.isSecure(receiver),
              let index = table.indexInPlace(ofSecure: receiver),
              table.beginRequest(at: index, receiver: receiver, is64: is64)
        else { return nil }
        normalWorld.versionLocked = true   // as `handle` does for any call but FFA_VERSION
        running = receiver
        unsafe DirectMessage.forward(r, to: blocks.registers(of: .partition(receiver)), is64: is64, response: false)
        return .switchToPartition
    }

    /// `forwardDirectMessage` from partition `id`.
    @inline(__always)
    public mutating func forwardDirectResponse<B: RegisterBlocks>(
        _ r: UnsafeMutablePointer<Registers>, function: UInt32, from id: UInt16, blocks: B
    ) -> MonitorAction? {
        // checkResponse's checks: MBZ flags, from its own ID, answering the request it handles,
        // with its width, to its sender (one compare of its table word).
        guard let is64 = DirectMessage.responseWidth(function),
              Endpoint.isSecure(id), let index = table.indexInPlace(ofSecure: id),
              unsafe DirectMessage.endpoints(r.pointee, is64: is64) != nil,
              table.endRequest(at: index, endpoints: unsafe UInt32(truncatingIfNeeded: r.pointee.x1), is64: is64)
        else { return nil }
        unsafe DirectMessage.forward(r, to: blocks.registers(of: .normal), is64: is64, response: true)
        return .switchToNormal
    }

    /// A direct request from the normal world. Checks, in TF-A's order: MBZ flags (the
    /// codec), the sender is the caller's own ID (0), the receiver is an existing secure
    /// partition that accepts this kind of request (DENIED if not), and it is idle (BUSY while
    /// it initialises or handles another request; ABORTED once it has failed or aborted).
    mutating func sendDirectRequest<B: RegisterBlocks>(
        _ m: DirectMessage, blocks: B
    ) throws(FFAError) -> MonitorAction {
        let index = try checkRequest(from: m.sender, to: m.receiver, kind: m.is64 ? .smc64 : .smc32, service: .nil)
        return deliverRequest(m, index: index, blocks: blocks)
    }

    mutating func sendDirectRequest2<B: RegisterBlocks>(
        _ m: DirectMessage2, blocks: B
    ) throws(FFAError) -> MonitorAction {
        let index = try checkRequest(from: m.sender, to: m.receiver, kind: .req2, service: m.service)
        markHandling(index, PendingRequest(origin: m.sender, kind: .req2), id: m.receiver)
        unsafe m.encode(into: &blocks.registers(of: .partition(m.receiver)).pointee, response: false)
        return .switchToPartition
    }

    /// The checks of a request: the index of the partition that takes it, or the error.
    @inline(__always)
    func checkRequest(from sender: UInt16, to receiver: UInt16, kind: DirectMessageKind,
                      service: UUID) throws(FFAError) -> Int {
        guard sender == Endpoint.normalWorld, Endpoint.isSecure(receiver),
              let index = partitionIndex(receiver) else { throw .invalidParameters }
        // REQ2's service UUID: nil, or one the partition answers to.
        if kind == .req2 {
            guard service.isNil || service == config.partitions[index].uuid else { throw .invalidParameters }
        }
        guard table.receives(kind, at: index) else { throw .denied }
        switch table.runtime(at: index) {
        case .waiting: break
        case .initialising, .handling: throw .busy
        case .failed, .aborted: throw .aborted
        }
        return index
    }

    /// A checked 32- or 64-bit request enters the partition at `index`: written over its block.
    @inline(__always)
    mutating func deliverRequest<B: RegisterBlocks>(_ m: DirectMessage, index: Int, blocks: B) -> MonitorAction {
        markHandling(index, PendingRequest(origin: m.sender, kind: m.is64 ? .smc64 : .smc32), id: m.receiver)
        unsafe m.encode(into: &blocks.registers(of: .partition(m.receiver)).pointee, response: false)
        return .switchToPartition
    }

    /// The partition at `index` handles `request` and is the one `switchToPartition` enters.
    @inline(__always)
    mutating func markHandling(_ index: Int, _ request: PendingRequest, id: UInt16) {
        table.setRuntime(.handling(request), at: index)
        running = id
    }

    /// A direct response from the partition at `index`: it must answer the request it is
    /// handling (DENIED otherwise), from its own ID, to the request's sender, with the
    /// request's width (RESP flags and RESP2 x2/x3 MBZ: the codec).
    mutating func sendDirectResponse<B: RegisterBlocks>(
        _ m: DirectMessage, index: Int, blocks: B
    ) throws(FFAError) -> MonitorAction {
        try checkResponse(from: m.sender, to: m.receiver, kind: m.is64 ? .smc64 : .smc32, index: index)
        return deliverResponse(m, index: index, blocks: blocks)
    }

    mutating func sendDirectResponse2<B: RegisterBlocks>(
        _ m: DirectMessage2, index: Int, blocks: B
    ) throws(FFAError) -> MonitorAction {
        try checkResponse(from: m.sender, to: m.receiver, kind: .req2, index: index)
        table.setRuntime(.waiting, at: index)
        unsafe m.encode(into: &blocks.registers(of: .normal).pointee, response: true)
        return .switchToNormal
    }

    @inline(__always)
    func checkResponse(from sender: UInt16, to receiver: UInt16, kind: DirectMessageKind,
                       index: Int) throws(FFAError) {
        guard sender == config.partitions[index].id else { throw .invalidParameters }
        guard case .handling(let pending) = table.runtime(at: index),
              pending.kind == kind, pending.origin == receiver else { throw .denied }
    }

    /// A checked 32- or 64-bit response goes back to the normal world: written over its block.
    @inline(__always)
    mutating func deliverResponse<B: RegisterBlocks>(_ m: DirectMessage, index: Int, blocks: B) -> MonitorAction {
        table.setRuntime(.waiting, at: index)
        unsafe m.encode(into: &blocks.registers(of: .normal).pointee, response: true)
        return .switchToNormal
    }
}
