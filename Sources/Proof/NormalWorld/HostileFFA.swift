import Board
import ABI

/// The FF-A cases: random function IDs and registers, version and feature queries, RX/TX
/// abuse, partition discovery abuse, and direct requests that must be refused.
extension HostileRun {
    static let page = HostileModel.pageSize

    /// Any function ID (mostly near the FF-A, PSCI and architecture ranges), random registers,
    /// garbage in the upper half of x0.
    mutating func randomCall() {
        for _ in 0..<4 {
            var id: UInt32
            switch rng.below(10) {
            case 0, 1, 2: id = UInt32(truncatingIfNeeded: rng.next())
            case 3, 4, 5: id = 0x8400_0060 + UInt32(rng.below(0xA0))
            case 6: id = 0x8400_0000 + UInt32(rng.below(0x20))
            case 7: id = 0x8000_0000 + UInt32(rng.below(4))
            default: id = 0x8000_0000 | UInt32(rng.below(64)) << 24 | UInt32(rng.below(0x1_0000))
            }
            if rng.chance(percent: 30) { id |= 0x4000_0000 }
            if rng.chance(percent: 10) { id |= 0x1_0000 }
            if rng.chance(percent: 5) { id |= UInt32(rng.below(0x7F) + 1) << 17 }
            var r = Registers(UInt64(id) | (rng.chance(percent: 20) ? rng.next() << 32 : 0))
            for i in 1..<Registers.count { r[i] = rng.chance(percent: 40) ? rng.edgy() : rng.next() }
            if issue("random function ID", r) { return }
        }
    }

    mutating func versionCall() {
        let words: [UInt64] = [0x1_0000, 0x1_0001, 0x1_0002, 0x1_0003, 0x1_FFFF, 0x2_0000, 0, 0x8001_0002,
                               0xFFFF_FFFF, 0x7FFF_0000, 0xDEAD_0001_0002, rng.next()]
        let id = FFAFunction.FFA_VERSION | (rng.chance(percent: 20) ? 0x1_0000 : 0)
        issue("FFA_VERSION", Registers(UInt64(id), words[rng.index(words.count)]))
    }

    mutating func featuresCall() {
        let ids: [UInt32] = [FFAFunction.FFA_RXTX_MAP_64, FFAFunction.FFA_RXTX_MAP_32, FFAFunction.FFA_ERROR,
                             FFAFunction.FFA_PARTITION_INFO_GET_REGS, FFAFunction.FFA_MSG_SEND_DIRECT_REQ2,
                             FFAFunction.FFA_MSG_WAIT, FFAFunction.FFA_RUN, FFAFunction.FFA_CONSOLE_LOG_64,
                             FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64, 0xC400_0073, 0x8400_007D, 1, 2, 3, 0,
                             0x8400_0060 + UInt32(rng.below(0xA0)), 0xC400_0060 + UInt32(rng.below(0xA0)),
                             UInt32(truncatingIfNeeded: rng.next())]
        let input: UInt64 = rng.chance(percent: 80) ? 0 : rng.edgy()
        issue("FFA_FEATURES", Registers(UInt64(FFAFunction.FFA_FEATURES), UInt64(ids[rng.index(ids.count)]), input))
    }

    /// A random legal pair inside the image's own RX/TX regions (never the driver's pages only).
    mutating func scratchPair() -> HostileMailbox {
        let a = model.scratch[0].base, b = model.scratch[1].base
        let pages = UInt32(1 + rng.below(16))
        let slots = (model.scratch[0].size / HostileRun.page) - UInt64(pages) + 1
        let tx = a + rng.below(slots) * HostileRun.page, rx = b + rng.below(slots) * HostileRun.page
        return rng.chance(percent: 50) ? HostileMailbox(tx: tx, rx: rx, pages: pages)
                                       : HostileMailbox(tx: rx, rx: tx, pages: pages)
    }

    /// FFA_RXTX_MAP with the pair already mapped: DENIED once the arguments pass their checks.
    mutating func doubleMap() {
        let m = rng.chance(percent: 50) ? home : scratchPair()
        issue("FFA_RXTX_MAP while mapped", HostileRun.map(m, is64: rng.chance(percent: 60)))
    }

    /// A mapping that must be refused, by one of the FFA_RXTX_MAP rules.
    mutating func badMap() -> Registers {
        let good = scratchPair()
        var tx = good.tx, rx = good.rx
        var pages = UInt64(good.pages)
        var is64 = rng.chance(percent: 60)
        switch rng.below(13) {
        case 0: rx = UInt64(BOARD_SECURE_SRAM_BASE) + rng.below(4096) * HostileRun.page   // secure SRAM
        case 1: tx = UInt64(BOARD_SECURE_SRAM_BASE) + rng.below(4096) * HostileRun.page
        case 2: rx = (1 + rng.below(16383)) * HostileRun.page                  // secure flash
        case 3: rx = UInt64(BOARD_MM_BUFFER_BASE) + rng.below(16) * HostileRun.page     // the MM buffer
        case 4: rx = UInt64(BOARD_MM_BUFFER_BASE) - HostileRun.page; pages = 2 + rng.below(8)   // runs into it
        case 5:                                                                // overlapping
            pages = 2 + rng.below(15); rx = tx + rng.below(pages) * HostileRun.page
        case 6: if rng.chance(percent: 50) { rx += 1 + rng.below(4095) } else { tx += 1 + rng.below(4095) }
        case 7: rx = UInt64(BOARD_RAM_BASE) + UInt64(BOARD_RAM_DEFAULT_SIZE) - rng.below(4) * HostileRun.page; pages = 5 + rng.below(8)  // past RAM
        case 8: rx = UInt64(BOARD_RAM_BASE) - HostileRun.page; pages = 2      // before RAM
        case 9: rx = UInt64(BOARD_UART0); is64 = true                          // a device
        case 10: rx = 0xFFFF_FFFF_FFFF_F000; pages = 2 + rng.below(4); is64 = true  // wraps
        case 11: if rng.chance(percent: 50) { tx = 0 } else { rx = 0 }
        default: pages = rng.chance(percent: 50) ? 0 : pages | (1 + rng.below(0x3FF_FFFF)) << 6
        }
        var r = Registers(UInt64(is64 ? FFAFunction.FFA_RXTX_MAP_64 : FFAFunction.FFA_RXTX_MAP_32), tx, rx, pages)
        if !is64 && rng.chance(percent: 20) { r.x1 |= 0xFFFF_FFFF << 32 }      // SMC32: ignored halves
        return r
    }

    /// Unmap the driver's pair, abuse the empty state, map a scratch pair, abuse RX ownership,
    /// then put the driver's pair back.
    mutating func mailboxCycle() {
        let unmap = Registers(UInt64(FFAFunction.FFA_RXTX_UNMAP))
        let release = Registers(UInt64(FFAFunction.FFA_RX_RELEASE))
        let u = UUID.mmVariable.words
        let query = Registers(UInt64(FFAFunction.FFA_PARTITION_INFO_GET), UInt64(u.0), UInt64(u.1), UInt64(u.2), UInt64(u.3))
        issue("FFA_RXTX_UNMAP", unmap)
        issue("FFA_RXTX_UNMAP of nothing", unmap)
        issue("FFA_RX_RELEASE with nothing mapped", release)
        infoGet("FFA_PARTITION_INFO_GET with no RX buffer", query)
        var countOnly = query; countOnly.x5 = 1
        infoGet("FFA_PARTITION_INFO_GET count only, no RX buffer", countOnly)
        for _ in 0..<(1 + rng.below(6)) { issue("FFA_RXTX_MAP that must be refused", badMap()) }
        let m = scratchPair()
        var r = HostileRun.map(m, is64: rng.chance(percent: 50))
        if r.w(0) == FFAFunction.FFA_RXTX_MAP_32 && rng.chance(percent: 30) { r.x2 |= rng.next() << 32 }
        issue("FFA_RXTX_MAP of a scratch pair", r)
        issue("FFA_RXTX_MAP twice", HostileRun.map(m, is64: true))
        infoGet("FFA_PARTITION_INFO_GET", rng.chance(percent: 30) ? Registers(UInt64(FFAFunction.FFA_PARTITION_INFO_GET)) : query)
        infoGet("FFA_PARTITION_INFO_GET with the RX buffer still owned", query)
        issue("FFA_RX_RELEASE with a VM ID", Registers(UInt64(FFAFunction.FFA_RX_RELEASE), 1 + rng.below(0xFFFF)))
        if rng.chance(percent: 30) {
            issue("FFA_RXTX_UNMAP while RX is owned", unmap)
            issue("FFA_RX_RELEASE after unmap", release)
        } else {
            issue("FFA_RX_RELEASE", release)
            issue("FFA_RX_RELEASE twice", release)
            issue("FFA_RXTX_UNMAP with an endpoint ID", Registers(UInt64(FFAFunction.FFA_RXTX_UNMAP), (1 + rng.below(0xFFFF)) << 16))
        }
        restoreHome()
    }

    /// FFA_PARTITION_INFO_GET with the driver's pair: good, nil, unknown UUIDs; MBZ flags.
    mutating func infoGetCall() {
        let u = UUID.mmVariable.words
        var r = Registers(UInt64(FFAFunction.FFA_PARTITION_INFO_GET), UInt64(u.0), UInt64(u.1), UInt64(u.2), UInt64(u.3))
        switch rng.below(6) {
        case 0: r.x1 = 0; r.x2 = 0; r.x3 = 0; r.x4 = 0
        case 1: r[1 + rng.index(4)] ^= 1 << rng.below(32)                          // one bit off
        case 2: r.x5 = rng.chance(percent: 50) ? 2 << rng.below(30) : rng.next() | 2   // MBZ flags
        case 3: r.x5 = 1
        case 4: r.x5 = rng.next() << 32                                               // ignored half
        default: break
        }
        infoGet("FFA_PARTITION_INFO_GET", r)
        if state.rxOwned && rng.chance(percent: 50) { infoGet("FFA_PARTITION_INFO_GET with RX owned", r) }
    }

    mutating func infoGetRegsCall() {
        var r = Registers(UInt64(FFAFunction.FFA_PARTITION_INFO_GET_REGS | (rng.chance(percent: 10) ? 0x1_0000 : 0)),
                          UUID.mmVariable.bytes.0, UUID.mmVariable.bytes.1, 0)
        switch rng.below(6) {
        case 0: r.x1 = 0; r.x2 = 0
        case 1: r.x1 ^= 1 << rng.below(64)
        case 2: r.x3 = 1 + rng.below(0xFFFF)                      // past the last index
        case 3: r.x3 = (1 + rng.below(0xFFFF)) << 16              // a tag never handed out
        case 4: r.x3 = rng.next() | 1 << 40                       // bits 63:32 MBZ
        default: break
        }
        issue("FFA_PARTITION_INFO_GET_REGS", r)
    }

    /// Direct requests the SPMC must refuse (spoofed sender, nobody there, MBZ flags, a wrong
    /// service UUID) or route to a partition that refuses them in the MM way.
    mutating func directRequestCall() {
        let kinds = [FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32, FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64,
                     FFAFunction.FFA_MSG_SEND_DIRECT_REQ2]
        let function = kinds[rng.index(kinds.count)]
        var r = Registers(UInt64(function), UInt64(HostileModel.partition))
        for i in 3..<Registers.count { r[i] = rng.next() }
        r.x3 = 0x1_0000 + rng.below(UInt64(UInt32.max))
        if function == FFAFunction.FFA_MSG_SEND_DIRECT_REQ2 { r.x2 = 0; r.x3 = 0 }
        switch rng.below(7) {
        case 0: r.x1 = (1 + rng.below(0xFFFF)) << 16 | UInt64(HostileModel.partition)   // spoofed sender
        case 1:                                                                          // nobody there
            let nobody: [UInt64] = [0, 0x8000, 0x8002 + rng.below(0x7FFD), 1 + rng.below(0x7FFF), 0xFFFF]
            r.x1 = nobody[rng.index(nobody.count)]
        case 2:                                                                          // MBZ flags
            r.x2 = rng.chance(percent: 30) ? 0x8000_0000 : 1 + rng.below(UInt64(UInt32.max))
        case 3:
            if function == FFAFunction.FFA_MSG_SEND_DIRECT_REQ2 {                      // wrong service
                r.x2 = rng.next(); r.x3 = rng.next()
            } else {
                r.x2 = rng.next() << 32                  // MBZ for SMC64, an ignored half for SMC32
            }
        case 4: r.x1 |= rng.next() << 32                  // SMC convention: upper half of w1 ignored
        default: break
        }
        issue("direct request", r)
    }

    /// The calls only a partition may make, and responses nobody asked for.
    mutating func partitionOnlyCall() {
        let ids = [FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32, FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64,
                   FFAFunction.FFA_MSG_SEND_DIRECT_RESP2, FFAFunction.FFA_MSG_WAIT, FFAFunction.FFA_CONSOLE_LOG_32,
                   FFAFunction.FFA_CONSOLE_LOG_64, FFAFunction.FFA_RUN, FFAFunction.FFA_YIELD, FFAFunction.FFA_INTERRUPT,
                   FFAFunction.FFA_ERROR, FFAFunction.FFA_SUCCESS_32, FFAFunction.FFA_SUCCESS_64]
        var r = Registers(UInt64(ids[rng.index(ids.count)]), rng.chance(percent: 50) ? HostileModel.endpoints : rng.next())
        for i in 2..<Registers.count { r[i] = rng.chance(percent: 50) ? 0 : rng.next() }
        issue("partition-only call", r)
    }
}
