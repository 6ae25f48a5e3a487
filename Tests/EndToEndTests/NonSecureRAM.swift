import ABI
import Driver
import SPMC

/// The QEMU `virt` addresses the end-to-end tests use (docs/design.md "Memory map").
enum Board {
    /// The modelled window of non-secure DRAM: the start of RAM, 4 MiB.
    static let ramBase: UInt64 = 0x4000_0000
    static let ramSize = 4 << 20
    /// The MM shared buffer, as both worlds know it.
    static let mmBuffer: UInt64 = 0x4010_0000
    static let mmBufferSize = 0x1_0000
    /// One 4 KiB page each for TX and RX, outside the MM buffer.
    static let txBuffer: UInt64 = 0x4020_0000
    static let rxBuffer: UInt64 = 0x4020_1000
    static let rxtxSize = 4096

    /// The SPMC's view of this board: its non-secure RAM is exactly the modelled window.
    static var spmcConfig: SPMCConfig {
        .qemuVirt(nonSecureMemory: [MemoryRange(base: ramBase, size: UInt64(ramSize))])
    }
}

/// Non-secure DRAM as a host byte array, shared by reference by everything that touches it: the
/// SPMC (RX descriptors), the MM partition (the shared buffer) and the normal world.
final class NonSecureRAM {
    let base: UInt64
    private(set) var bytes: [UInt8]
    /// Every write, in order (who wrote is implied by the address range).
    private(set) var writes: [(pa: UInt64, count: Int)] = []

    init(base: UInt64 = Board.ramBase, size: Int = Board.ramSize, fill: UInt8 = 0) {
        self.base = base
        bytes = [UInt8](repeating: fill, count: size)
    }

    /// Offset of [pa, pa + count) in `bytes`, nil when any of it is outside the window.
    private func offset(_ pa: UInt64, _ count: Int) -> Int? {
        guard count >= 0, pa >= base, pa - base <= UInt64(bytes.count),
              UInt64(count) <= UInt64(bytes.count) - (pa - base) else { return nil }
        return Int(pa - base)
    }

    func read(_ pa: UInt64, count: Int) -> [UInt8]? {
        guard let o = offset(pa, count) else { return nil }
        return Array(bytes[o..<(o + count)])
    }

    @discardableResult
    func write(_ new: [UInt8], at pa: UInt64) -> Bool {
        guard let o = offset(pa, new.count) else { return false }
        bytes.replaceSubrange(o..<(o + new.count), with: new)
        writes.append((pa, new.count))
        return true
    }

    func fill(_ value: UInt8, at pa: UInt64, count: Int) {
        write([UInt8](repeating: value, count: count), at: pa)
    }
}

/// The monitor's `PhysicalMemory`: the SPMC writes RX descriptors through it.
struct MonitorMemory: PhysicalMemory {
    let ram: NonSecureRAM
    /// Every write the SPMC made.
    var log: [(pa: UInt64, count: Int)] = []

    mutating func write(_ bytes: [UInt8], at pa: UInt64) -> Bool {
        log.append((pa, bytes.count))
        return ram.write(bytes, at: pa)
    }
}

/// The normal world's RX/TX pair in the modelled RAM.
struct RAMBuffers: RXTXBuffers {
    let ram: NonSecureRAM
    var txAddress: UInt64 = Board.txBuffer
    var rxAddress: UInt64 = Board.rxBuffer
    var capacity: Int = Board.rxtxSize

    func readRX(offset: Int, count: Int) -> [UInt8] {
        guard offset >= 0 else { return [] }
        return ram.read(rxAddress + UInt64(offset), count: count) ?? []
    }
}

/// What the normal world did to the shared buffer and its cache lines, in order, with the
/// doorbells between them (filled by `SharedBufferView`, `RecordingCache` and the conduit).
final class DoorbellLog {
    enum Event: Equatable {
        case write(offset: Int, count: Int)
        case clean(offset: Int, length: Int)
        case doorbell(x3: UInt64)
        case invalidate(offset: Int, length: Int)
        case read(offset: Int, count: Int)
    }
    var events: [Event] = []
}

/// The normal world's mapping of the MM shared buffer (offsets from 0x4010_0000).
struct SharedBufferView: SharedMemory {
    let ram: NonSecureRAM
    let log: DoorbellLog
    var size: Int { Board.mmBufferSize }

    mutating func write(_ bytes: [UInt8], at offset: Int) {
        log.events.append(.write(offset: offset, count: bytes.count))
        ram.write(bytes, at: Board.mmBuffer + UInt64(offset))
    }

    func read(at offset: Int, count: Int) -> [UInt8] {
        log.events.append(.read(offset: offset, count: count))
        return ram.read(Board.mmBuffer + UInt64(offset), count: count) ?? []
    }
}

/// Cache maintenance by VA: the host has coherent memory, so it only records the ranges.
struct RecordingCache: CacheMaintenance {
    let log: DoorbellLog
    mutating func cleanToPoC(offset: Int, length: Int) { log.events.append(.clean(offset: offset, length: length)) }
    mutating func invalidate(offset: Int, length: Int) { log.events.append(.invalidate(offset: offset, length: length)) }
}
