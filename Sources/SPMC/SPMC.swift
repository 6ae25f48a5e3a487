import ABI

/// The FF-A v1.2 secure partition manager core, in the manner of TF-A's EL3 SPMC: it owns the
/// FF-A function numbers (0x60...0xFF of the standard secure service range) for both worlds.
///
/// A value type with no hardware access. Each call is decoded from the caller's saved registers
/// (`Interface`), and the answer is encoded back into them in place, or the message it forwards
/// into the saved registers of the world it goes to; the result is a one-byte `MonitorAction`.
public struct SPMC: Sendable {
    /// The version this SPMC implements and answers FFA_VERSION with.
    public static let version = FFAVersion.v1_2

    public let config: SPMCConfig
    public internal(set) var normalWorld = NormalWorldEndpoint()
    public internal(set) var partitions: [PartitionState]
    /// The partition that `switchToPartition` enters.
    public internal(set) var running: UInt16 = 0

    @inline(never)   // a `make bench` boot mark (qemu/bench.py)
    public init(config: SPMCConfig) {
        self.config = config
        partitions = config.partitions.map { PartitionState(info: $0) }
    }

    /// Index of the partition with endpoint ID `id`.
    public func partitionIndex(_ id: UInt16) -> Int? {
        for i in partitions.indices where partitions[i].info.id == id { return i }
        return nil
    }

    /// The image could not load or start partition `id`: it is marked failed, and direct
    /// requests to it are answered ABORTED.
    public mutating func partitionFailedToStart(_ id: UInt16) {
        if let i = partitionIndex(id) { partitions[i].runtime = .failed }
    }

    /// Handles one FF-A call from `world`, whose saved registers are `r`.
    public mutating func handle<B: RegisterBlocks, M: PhysicalMemory>(
        _ r: inout Registers, from world: World, blocks: B, memory: inout M
    ) -> MonitorAction {
        switch world {
        case .normal:
            return handleNormalWorld(&r, blocks: blocks, memory: &memory)
        case .partition(let id):
            guard let index = partitionIndex(id) else {
                Interface.failure(.invalidParameters).encode(into: &r)
                return .returnToCaller
            }
            // Only the partition that is executing can trap here; anything else is refused.
            guard partitions[index].runtime.isRunning else {
                Interface.failure(.denied).encode(into: &r)
                return .returnToCaller
            }
            return handlePartition(&r, index: index, blocks: blocks, memory: &memory)
        }
    }

    // MARK: Normal world

    private mutating func handleNormalWorld<B: RegisterBlocks, M: PhysicalMemory>(
        _ r: inout Registers, blocks: B, memory: inout M
    ) -> MonitorAction {
        let function = r.function
        if function != FFAFunction.FFA_VERSION { normalWorld.versionLocked = true }
        guard FFAFeatures.isAvailable(function, to: .normal, version: normalWorld.version) else {
            // TF-A answers a direct response from the normal world with INVALID_PARAMETERS.
            let e: FFAError = FFAFeatures.isDirectResponse(function) ? .invalidParameters : .notSupported
            Interface.failure(e).encode(into: &r)
            return .returnToCaller
        }
        let answer: Interface
        do throws(FFAError) {
            switch try Interface.decode(r) {
            case .version(let v):
                answer = negotiateVersion(v)
            case .features(let id, let properties):
                answer = try FFAFeatures.query(id, properties: properties, from: .normal, version: normalWorld.version)
            case .idGet:
                answer = .success(UInt64(Endpoint.normalWorld))
            case .spmIDGet:
                answer = .success(UInt64(Endpoint.spmc))
            case .rxtxMap(let tx, let rx, let pages, _):
                answer = try rxtxMap(tx: tx, rx: rx, pageCount: pages)
            case .rxtxUnmap(let id):
                answer = try rxtxUnmap(id: id)
            case .rxRelease(let vm):
                answer = try rxRelease(vmID: vm)
            case .partitionInfoGet(let uuid, let countOnly):
                answer = try partitionInfoGet(uuid, countOnly: countOnly, memory: &memory)
            case .partitionInfoGetRegs(let uuid, let start, let tag):
                answer = try partitionInfoGetRegs(uuid, start: start, tag: tag)
            case .msgSendDirectReq(let m):
                return try sendDirectRequest(m.sender, m.receiver, kind: m.is64 ? .smc64 : .smc32,
                                             message: .msgSendDirectReq(m), blocks: blocks)
            case .msgSendDirectReq2(let m):
                return try sendDirectRequest(m.sender, m.receiver, kind: .req2, service: m.service,
                                             message: .msgSendDirectReq2(m), blocks: blocks)
            default:
                // FFA_ERROR / FFA_SUCCESS have no meaning as calls from the normal world.
                answer = .failure(.notSupported)
            }
        } catch {
            answer = Interface.refusal(error, to: r)
        }
        answer.encode(into: &r)
        return .returnToCaller
    }

    // MARK: Partitions

    private mutating func handlePartition<B: RegisterBlocks, M: PhysicalMemory>(
        _ r: inout Registers, index: Int, blocks: B, memory: inout M
    ) -> MonitorAction {
        let id = partitions[index].info.id
        let me = World.partition(id)
        let function = r.function
        // FF-A v1.3's abort is honoured whatever version we serve, and whatever the other
        // registers hold: a partition that calls it cannot go on.
        if FFAFeatures.isAbort(function) {
            return partitionAborted(index: index, blocks: blocks)
        }
        guard FFAFeatures.isAvailable(function, to: me, version: SPMC.version) else {
            // TF-A: an SP cannot send a direct request (there is no other SP to call).
            let e: FFAError = FFAFeatures.isDirectRequest(function) ? .invalidParameters : .notSupported
            Interface.failure(e).encode(into: &r)
            return .returnToCaller
        }
        let answer: Interface
        do throws(FFAError) {
            let call: Interface
            do throws(FFAError) {
                call = try Interface.decode(r)
            } catch {
                // An FFA_ERROR with a code the spec does not define still ends the request.
                guard function == FFAFunction.FFA_ERROR else { throw error }
                call = .failure(.aborted)
            }
            switch call {
            case .version(let v):
                answer = partitionVersion(v)
            case .features(let fid, let properties):
                answer = try FFAFeatures.query(fid, properties: properties, from: me, version: SPMC.version)
            case .idGet:
                answer = .success(UInt64(id))
            case .spmIDGet:
                answer = .success(UInt64(Endpoint.spmc))
            case .partitionInfoGetRegs(let uuid, let start, let tag):
                answer = try partitionInfoGetRegs(uuid, start: start, tag: tag)
            case .msgWait:
                return try messageWait(index: index)
            case .error(_, let code):
                return try partitionError(code, index: index, blocks: blocks)
            case .consoleLog(let text):
                for i in 0..<text.count {
                    let c = text.character(i)
                    if c == 0 { break }
                    memory.console(c)
                }
                answer = .success()
            case .msgSendDirectResp(let m):
                return try sendDirectResponse(m.sender, m.receiver, kind: m.is64 ? .smc64 : .smc32,
                                              message: .msgSendDirectResp(m), index: index, blocks: blocks)
            case .msgSendDirectResp2(let m):
                return try sendDirectResponse(m.sender, m.receiver, kind: .req2,
                                              message: .msgSendDirectResp2(m), index: index, blocks: blocks)
            default:
                answer = .failure(.notSupported)
            }
        } catch {
            answer = Interface.refusal(error, to: r)
        }
        answer.encode(into: &r)
        return .returnToCaller
    }
}
