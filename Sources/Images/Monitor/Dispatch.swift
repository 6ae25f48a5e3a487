import ABI
import Platform
import SPMC

/// Physical memory as the EL3 identity map shows it (the SPMC only writes ranges it checked).
struct EL3Memory: PhysicalMemory {
    mutating func write(_ bytes: [UInt8], at pa: UInt64) -> Bool {
        guard let p = UnsafeMutablePointer<UInt8>(bitPattern: UInt(pa)) else { return false }
        for i in bytes.indices { unsafe p[i] = bytes[i] }
        return true
    }
}

/// The monitor's single dispatcher instance (pure logic from the SPMC layer).
enum Dispatch {
    nonisolated(unsafe) static var dispatcher = Dispatcher(config: .qemuVirt(nonSecureMemory: []))
    nonisolated(unsafe) static var memory = EL3Memory()

    static func setUp(nonSecureMemory: [MemoryRange]) {
        dispatcher = Dispatcher(config: .qemuVirt(nonSecureMemory: nonSecureMemory))
    }

    static func handle(_ r: Registers, from world: World) -> Outcome {
        dispatcher.handle(r, from: world, memory: &memory)
    }
}
