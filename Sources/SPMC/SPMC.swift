import ABI

/// The FF-A v1.2 secure partition manager core, in the manner of TF-A's EL3 SPMC: it owns the
/// FF-A function numbers (0x60...0xFF of the standard secure service range) for both worlds.
///
/// A value type with no hardware access: each call goes in as registers and comes out as an
/// `Outcome`; writes into the normal world's RX buffer go through `PhysicalMemory`.
public struct SPMC: Sendable {
    /// The version this SPMC implements and answers FFA_VERSION with.
    public static let version = FFAVersion.v1_2

    public let config: SPMCConfig
    public internal(set) var normalWorld = NormalWorldEndpoint()
    public internal(set) var partitions: [PartitionState]

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

    /// Handles one FF-A call (`function` has the SVE hint cleared).
    mutating func handle<M: PhysicalMemory>(_ r: Registers, function: UInt32, from world: World,
                                            memory: inout M) -> Outcome {
        switch world {
        case .normal:
            return handleNormalWorld(r, function: function, memory: &memory)
        case .partition(let id):
            guard let index = partitionIndex(id) else {
                return .resume(world, r.delivering(.ffaError(.invalidParameters)))
            }
            // Only the partition that is executing can trap here; anything else is refused.
            guard partitions[index].runtime.isRunning else {
                return .resume(world, r.delivering(.ffaError(.denied)))
            }
            partitions[index].lastCall = r
            return handlePartition(r, function: function, index: index)
        }
    }

    // MARK: Normal world

    /// Answers go back as `r` with the FF-A message written over it (`delivering`).
    private mutating func handleNormalWorld<M: PhysicalMemory>(_ r: Registers, function: UInt32,
                                                               memory: inout M) -> Outcome {
        if function != FFAFunction.FFA_VERSION { normalWorld.versionLocked = true }
        guard FFAFeatures.isAvailable(function, to: .normal, version: normalWorld.version) else {
            // TF-A answers a direct response from the normal world with INVALID_PARAMETERS.
            if DirectMessaging.responseKind(function) != nil {
                return .resume(.normal, r.delivering(.ffaError(.invalidParameters)))
            }
            return .resume(.normal, r.delivering(.ffaError(.notSupported)))
        }
        let result: Registers
        do throws(FFAError) {
            switch function {
            case FFAFunction.FFA_VERSION:
                result = negotiateVersion(r.w(1))
            case FFAFunction.FFA_FEATURES:
                result = try FFAFeatures.query(r, from: .normal, version: normalWorld.version)
            case FFAFunction.FFA_ID_GET:
                result = .ffaSuccess(UInt64(Endpoint.normalWorld))
            case FFAFunction.FFA_SPM_ID_GET:
                result = .ffaSuccess(UInt64(Endpoint.spmc))
            case FFAFunction.FFA_RXTX_MAP_32, FFAFunction.FFA_RXTX_MAP_64:
                result = try rxtxMap(r, is64: function == FFAFunction.FFA_RXTX_MAP_64)
            case FFAFunction.FFA_RXTX_UNMAP:
                result = try rxtxUnmap(r)
            case FFAFunction.FFA_RX_RELEASE:
                result = try rxRelease(r)
            case FFAFunction.FFA_PARTITION_INFO_GET:
                result = try partitionInfoGet(r, memory: &memory)
            case FFAFunction.FFA_PARTITION_INFO_GET_REGS:
                result = try partitionInfoGetRegs(r)
            default:
                if let kind = DirectMessaging.requestKind(function) {
                    return try sendDirectRequest(r, function: function, kind: kind)
                }
                // FFA_ERROR / FFA_SUCCESS have no meaning as calls from the normal world.
                result = .ffaError(.notSupported)
            }
        } catch {
            result = .ffaError(error)
        }
        return .resume(.normal, r.delivering(result))
    }

    // MARK: Partitions

    private mutating func handlePartition(_ r: Registers, function: UInt32, index: Int) -> Outcome {
        let id = partitions[index].info.id
        let me = World.partition(id)
        // FF-A v1.3's abort is honoured whatever version we serve, and whatever the other
        // registers hold: a partition that calls it cannot go on.
        if function == FFAFunction.FFA_ABORT_32 || function == FFAFunction.FFA_ABORT_64 {
            return partitionAborted(index: index)
        }
        guard FFAFeatures.isAvailable(function, to: me, version: SPMC.version) else {
            // TF-A: an SP cannot send a direct request (there is no other SP to call).
            if DirectMessaging.requestKind(function) != nil {
                return .resume(me, r.delivering(.ffaError(.invalidParameters)))
            }
            return .resume(me, r.delivering(.ffaError(.notSupported)))
        }
        do throws(FFAError) {
            switch function {
            case FFAFunction.FFA_VERSION:
                return .resume(me, r.delivering(partitionVersion(r.w(1))))
            case FFAFunction.FFA_FEATURES:
                return .resume(me, r.delivering(try FFAFeatures.query(r, from: me, version: SPMC.version)))
            case FFAFunction.FFA_ID_GET:
                return .resume(me, r.delivering(.ffaSuccess(UInt64(id))))
            case FFAFunction.FFA_SPM_ID_GET:
                return .resume(me, r.delivering(.ffaSuccess(UInt64(Endpoint.spmc))))
            case FFAFunction.FFA_PARTITION_INFO_GET_REGS:
                return .resume(me, r.delivering(try partitionInfoGetRegs(r)))
            case FFAFunction.FFA_MSG_WAIT:
                return try messageWait(r, index: index)
            case FFAFunction.FFA_ERROR:
                return try partitionError(r, index: index)
            case FFAFunction.FFA_CONSOLE_LOG_32, FFAFunction.FFA_CONSOLE_LOG_64:
                let text = try ConsoleLog.characters(r, is64: function == FFAFunction.FFA_CONSOLE_LOG_64)
                return Outcome(.resume(me, r.delivering(.ffaSuccess())), console: text)
            default:
                if let kind = DirectMessaging.responseKind(function) {
                    return try sendDirectResponse(r, function: function, kind: kind, index: index)
                }
                return .resume(me, r.delivering(.ffaError(.notSupported)))
            }
        } catch {
            return .resume(me, r.delivering(.ffaError(error)))
        }
    }
}
