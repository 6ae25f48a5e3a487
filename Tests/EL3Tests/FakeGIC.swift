@testable import EL3

/// A GIC register file that records every access and models what changes by itself:
/// GICD_CTLR.RWP (clears after `rwpReads` reads, or never), GICR_WAKER.ChildrenAsleep
/// (follows ProcessorSleep, or stays set).
final class FakeGIC: GICAccess {
    enum Access: Equatable { case read(UInt64), write(UInt64, UInt32) }
    var registers: [UInt64: UInt32] = [:]
    var log: [Access] = []
    var rwpStuck = false
    var childrenStayAsleep = false
    let distributor: UInt64

    init(distributor: UInt64 = 0x0800_0000) { self.distributor = distributor }

    func read32(_ address: UInt64) -> UInt32 {
        log.append(.read(address))
        return registers[address] ?? 0
    }

    func write32(_ address: UInt64, _ value: UInt32) {
        log.append(.write(address, value))
        var v = value
        if address == distributor { v = rwpStuck ? v | 1 << 31 : v & ~(1 << 31) }
        registers[address] = v
        if address & 0xFFFF == 0x14, address != distributor + 0x14 {     // a GICR_WAKER
            if v & 2 == 0 && !childrenStayAsleep { registers[address] = v & ~4 }
        }
    }

    var writes: [(UInt64, UInt32)] {
        log.compactMap { if case let .write(a, v) = $0 { return (a, v) } else { return nil } }
    }
    func writes(to address: UInt64) -> [UInt32] { writes.filter { $0.0 == address }.map(\.1) }

    /// Redistributor frames: one (TYPER low, TYPER high) pair per frame, laid out from `base`.
    func addRedistributors(base: UInt64, affinities: [UInt32], vlpis: Bool = false) {
        var frame = base
        for (i, aff) in affinities.enumerated() {
            registers[frame + 8] = (i == affinities.count - 1 ? 1 << 4 : 0) | (vlpis ? 1 << 1 : 0)
            registers[frame + 12] = aff
            registers[frame + 0x14] = 1 << 1 | 1 << 2   // asleep, as after reset
            frame += vlpis ? 0x4_0000 : 0x2_0000
        }
    }
}
