import ABI
@testable import SPMC
import SecureMonitor
import TestSupport

/// A fake normal-world memory that records what the SPMC writes.
struct FakeMemory: PhysicalMemory {
    var cells: [UInt64: UInt8] = [:]
    var writeCount = 0
    var fail = false

    mutating func write(_ bytes: [UInt8], at pa: UInt64) -> Bool {
        if fail { return false }
        writeCount += 1
        for (i, b) in bytes.enumerated() { cells[pa + UInt64(i)] = b }
        return true
    }

    func read(_ pa: UInt64, count: Int) -> [UInt8] {
        (0..<count).map { cells[pa + UInt64($0)] ?? 0 }
    }
}

let nsRAM = MemoryRange(base: 0x4000_0000, size: 1 << 30)
let txPage: UInt64 = 0x4200_0000
let rxPage: UInt64 = 0x4200_1000
let mm = Endpoint.mmPartition

func regs(_ fid: UInt32, _ args: [UInt64] = []) -> Registers {
    var r = Registers(UInt64(fid))
    for (i, a) in args.enumerated() { r[i + 1] = a }
    return r
}

func isError(_ r: Registers, _ e: FFAError) -> Bool {
    r.x0 == UInt64(FFAFunction.FFA_ERROR) && r.x2 == e.code && r.x1 == 0
}

func isSuccess(_ r: Registers) -> Bool { r.x0 == UInt64(FFAFunction.FFA_SUCCESS_32) }

/// One monitor and its fake memory, with shortcuts for calls from either world.
struct Harness {
    var monitor: MonitorModel
    var memory = FakeMemory()

    init(config: SPMCConfig = .qemuVirt(nonSecureMemory: [nsRAM]), initialise: Bool = true) {
        monitor = MonitorModel(config: config)
        if initialise {
            for p in config.partitions {
                _ = call(regs(FFAFunction.FFA_MSG_WAIT), from: .partition(p.id))
            }
        }
    }

    var spmc: SPMC { monitor.spmc }

    mutating func call(_ r: Registers, from world: World = .normal) -> MonitorStep {
        monitor.handle(r, from: world, memory: &memory)
    }

    /// A call whose answer goes back to the same world; returns the answer's registers.
    mutating func ask(_ fid: UInt32, _ args: [UInt64] = [], from world: World = .normal) -> Registers {
        let outcome = call(regs(fid, args), from: world)
        guard case .resume(let next, let r) = outcome.action, next == world else {
            return Registers(0xDEAD)
        }
        return r
    }

    /// FFA_RXTX_MAP_64 of one page each at txPage/rxPage.
    mutating func mapBuffers(pages: UInt64 = 1) -> Registers {
        ask(FFAFunction.FFA_RXTX_MAP_64, [txPage, rxPage, pages])
    }

    mutating func negotiate(_ version: FFAVersion) {
        _ = ask(FFAFunction.FFA_VERSION, [UInt64(version.word)])
    }
}
