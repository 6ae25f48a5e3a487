import Board
import ABI
import MM

/// A physical range [base, base + size).
struct HostileRange {
    var base: UInt64
    var size: UInt64

    var end: UInt64? {
        let (e, overflow) = base.addingReportingOverflow(size)
        return overflow ? nil : e
    }

    func contains(_ base: UInt64, _ size: UInt64) -> Bool {
        let (e, overflow) = base.addingReportingOverflow(size)
        guard !overflow, size > 0, let myEnd = end else { return false }
        return base >= self.base && e <= myEnd
    }

    func overlaps(_ base: UInt64, _ size: UInt64) -> Bool {
        let e = base.addingReportingOverflow(size)
        let otherEnd = e.overflow ? UInt64.max : e.partialValue
        return size > 0 && self.size > 0 && base < (end ?? UInt64.max) && self.base < otherEnd
    }
}

/// The normal world's RX/TX pair as the SPMC holds it.
struct HostileMailbox: Equatable {
    var tx: UInt64
    var rx: UInt64
    var pages: UInt32
}

/// What the SPMC knows about the normal world that changes its answers.
struct HostileSPMCState: Equatable {
    var mailbox: HostileMailbox?
    var rxOwned = false
}

/// The answers the secure world owes the normal world, predicted from FF-A v1.2 and SMCCC v1.2
/// (and where the spec leaves a choice, TF-A's, which Sources/SPMC documents): our version is
/// 1.2 and locked, the only partition is 0x8001 with the MM UUID. A prediction of nil means
/// "do not issue": the call would succeed where it is unsafe, or its answer depends on what
/// the MM partition reads from the shared buffer (the MM cases predict those themselves).
struct HostileModel {
    /// Non-secure RAM from the DTB: RX/TX buffers must lie inside one range.
    let ram: [HostileRange]
    /// Where a successful FFA_RXTX_MAP may point: the image's own 64 KiB RX and TX regions.
    let scratch: [HostileRange]
    static let secure = [HostileRange(base: UInt64(BOARD_FLASH_BASE), size: UInt64(BOARD_FLASH_SIZE)),
                         HostileRange(base: UInt64(BOARD_SECURE_SRAM_BASE), size: UInt64(BOARD_SECURE_SRAM_SIZE))]
    static let mmBuffer = HostileRange(base: UInt64(BOARD_MM_BUFFER_BASE), size: UInt64(BOARD_MM_BUFFER_SIZE))
    static let pageSize: UInt64 = 4096
    static let partition: UInt16 = 0x8001
    static let partitionProperties: UInt64 = 0x301      // direct req recv, AArch64, req2 recv
    static let endpoints: UInt64 = 0x8001_0000          // partition << 16 | normal world (0)

    static func error(_ e: FFAError) -> Registers { .ffaError(e) }
    static let notSupported32 = Registers(UInt64(SMCCC.NOT_SUPPORTED))

    /// The registers the caller gets back when the answer to `request` is `message`: SMCCC
    /// v1.2 keeps every register the answer does not define, so the hostile world checks that
    /// its own random values survive. A call outside FF-A (SMCCC, PSCI, unknown) changes x0
    /// alone; an FF-A call gets x0...x7, or x0...x17 when the answer is FFA_SUCCESS_64 or a
    /// DIRECT_RESP2.
    static func answer(_ message: Registers, to request: Registers) -> Registers {
        let id = request.w(0)
        let number = id & 0xFFFF
        let isFFA = id & 0x8000_0000 != 0 && id & 0x00FE_0000 == 0 && (id >> 24) & 0x3F == 4
            && number >= 0x60 && number <= 0xFF
        var span = 1
        if isFFA {
            let answer = message.w(0)
            span = answer == FFAFunction.FFA_SUCCESS_64 || answer == FFAFunction.FFA_MSG_SEND_DIRECT_RESP2 ? 18 : 8
        }
        var out = request
        for i in 0..<span { out[i] = message[i] }
        return out
    }

    // MARK: Calls that change nothing

    /// SMCCC dispatch: fast calls only, bits 23:17 MBZ, then by owning entity.
    func predictStateless(_ r: Registers) -> Registers? {
        let id = r.w(0)
        let smc64 = id & 0x4000_0000 != 0
        let unknown = Registers(smc64 ? UInt64.max : UInt64(SMCCC.NOT_SUPPORTED))
        guard id & 0x8000_0000 != 0, id & 0x00FE_0000 == 0 else { return unknown }
        let function = id & ~0x1_0000                       // the SVE hint bit is ignored
        let number = function & 0xFFFF
        switch (id >> 24) & 0x3F {
        case 0:
            if function == SMCCC.SMCCC_VERSION { return Registers(UInt64(SMCCC.version1_2)) }
            if function == SMCCC.SMCCC_ARCH_FEATURES {
                let q = r.w(1)
                return q == SMCCC.SMCCC_VERSION || q == SMCCC.SMCCC_ARCH_FEATURES ? Registers(0) : HostileModel.notSupported32
            }
            return unknown
        case 4 where number <= 0x1F:
            switch function {
            case SMCCC.PSCI_VERSION: return Registers(UInt64(SMCCC.psciVersion1_1))
            case SMCCC.PSCI_FEATURES:
                switch r.w(1) {
                case SMCCC.PSCI_VERSION, SMCCC.PSCI_FEATURES, SMCCC.PSCI_SYSTEM_OFF, SMCCC.PSCI_SYSTEM_RESET,
                     SMCCC.SMCCC_VERSION:
                    return Registers(0)
                default:
                    return HostileModel.notSupported32
                }
            case SMCCC.PSCI_SYSTEM_OFF, SMCCC.PSCI_SYSTEM_RESET: return nil   // would end the test
            default: return HostileModel.notSupported32
            }
        case 4 where number >= 0x60 && number <= 0xFF:
            return predictFFAStateless(r, function: function)
        default:
            return unknown
        }
    }

    func predictFFAStateless(_ r: Registers, function: UInt32) -> Registers? {
        switch function {
        case FFAFunction.FFA_VERSION:
            // Locked at 1.2: any 1.x request gets 1.2; another major or bit 31 set is refused.
            let w = r.w(1)
            return w & 0x8000_0000 == 0 && w >> 16 == 1 ? Registers(0x1_0002) : HostileModel.notSupported32
        case FFAFunction.FFA_FEATURES:
            let id = r.w(1)
            guard id & 0x8000_0000 != 0, r.w(2) == 0, HostileModel.normalWorldMayCall(id) else {
                return HostileModel.error(.notSupported)
            }
            return .ffaSuccess()          // FFA_RXTX_MAP: w2 = 0, 4 KiB granule, no maximum
        case FFAFunction.FFA_ID_GET:
            return .ffaSuccess(0)
        case FFAFunction.FFA_SPM_ID_GET:
            return .ffaSuccess(0x8000)
        case FFAFunction.FFA_PARTITION_INFO_GET_REGS:
            return predictInfoRegs(r)
        case FFAFunction.FFA_ERROR, FFAFunction.FFA_SUCCESS_32, FFAFunction.FFA_SUCCESS_64:
            return HostileModel.error(.notSupported)
        case FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32, FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64,
             FFAFunction.FFA_MSG_SEND_DIRECT_RESP2:
            return HostileModel.error(.invalidParameters)   // the normal world cannot respond
        case FFAFunction.FFA_RXTX_MAP_32, FFAFunction.FFA_RXTX_MAP_64, FFAFunction.FFA_RXTX_UNMAP,
             FFAFunction.FFA_RX_RELEASE, FFAFunction.FFA_PARTITION_INFO_GET,
             FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32, FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64,
             FFAFunction.FFA_MSG_SEND_DIRECT_REQ2:
            return nil                    // stateful: `predict`
        default:
            return HostileModel.error(.notSupported)
        }
    }

    /// The ABIs the normal world may call (FFA_FEATURES answers success for exactly these).
    static func normalWorldMayCall(_ id: UInt32) -> Bool {
        switch id {
        case FFAFunction.FFA_ERROR, FFAFunction.FFA_SUCCESS_32, FFAFunction.FFA_SUCCESS_64,
             FFAFunction.FFA_VERSION, FFAFunction.FFA_FEATURES, FFAFunction.FFA_ID_GET,
             FFAFunction.FFA_SPM_ID_GET, FFAFunction.FFA_PARTITION_INFO_GET_REGS,
             FFAFunction.FFA_RXTX_MAP_32, FFAFunction.FFA_RXTX_MAP_64, FFAFunction.FFA_RXTX_UNMAP,
             FFAFunction.FFA_RX_RELEASE, FFAFunction.FFA_PARTITION_INFO_GET,
             FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32, FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64,
             FFAFunction.FFA_MSG_SEND_DIRECT_REQ2:
            return true
        default:
            return false
        }
    }

    /// FFA_PARTITION_INFO_GET_REGS: x3 bits 63:32 MBZ, a non-zero tag is stale (RETRY), the
    /// UUID must match, the start index must exist.
    func predictInfoRegs(_ r: Registers) -> Registers {
        guard r.x3 >> 32 == 0 else { return HostileModel.error(.invalidParameters) }
        guard (r.x3 >> 16) & 0xFFFF == 0 else { return HostileModel.error(.retry) }
        let query = UUID(lo: r.x1, hi: r.x2)
        guard query.isNil || query == .mmVariable, r.x3 & 0xFFFF == 0 else {
            return HostileModel.error(.invalidParameters)
        }
        var out = Registers(UInt64(FFAFunction.FFA_SUCCESS_64))
        out.x2 = 24 << 48                                   // last 0, current 0, tag 0, size 24
        out.x3 = UInt64(HostileModel.partition) | 1 << 16 | HostileModel.partitionProperties << 32
        if query.isNil { out.x4 = UUID.mmVariable.bytes.0; out.x5 = UUID.mmVariable.bytes.1 }
        return out
    }

    // MARK: Calls that depend on or change the RX/TX state

    /// The answer and the state after it; nil for a call not to issue.
    func predict(_ r: Registers, _ s: HostileSPMCState) -> (Registers, HostileSPMCState)? {
        let id = r.w(0)
        guard id & 0x8000_0000 != 0, id & 0x00FE_0000 == 0, (id >> 24) & 0x3F == 4 else {
            return predictStateless(r).map { ($0, s) }
        }
        let function = id & ~0x1_0000
        switch function {
        case FFAFunction.FFA_RXTX_MAP_32, FFAFunction.FFA_RXTX_MAP_64:
            return predictMap(r, is64: function == FFAFunction.FFA_RXTX_MAP_64, s)
        case FFAFunction.FFA_RXTX_UNMAP:
            guard r.w(1) == 0, s.mailbox != nil else { return (HostileModel.error(.invalidParameters), s) }
            return (.ffaSuccess(), HostileSPMCState())
        case FFAFunction.FFA_RX_RELEASE:
            guard r.w(1) == 0 else { return (HostileModel.error(.invalidParameters), s) }
            guard s.mailbox != nil, s.rxOwned else { return (HostileModel.error(.denied), s) }
            return (.ffaSuccess(), HostileSPMCState(mailbox: s.mailbox, rxOwned: false))
        case FFAFunction.FFA_PARTITION_INFO_GET:
            return predictInfoGet(r, s)
        case FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32, FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64,
             FFAFunction.FFA_MSG_SEND_DIRECT_REQ2:
            return predictDirectRequest(r, function: function).map { ($0, s) }
        default:
            return predictStateless(r).map { ($0, s) }
        }
    }

    /// FFA_RXTX_MAP, checks in TF-A's order: w3 bits 31:6 MBZ, a page count, non-zero distinct
    /// page-aligned addresses, nothing mapped yet (DENIED), then both ranges in non-secure RAM,
    /// clear of secure memory and of the MM buffer, and apart.
    func predictMap(_ r: Registers, is64: Bool, _ s: HostileSPMCState) -> (Registers, HostileSPMCState)? {
        let invalid = (HostileModel.error(.invalidParameters), s)
        let tx = is64 ? r.x1 : UInt64(r.w(1)), rx = is64 ? r.x2 : UInt64(r.w(2))
        let field = r.w(3)
        guard field & ~0x3F == 0, field != 0 else { return invalid }
        guard tx != 0, rx != 0, tx != rx, tx % HostileModel.pageSize == 0, rx % HostileModel.pageSize == 0 else {
            return invalid
        }
        guard s.mailbox == nil else { return (HostileModel.error(.denied), s) }
        let size = UInt64(field) * HostileModel.pageSize
        guard permits(tx, size), permits(rx, size), !HostileRange(base: tx, size: size).overlaps(rx, size) else {
            return invalid
        }
        // Success: only where it harms nothing.
        guard scratch.contains(where: { $0.contains(tx, size) }), scratch.contains(where: { $0.contains(rx, size) }) else {
            return nil
        }
        return (.ffaSuccess(), HostileSPMCState(mailbox: HostileMailbox(tx: tx, rx: rx, pages: field), rxOwned: false))
    }

    func permits(_ base: UInt64, _ size: UInt64) -> Bool {
        guard ram.contains(where: { $0.contains(base, size) }) else { return false }
        for s in HostileModel.secure where s.overlaps(base, size) { return false }
        return !HostileModel.mmBuffer.overlaps(base, size)
    }

    /// FFA_PARTITION_INFO_GET at v1.2: flags other than bit 0 MBZ, the UUID must match,
    /// count-only needs no buffer; otherwise RX must be mapped and ours (BUSY), one 24-byte
    /// descriptor, and RX becomes the caller's.
    func predictInfoGet(_ r: Registers, _ s: HostileSPMCState) -> (Registers, HostileSPMCState) {
        let query = UUID(w1: r.w(1), w2: r.w(2), w3: r.w(3), w4: r.w(4))
        guard r.w(5) & ~1 == 0, query.isNil || query == .mmVariable else {
            return (HostileModel.error(.invalidParameters), s)
        }
        if r.w(5) & 1 != 0 { return (.ffaSuccess(1), s) }
        guard let m = s.mailbox, !s.rxOwned else { return (HostileModel.error(.busy), s) }
        return (.ffaSuccess(1, 24), HostileSPMCState(mailbox: m, rxOwned: true))
    }

    /// The descriptor FFA_PARTITION_INFO_GET writes: the UUID only for a nil-UUID query.
    static func descriptor(nilQuery: Bool) -> [UInt8] {
        var d: [UInt8] = [0x01, 0x80, 0x01, 0x00, 0x01, 0x03, 0x00, 0x00]
        let octets: [UInt8] = [0xed, 0x32, 0xd5, 0x33, 0x99, 0xe6, 0x42, 0x09,
                               0x9c, 0xc0, 0x2d, 0x72, 0xcd, 0xd9, 0x98, 0xa7]
        d += nilQuery ? octets : [UInt8](repeating: 0, count: 16)
        return d
    }

    /// Direct requests: flags MBZ (w2 for SMC32, x2 for SMC64), sender = our ID 0, receiver =
    /// an existing partition, REQ2's service UUID nil or the partition's. Delivered, the MM
    /// partition answers REQ_32 with MM NOT_SUPPORTED, REQ2 with an empty RESP2, and REQ_64
    /// with INVALID_PARAMETER when x3 is neither an offset nor an address in the buffer.
    func predictDirectRequest(_ r: Registers, function: UInt32) -> Registers? {
        let invalid = HostileModel.error(.invalidParameters)
        switch function {
        case FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32: if r.w(2) != 0 { return invalid }
        case FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64: if r.x2 != 0 { return invalid }
        default: break
        }
        let w1 = r.w(1)
        guard w1 >> 16 == 0, UInt16(truncatingIfNeeded: w1) == HostileModel.partition else { return invalid }
        switch function {
        case FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32:
            return Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32), HostileModel.endpoints, 0, 0xFFFF_FFFF)
        case FFAFunction.FFA_MSG_SEND_DIRECT_REQ2:
            let service = UUID(lo: r.x2, hi: r.x3)
            guard service.isNil || service == .mmVariable else { return invalid }
            return Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_RESP2), HostileModel.endpoints)
        default:
            let base = HostileModel.mmBuffer.base, size = HostileModel.mmBuffer.size
            guard r.x3 >= size, !(r.x3 >= base && r.x3 - base < size) else { return nil }
            return HostileModel.mmAnswer(.invalidParameter)
        }
    }

    /// FFA_MSG_SEND_DIRECT_RESP_64 from the partition with MM return code `code` in w3.
    static func mmAnswer(_ code: MMReturnCode) -> Registers {
        Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64), endpoints, 0, code.register)
    }
}
