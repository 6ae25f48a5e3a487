import ABI
import Platform
import SecureMonitor
import SPMC

/// Physical memory as the EL3 identity map shows it (the SPMC only writes ranges it checked),
/// and the secure UART for FFA_CONSOLE_LOG.
struct EL3Memory: PhysicalMemory {
    mutating func write(_ bytes: [UInt8], at pa: UInt64) -> Bool {
        guard let p = UnsafeMutablePointer<UInt8>(bitPattern: UInt(pa)) else { return false }
        for i in bytes.indices { unsafe p[i] = bytes[i] }
        return true
    }

    mutating func write64(_ value: UInt64, at pa: UInt64) -> Bool {
        guard pa & 7 == 0, let p = UnsafeMutablePointer<UInt64>(bitPattern: UInt(pa)) else { return false }
        unsafe p.pointee = value
        return true
    }

    mutating func console(_ byte: UInt8) { SecureConsole.put(byte) }
}

/// The saved registers of the two worlds: x0...x17 at the start of each context.
struct EL3Contexts: RegisterBlocks {
    @inline(__always)
    func registers(of world: World) -> UnsafeMutablePointer<Registers> {
        if case .normal = world { return unsafe normalContext.registerBlock }
        return unsafe partitionContext.registerBlock
    }
}

/// The monitor's run loop (pure logic from SecureMonitor). Optional so that it is statically
/// initialised: no lazy-initialisation check on the trap path.
enum Dispatch {
    nonisolated(unsafe) static var runLoop: RunLoop? = nil
    nonisolated(unsafe) static var memory = EL3Memory()

    static func setUp(nonSecureMemory: [MemoryRange]) {
        let config = SPMCConfig.qemuVirt(nonSecureMemory: nonSecureMemory)
        // One partition context (`EL3Contexts`): every secure endpoint's registers are its.
        precondition(config.partitions.count == 1, "the monitor has one partition context")
        runLoop = RunLoop(config: config)
    }

    static var spmc: SPMC { runLoop!.spmc }

    /// The run loop in place, without the optional's check: `setUp` ran before any trap (the
    /// payload of an optional sits at its start).
    @inline(__always)
    static var loop: UnsafeMutablePointer<RunLoop> {
        unsafe UnsafeMutableRawPointer(UnsafeMutablePointer<RunLoop?>(&runLoop)).assumingMemoryBound(to: RunLoop.self)
    }

    /// The hot calls (`RunLoop.forward`): nil when the call needs `dispatch`.
    @inline(__always)
    static func forward(from world: World) -> MonitorAction? {
        unsafe loop.pointee.forward(from: world, blocks: EL3Contexts())
    }

    @inline(__always)
    static func dispatch(from world: World) -> MonitorAction {
        runLoop!.dispatch(from: world, blocks: EL3Contexts(), memory: &memory)
    }
}
