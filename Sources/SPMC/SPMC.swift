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
    /// The runtime state of the configured partitions (their descriptions: `config.partitions`).
    public internal(set) var table: PartitionTable
    /// The partition that `switchToPartition` enters.
    public internal(set) var running: UInt16 = 0

    @inline(never)   // a `make bench` boot mark (qemu/bench.py)
    public init(config: SPMCConfig) {
        self.config = config
        table = PartitionTable(config.partitions)
    }

    /// The configured partitions.
    public var partitionCount: Int { table.count }

    /// Each partition's description and state (for tests and checks; it builds an array).
    public var partitions: [PartitionState] {
        (0..<table.count).map { PartitionState(info: config.partitions[$0], runtime: table.runtime(at: $0)) }
    }

    /// Index of the partition with endpoint ID `id`.
    @inline(__always)
    public func partitionIndex(_ id: UInt16) -> Int? { table.index(of: id) }

    /// The runtime state of the partition with endpoint ID `id`.
    public func runtime(of id: UInt16) -> PartitionRuntime? { partitionIndex(id).map { table.runtime(at: $0) } }

    /// The image could not load or start partition `id`: it is marked failed, and direct
    /// requests to it are answered ABORTED.
    public mutating func partitionFailedToStart(_ id: UInt16) {
        if let i = partitionIndex(id) { table.setRuntime(.failed, at: i) }
    }

    /// Handles one FF-A call from `world`, whose saved registers are `r`. Kept out of line so
    /// that the run loop's other services do not pay for its stack frame.
    @inline(never)
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
            guard table.runtime(at: index).isRunning else {
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
            Interface.encodeError(into: &r, FFAFeatures.isDirectResponse(function) ? .invalidParameters : .notSupported)
            return .returnToCaller
        }
        let reply: Reply
        do throws(FFAError) {
            switch Interface.function(function) {
            case .msgSendDirectReq64?, .msgSendDirectReq32?:
                let is64 = FunctionID(function).isSMC64
                return try sendDirectRequest(DirectMessage(decoding: r, is64: is64), blocks: blocks)
            case .msgSendDirectReq2?:
                return try sendDirectRequest2(DirectMessage2(decoding: r, isResponse: false), blocks: blocks)
            case .version?:
                reply = negotiateVersion(try Interface.versionArgument(r))
            case .features?:
                let (id, properties) = Interface.featuresArguments(r)
                reply = try FFAFeatures.query(id, properties: properties, from: .normal, version: normalWorld.version)
            case .idGet?:
                reply = .success(UInt64(Endpoint.normalWorld))
            case .spmIDGet?:
                reply = .success(UInt64(Endpoint.spmc))
            case .rxtxMap32?, .rxtxMap64?:
                let (tx, rx, pages) = try Interface.rxtxMapArguments(r, is64: FunctionID(function).isSMC64)
                reply = try rxtxMap(tx: tx, rx: rx, pageCount: pages)
            case .rxtxUnmap?:
                reply = try rxtxUnmap(id: Interface.rxtxUnmapArgument(r))
            case .rxRelease?:
                reply = try rxRelease(vmID: Interface.rxReleaseArgument(r))
            case .partitionInfoGet?:
                let (uuid, countOnly) = try Interface.partitionInfoGetArguments(r)
                reply = try partitionInfoGet(uuid, countOnly: countOnly, memory: &memory)
            case .partitionInfoGetRegs?:
                let (uuid, start, tag) = try Interface.partitionInfoGetRegsArguments(r)
                try partitionInfoGetRegs(uuid, start: start, tag: tag).encode(into: &r)
                return .returnToCaller
            default:
                // FFA_ERROR / FFA_SUCCESS have no meaning as calls from the normal world.
                throw .notSupported
            }
        } catch {
            Interface.encodeRefusal(error, into: &r)
            return .returnToCaller
        }
        reply.encode(into: &r)
        return .returnToCaller
    }

    // MARK: Partitions

    private mutating func handlePartition<B: RegisterBlocks, M: PhysicalMemory>(
        _ r: inout Registers, index: Int, blocks: B, memory: inout M
    ) -> MonitorAction {
        let function = r.function
        // FF-A v1.3's abort is honoured whatever version we serve, and whatever the other
        // registers hold: a partition that calls it cannot go on.
        if FFAFeatures.isAbort(function) {
            return partitionAborted(index: index, blocks: blocks)
        }
        let me = World.partition(config.partitions[index].id)
        guard FFAFeatures.isAvailable(function, to: me, version: SPMC.version) else {
            // TF-A: an SP cannot send a direct request (there is no other SP to call).
            Interface.encodeError(into: &r, FFAFeatures.isDirectRequest(function) ? .invalidParameters : .notSupported)
            return .returnToCaller
        }
        let reply: Reply
        do throws(FFAError) {
            switch Interface.function(function) {
            case .msgSendDirectResp64?, .msgSendDirectResp32?:
                let is64 = FunctionID(function).isSMC64
                return try sendDirectResponse(DirectMessage(decoding: r, is64: is64), index: index, blocks: blocks)
            case .msgSendDirectResp2?:
                return try sendDirectResponse2(DirectMessage2(decoding: r, isResponse: true), index: index, blocks: blocks)
            case .msgWait?:
                _ = try Interface.msgWaitArgument(r)
                return try messageWait(index: index)
            case .error?:
                // An FFA_ERROR with a code the spec does not define still ends the request.
                let code = (try? Interface.errorArguments(r))?.1 ?? .aborted
                return try partitionError(code, index: index, blocks: blocks)
            case .version?:
                reply = partitionVersion(try Interface.versionArgument(r))
            case .features?:
                let (id, properties) = Interface.featuresArguments(r)
                reply = try FFAFeatures.query(id, properties: properties, from: me, version: SPMC.version)
            case .idGet?:
                reply = .success(UInt64(config.partitions[index].id))
            case .spmIDGet?:
                reply = .success(UInt64(Endpoint.spmc))
            case .partitionInfoGetRegs?:
                let (uuid, start, tag) = try Interface.partitionInfoGetRegsArguments(r)
                try partitionInfoGetRegs(uuid, start: start, tag: tag).encode(into: &r)
                return .returnToCaller
            case .consoleLog32?, .consoleLog64?:
                let is64 = FunctionID(function).isSMC64
                let count = try ConsoleCharacters(decoding: r, is64: is64).count
                // Read where they lie, from x2 on (SMC32: four to a register's low half), not
                // through a register block rebuilt for each character.
                let perRegister = is64 ? 8 : 4
                for i in 0..<count {
                    let c = UInt8(truncatingIfNeeded: r[2 + i / perRegister] >> (8 * UInt64(i % perRegister)))
                    if c == 0 { break }
                    memory.console(c)
                }
                reply = .success
            default:
                throw .notSupported
            }
        } catch {
            Interface.encodeRefusal(error, into: &r)
            return .returnToCaller
        }
        reply.encode(into: &r)
        return .returnToCaller
    }
}
