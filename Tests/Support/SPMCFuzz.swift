import ABI
import SPMC
import SecureMonitor

/// Drives the monitor from raw bytes, for a libFuzzer target (`LLVMFuzzerTestOneInput`
/// calls `SPMCFuzz.run` and traps on false) and for the host's seeded random test.
///
/// The first byte sets up which partitions finish initialisation and whether RX writes fail.
/// Then the bytes are read as a sequence of calls. Per call: one byte picks the calling world
/// (mostly the one resumed last), one picks a function ID (mostly one that world would use,
/// else from a table of interesting IDs, rarely 4 raw bytes), one picks how the arguments are
/// made: every register from raw-ish values, or arguments shaped for that function (endpoint
/// words for messages, RAM addresses for RXTX_MAP, UUIDs for partition queries), so that valid
/// calls, and the deep states they lead to, are common. Missing bytes read as zero.
public enum SPMCFuzz {
    /// The QEMU configuration (1 GiB of NS RAM at 0x4000_0000) plus a second partition that
    /// receives only FFA_MSG_SEND_DIRECT_REQ, so that DENIED paths are reachable.
    public static let config: SPMCConfig = {
        var c = SPMCConfig.qemuVirt(nonSecureMemory: [MemoryRange(base: 0x4000_0000, size: 1 << 30)])
        c.partitions.append(PartitionInfo(
            id: 0x8002, executionContexts: 1,
            properties: PartitionInfo.Property.receivesDirectRequests | PartitionInfo.Property.aarch64,
            uuid: UUID(lo: 0x0123_4567_89ab_cdef, hi: 0xfedc_ba98_7654_3210)))
        return c
    }()

    /// Calls per input, so every input ends quickly.
    public static let maxCalls = 10_000

    /// What one input exercised (for tests that check the decoder reaches deep states).
    public struct Report: Equatable, Sendable {
        public var invariantsHeld = true
        public var calls = 0
        public var requestsRouted = 0
        public var responsesReturned = 0
        public var buffersMapped = 0
        public var rxWrites = 0
        public init() {}
    }

    /// Runs the calls the bytes describe; false as soon as a call breaks an invariant: the
    /// SPMC's state, the registers a resumed world gets back, the world that runs next, or a
    /// memory write outside the caller's RX buffer.
    public static func run(_ data: [UInt8]) -> Bool { execute(data).invariantsHeld }

    public static func execute(_ data: [UInt8]) -> Report {
        var report = Report()
        var input = FuzzInput(data)
        var monitor = MonitorModel(config: config)
        var memory = CheckingMemory()
        // First byte: which partitions finish initialisation before the random calls start,
        // and whether RX writes fail.
        let setup = input.byte()
        // The call each world is stopped in, as this driver made them: a message from the other
        // world is written over them (the SMCCC register rules), and must leave the rest as
        // they were.
        var stopped = StoppedCalls()
        for (i, p) in config.partitions.enumerated() where setup & (1 << i) == 0 {
            let wait = Registers(UInt64(FFAFunction.FFA_MSG_WAIT))
            _ = monitor.handle(wait, from: .partition(p.id), memory: &memory)
            stopped[.partition(p.id)] = wait
        }
        memory.failWrites = setup & 0x80 != 0

        var running = World.normal
        while !input.isEmpty && report.calls < maxCalls {
            report.calls += 1
            let world = input.world(running: running)
            let function = input.functionID(for: world)
            let r = input.arguments(for: function, from: world)

            memory.allowed = monitor.spmc.normalWorld.mailbox?.rxRange
            let before = monitor.spmc
            let outcome = monitor.handle(r, from: world, memory: &memory)
            // Every world's saved registers are those of its latest call (with its answer
            // written over them), and a message to it is written over those.
            var resumedOver = r
            if case .resume(let next, _) = outcome.action, next != world {
                resumedOver = stopped[next]
            }
            guard monitor.spmc.invariantsHold, outcome.keepsRegisterRules(stopped: resumedOver),
                  memory.violations == 0,
                  nextWorldIsConsistent(outcome, from: world, before: before, after: monitor.spmc)
            else {
                report.invariantsHeld = false
                return report
            }
            // The caller's saved registers: its call, with the answer written over it when it
            // is the one that resumes.
            stopped[world] = r
            if case .resume(let next, let answered) = outcome.action, next == world { stopped[world] = answered }
            switch outcome.action {
            case .resume(let next, _):
                if next != world {
                    if next == .normal { report.responsesReturned += 1 } else { report.requestsRouted += 1 }
                }
                running = next
            case .partitionInitialised:
                running = .normal
            case .systemOff, .systemReset:
                running = .normal
            }
            if before.normalWorld.mailbox == nil, monitor.spmc.normalWorld.mailbox != nil {
                report.buffersMapped += 1
            }
        }
        report.rxWrites = memory.writes
        return report
    }

    /// The world that runs next is one the call may lead to: the caller itself, a partition
    /// that has just taken the normal world's request, or the normal world getting a
    /// partition's answer.
    static func nextWorldIsConsistent(_ outcome: MonitorStep, from caller: World,
                                      before: SPMC, after: SPMC) -> Bool {
        switch outcome.action {
        case .resume(let next, _):
            if next == caller { return true }
            switch (caller, next) {
            case (.normal, .partition(let id)):
                guard let i = after.partitionIndex(id) else { return false }
                if case .handling = after.partitions[i].runtime,
                   case .waiting = before.partitions[i].runtime { return true }
                return false
            case (.partition(let id), .normal):
                guard let i = after.partitionIndex(id), case .handling = before.partitions[i].runtime
                else { return false }
                if case .waiting = after.partitions[i].runtime { return true }
                return after.partitions[i].runtime == .aborted
            default:
                return false
            }
        case .partitionInitialised(let id, _):
            guard caller == .partition(id), let i = before.partitionIndex(id) else { return false }
            return before.partitions[i].runtime == .initialising
        case .systemOff, .systemReset:
            return caller == .normal
        }
    }
}

/// Registers kept per world (zero for a world not seen yet).
struct StoppedCalls {
    private var entries: [(World, Registers)] = []

    subscript(world: World) -> Registers {
        get {
            for e in entries where e.0 == world { return e.1 }
            return Registers()
        }
        set {
            for i in entries.indices where entries[i].0 == world {
                entries[i].1 = newValue
                return
            }
            entries.append((world, newValue))
        }
    }
}

/// A fake physical memory that accepts writes only inside `allowed` and counts the others.
struct CheckingMemory: PhysicalMemory {
    var allowed: MemoryRange?
    var failWrites = false
    var violations = 0
    var writes = 0

    mutating func write(_ bytes: [UInt8], at pa: UInt64) -> Bool {
        writes += 1
        guard let allowed, allowed.contains(MemoryRange(base: pa, size: UInt64(bytes.count))) else {
            violations += 1
            return false
        }
        return !failWrites
    }
}

/// Reads fuzz bytes; past the end every read is zero.
struct FuzzInput {
    let data: [UInt8]
    var position = 0

    init(_ data: [UInt8]) { self.data = data }

    var isEmpty: Bool { position >= data.count }

    mutating func byte() -> UInt8 {
        guard position < data.count else { return 0 }
        defer { position += 1 }
        return data[position]
    }

    mutating func little(_ count: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<count { v |= UInt64(byte()) << UInt64(8 * i) }
        return v
    }

    /// Mostly the world that was resumed last (on hardware only it can trap next), sometimes
    /// another one, including IDs that are no partition at all.
    mutating func world(running: World) -> World {
        let b = byte()
        switch b % 8 {
        case 0, 1, 2, 3, 4: return running
        case 5: return .normal
        case 6: return .partition(b & 0x80 == 0 ? Endpoint.mmPartition : 0x8002)
        default:
            let strays: [UInt16] = [0x8003, 0x8000, 0x0001, 0xFFFF]
            return .partition(strays[Int(b >> 3) % strays.count])
        }
    }

    /// Mostly a function the calling world would use, sometimes any from the table, rarely
    /// 4 raw bytes.
    mutating func functionID(for world: World) -> UInt32 {
        let b = Int(byte())
        if b < 160 {
            let table = world == .normal ? FuzzInput.normalWorldFunctions : FuzzInput.partitionFunctions
            return table[b % table.count]
        }
        return b < 224 ? FuzzInput.functions[b % FuzzInput.functions.count]
                       : UInt32(truncatingIfNeeded: little(4))
    }

    mutating func registerValue() -> UInt64 {
        let tag = byte()
        switch tag % 8 {
        case 0, 1, 2: return 0
        case 3: return UInt64(byte())
        case 4, 5: return FuzzInput.values[Int(byte()) % FuzzInput.values.count]
        case 6: return little(4)
        default: return little(8)
        }
    }

    /// x1..x17 for a call to `function`: one mode byte chooses generic values for every
    /// register, or values shaped like that function's arguments.
    mutating func arguments(for function: UInt32, from world: World) -> Registers {
        var r = Registers(UInt64(function))
        let mode = byte()
        if mode & 3 == 0 {
            for i in 1...7 { r[i] = registerValue() }
            if mode & 8 != 0 {
                for i in 8..<Registers.count { r[i] = registerValue() }
            }
            return r
        }
        let generic = mode & 4 != 0     // shaped registers may still get a generic value
        switch function & ~0x4000_0000 {
        case 0x8400_006F, 0x8400_0070, 0x8400_008D, 0x8400_008E:   // direct messages
            let choice = byte()
            if choice & 3 == 0 {
                r.x1 = pick(FuzzInput.endpoints)
            } else if case .partition(let id) = world {
                r.x1 = UInt64(id) << 16
            } else {
                r.x1 = choice & 4 == 0 ? UInt64(Endpoint.mmPartition) : 0x8002
            }
            if function == FFAFunction.FFA_MSG_SEND_DIRECT_REQ2 {
                let uuid = FuzzInput.uuids[Int(byte()) % FuzzInput.uuids.count]
                r.x2 = uuid.0
                r.x3 = uuid.1
            } else if generic {
                r.x2 = registerValue()
            }
            for i in 3...7 where !(function == FFAFunction.FFA_MSG_SEND_DIRECT_REQ2 && i == 3) {
                r[i] = registerValue()
            }
        case 0x8400_0066:                                           // FFA_RXTX_MAP
            r.x1 = pick(FuzzInput.addresses)
            r.x2 = pick(FuzzInput.addresses)
            r.x3 = generic ? registerValue() : UInt64(byte() % 5)
        case 0x8400_0068:                                           // FFA_PARTITION_INFO_GET
            let uuid = FuzzInput.uuids[Int(byte()) % FuzzInput.uuids.count]
            r.x1 = uuid.0 & 0xFFFF_FFFF
            r.x2 = uuid.0 >> 32
            r.x3 = uuid.1 & 0xFFFF_FFFF
            r.x4 = uuid.1 >> 32
            r.x5 = generic ? registerValue() : UInt64(byte() % 3)
        case 0x8400_008B:                                           // FFA_PARTITION_INFO_GET_REGS
            let uuid = FuzzInput.uuids[Int(byte()) % FuzzInput.uuids.count]
            r.x1 = uuid.0
            r.x2 = uuid.1
            r.x3 = generic ? registerValue() : UInt64(byte() % 8)
        case 0x8400_0063:                                           // FFA_VERSION
            r.x1 = generic ? registerValue() : pick(FuzzInput.versions)
        case 0x8400_0064:                                           // FFA_FEATURES
            r.x1 = generic ? UInt64(byte() % 6) : UInt64(FuzzInput.functions[Int(byte()) % FuzzInput.functions.count])
            r.x2 = generic ? registerValue() : 0
        case 0x8400_008A:                                           // FFA_CONSOLE_LOG
            r.x1 = UInt64(byte() % 140)
            for i in 2...7 { r[i] = little(8) }
        default:
            for i in 1...7 { r[i] = registerValue() }
        }
        if mode & 8 != 0 {
            for i in 8..<Registers.count { r[i] = registerValue() }
        }
        return r
    }

    mutating func pick(_ table: [UInt64]) -> UInt64 {
        table[Int(byte()) % table.count]
    }

    /// w1 endpoint words: NW to each partition, each partition back to the NW, and strays.
    static let endpoints: [UInt64] = [
        0x0000_8001, 0x0000_8002, 0x8001_0000, 0x8002_0000, 0x0001_8001, 0x8001_8002,
        0x0000_8003, 0x0000_8000, 0x0000_0000, 0xFFFF_FFFF_0000_8001,
    ]

    /// RX/TX candidates: good pages, the MM buffer, secure memory, unaligned, the end of RAM.
    static let addresses: [UInt64] = [
        0x4200_0000, 0x4210_0000, 0x4220_0000, 0x4300_0000, 0x5000_0000, 0x6000_0000,
        0x4200_1000, 0x7FFF_F000, 0x4010_0000, 0x400F_F000, 0x0E00_0000, 0x0900_0000,
        0x4200_0800, 0, 0xFFFF_FFFF_FFFF_F000,
    ]

    /// (low, high) UUID words: nil, the MM partition, the second partition, an unknown one.
    static let uuids: [(UInt64, UInt64)] = [
        (0, 0), (0x0942_e699_33d5_32ed, 0xa798_d9cd_722d_c09c),
        (0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210), (1, 2),
    ]

    static let versions: [UInt64] = [0x1_0000, 0x1_0001, 0x1_0002, 0x1_0003, 0x2_0000, 0x8001_0000, 0]

    static let normalWorldFunctions: [UInt32] = [
        FFAFunction.FFA_VERSION, FFAFunction.FFA_FEATURES, FFAFunction.FFA_RXTX_MAP_64,
        FFAFunction.FFA_RXTX_MAP_32, FFAFunction.FFA_RXTX_UNMAP, FFAFunction.FFA_RX_RELEASE,
        FFAFunction.FFA_RX_RELEASE, FFAFunction.FFA_PARTITION_INFO_GET, FFAFunction.FFA_PARTITION_INFO_GET,
        FFAFunction.FFA_PARTITION_INFO_GET_REGS, FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32,
        FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64, FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64,
        FFAFunction.FFA_MSG_SEND_DIRECT_REQ2, FFAFunction.FFA_ID_GET,
    ]

    static let partitionFunctions: [UInt32] = [
        FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32, FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64,
        FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64, FFAFunction.FFA_MSG_SEND_DIRECT_RESP2,
        FFAFunction.FFA_MSG_WAIT, FFAFunction.FFA_ERROR, FFAFunction.FFA_CONSOLE_LOG_32,
        FFAFunction.FFA_CONSOLE_LOG_64, FFAFunction.FFA_ID_GET, FFAFunction.FFA_VERSION,
    ]

    /// Every function ID of interest, the ones that move state repeated.
    static let functions: [UInt32] = {
        var table: [UInt32] = [
            FFAFunction.FFA_SUCCESS_32, FFAFunction.FFA_SUCCESS_64, FFAFunction.FFA_INTERRUPT,
            FFAFunction.FFA_ID_GET, FFAFunction.FFA_SPM_ID_GET, FFAFunction.FFA_YIELD,
            FFAFunction.FFA_RUN, FFAFunction.FFA_RXTX_MAP_32,
            0xC400_0073, 0x8400_0077, 0x8400_0086, 0x8400_007D, 0xC400_0060,   // MEM_SHARE, RECLAIM, ...
            0x8401_0063, 0xC401_006F, 0x8402_0063, 0x0400_0063, 0xC400_0063,   // hint, reserved, yielding
            SMCCC.SMCCC_VERSION, SMCCC.SMCCC_ARCH_FEATURES, 0x8000_8000,
            SMCCC.PSCI_VERSION, SMCCC.PSCI_FEATURES, SMCCC.PSCI_CPU_ON_64,
            SMCCC.PSCI_SYSTEM_OFF, SMCCC.PSCI_SYSTEM_RESET, 0x8400_0040, 0xC200_0001,
        ]
        let hot: [UInt32] = [
            FFAFunction.FFA_VERSION, FFAFunction.FFA_FEATURES, FFAFunction.FFA_RXTX_MAP_64,
            FFAFunction.FFA_RXTX_UNMAP, FFAFunction.FFA_RX_RELEASE, FFAFunction.FFA_PARTITION_INFO_GET,
            FFAFunction.FFA_PARTITION_INFO_GET_REGS, FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32,
            FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64, FFAFunction.FFA_MSG_SEND_DIRECT_REQ2,
            FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32, FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64,
            FFAFunction.FFA_MSG_SEND_DIRECT_RESP2, FFAFunction.FFA_MSG_WAIT, FFAFunction.FFA_ERROR,
            FFAFunction.FFA_CONSOLE_LOG_32, FFAFunction.FFA_CONSOLE_LOG_64,
        ]
        for _ in 0..<3 { table.append(contentsOf: hot) }
        return table
    }()

    static let values: [UInt64] = [
        0, 1, 2, 3, 0x3F, 0x40, 0x1000, 0x4000_0000, 0x4000_1000, 0x4000_2000, 0x400F_F000,
        0x4010_0000, 0x4010_F000, 0x4011_0000, 0x7FFF_F000, 0x7FFF_E000, 0x8000_0000,
        0x0E00_0000, 0x0E0F_F000, 0x03F0_0000, 0x8000, 0x8001, 0x8002, 0x8003, 0xFFFF,
        0x8001_0000, 0x8002_0000, 0x0001_8001, 0x1_0000, 0x1_0001, 0x1_0002, 0x1_0003, 0x2_0000,
        0x8001_0000_0000, 0x8000_0000, 0xFFFF_FFFF, UInt64.max, 0xFFFF_FFFF_FFFF_F000,
        0x33d5_32ed, 0x0942_e699, 0x722d_c09c, 0xa798_d9cd,
        0x0942_e699_33d5_32ed, 0xa798_d9cd_722d_c09c, 0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210,
        UInt64(FFAFunction.FFA_RXTX_MAP_64), UInt64(FFAFunction.FFA_PARTITION_INFO_GET_REGS),
        UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_REQ2), UInt64(FFAFunction.FFA_MSG_WAIT),
        UInt64(SMCCC.SMCCC_VERSION), 0x6F6C_6C65_48, 0x0A,
    ]
}
