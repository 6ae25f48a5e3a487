import ABI

/// U-Boot's FF-A bus device: FFA_SMC_32/64 IDs, v1.0, one RX/TX page, a partition cache.
struct UBootFFABus {
    /// `arm_smccc_1_2_smc`: x0..x17 in, x0..x17 out.
    let smc: (Registers) -> Registers
    let ram: NonSecureRAM
    var id: UInt16 = 0
    var fwkVersion: UInt64 = 0
    var rxtxMinPages = 0
    let txbuf = Board.txBuffer
    let rxbuf = Board.rxBuffer
    /// Cached v1.0 descriptors; the UUID is filled in when a query by UUID names the partition.
    var partitions: [(id: UInt16, execCount: UInt16, properties: UInt32, uuid: (UInt32, UInt32, UInt32, UInt32)?)] = []
    /// Every call and its answer, in order.
    private(set) var trace: [(call: Registers, answer: Registers)] = []

    static let FFA_VERSION_1_0: UInt64 = 0x1_0000
    static func smc32(_ fnum: UInt64) -> UInt64 { 0x8400_0000 | fnum }
    static func smc64(_ fnum: UInt64) -> UInt64 { 0xC400_0000 | fnum }
    static let FFA_SUCCESS: UInt64 = 0x61, FFA_INTERRUPT: UInt64 = 0x62, FFA_VERSION: UInt64 = 0x63
    static let FFA_FEATURES: UInt64 = 0x64, FFA_RX_RELEASE: UInt64 = 0x65, FFA_RXTX_MAP: UInt64 = 0x66
    static let FFA_RXTX_UNMAP: UInt64 = 0x67, FFA_PARTITION_INFO_GET: UInt64 = 0x68, FFA_ID_GET: UInt64 = 0x69
    static let FFA_RUN: UInt64 = 0x6D, FFA_MSG_SEND_DIRECT_REQ: UInt64 = 0x6F, FFA_MSG_SEND_DIRECT_RESP: UInt64 = 0x70

    init(smc: @escaping (Registers) -> Registers, ram: NonSecureRAM) {
        self.smc = smc
        self.ram = ram
    }

    private mutating func invoke(_ call: Registers) -> Registers {
        let answer = smc(call)
        trace.append((call, answer))
        return answer
    }

    /// `ffa_get_version`: FFA_VERSION(1.0); major 1 and minor ≥ 0 are accepted.
    mutating func getVersion() -> Errno {
        let res = invoke(Registers(Self.smc32(Self.FFA_VERSION), Self.FFA_VERSION_1_0))
        if Int32(truncatingIfNeeded: res.x0) == -1 { return .eopnotsupp }
        let major = (res.x0 >> 16) & 0x7FFF
        guard major == 1 else { return .eproto }
        fwkVersion = res.x0
        return .ok
    }

    /// `ffa_get_endpoint_id`.
    mutating func getEndpointID() -> Errno {
        let res = invoke(Registers(Self.smc32(Self.FFA_ID_GET)))
        guard res.x0 == Self.smc32(Self.FFA_SUCCESS) else { return Errno(ffaError: res.x2) }
        id = UInt16(truncatingIfNeeded: res.x2)
        return .ok
    }

    /// `ffa_get_rxtx_map_features`: FFA_FEATURES(FFA_RXTX_MAP_64); w2 bits 1:0 give the pages.
    mutating func getRXTXMapFeatures() -> Errno {
        let res = invoke(Registers(Self.smc32(Self.FFA_FEATURES), Self.smc64(Self.FFA_RXTX_MAP)))
        guard res.x0 == Self.smc32(Self.FFA_SUCCESS) else { return Errno(ffaError: res.x2) }
        switch res.x2 & 3 {
        case 0: rxtxMinPages = 1
        case 1: rxtxMinPages = 16
        case 2: rxtxMinPages = 4
        default: return .einval
        }
        return .ok
    }

    /// `ffa_map_rxtx_buffers`: zeroed buffers, FFA_RXTX_MAP_64(tx, rx, pages).
    mutating func mapRXTX() -> Errno {
        ram.fill(0, at: txbuf, count: rxtxMinPages * 4096)
        ram.fill(0, at: rxbuf, count: rxtxMinPages * 4096)
        let res = invoke(Registers(Self.smc64(Self.FFA_RXTX_MAP), txbuf, rxbuf, UInt64(rxtxMinPages)))
        return res.x0 == Self.smc32(Self.FFA_SUCCESS) ? .ok : Errno(ffaError: res.x2)
    }

    /// `ffa_unmap_rxtx_buffers`: w1 = own ID << 16.
    mutating func unmapRXTX() -> Errno {
        let res = invoke(Registers(Self.smc32(Self.FFA_RXTX_UNMAP), UInt64(id) << 16))
        return res.x0 == Self.smc32(Self.FFA_SUCCESS) ? .ok : Errno(ffaError: res.x2)
    }

    mutating func releaseRX() -> Errno {
        let res = invoke(Registers(Self.smc32(Self.FFA_RX_RELEASE)))
        return res.x0 == Self.smc32(Self.FFA_SUCCESS) ? .ok : Errno(ffaError: res.x2)
    }

    /// `ffa_query_partitions_info`: FFA_PARTITION_INFO_GET with the UUID words (nil: cache every
    /// partition from the 8-byte v1.0 descriptors; a UUID: mark the cached IDs it names), then
    /// FFA_RX_RELEASE. Returns the count.
    mutating func queryPartitionsInfo(uuid: (UInt32, UInt32, UInt32, UInt32)?) -> (Errno, UInt32) {
        let w = uuid ?? (0, 0, 0, 0)
        let res = invoke(Registers(Self.smc32(Self.FFA_PARTITION_INFO_GET), UInt64(w.0), UInt64(w.1), UInt64(w.2), UInt64(w.3)))
        guard res.x0 == Self.smc32(Self.FFA_SUCCESS) else { return (Errno(ffaError: res.x2), 0) }
        let count = UInt32(truncatingIfNeeded: res.x2)
        if count > 0 {
            guard UInt64(count) * 24 <= UInt64(rxtxMinPages * 4096),
                  let rx = ram.read(rxbuf, count: Int(count) * 8) else {
                _ = releaseRX()
                return (.einval, 0)
            }
            for i in 0..<Int(count) {
                let partID = UInt16(loadLE(width: 2, from: rx, at: 8 * i))
                if uuid == nil {
                    partitions.append((partID, UInt16(loadLE(width: 2, from: rx, at: 8 * i + 2)),
                                       UInt32(loadLE(width: 4, from: rx, at: 8 * i + 4)), nil))
                } else {
                    guard let k = partitions.firstIndex(where: { $0.id == partID }) else {
                        _ = releaseRX()
                        return (.einval, 0)
                    }
                    partitions[k].uuid = uuid
                }
            }
        } else if uuid == nil {
            return (.enodata, 0)
        }
        return (releaseRX(), count)
    }

    /// `ffa_probe` after `ffa_try_discovery` (FFA_VERSION): ID, features, map, cache.
    mutating func probe() -> Errno {
        var e = getVersion()
        if e == .ok { e = getEndpointID() }
        if e == .ok { e = getRXTXMapFeatures() }
        if e == .ok { e = mapRXTX() }
        if e == .ok { e = queryPartitionsInfo(uuid: nil).0 }
        return e
    }

    /// `ffa_msg_send_direct_req`: w1 = own ID << 16 | destination, w2 = 0, x3..x7 = data;
    /// FFA_INTERRUPT → FFA_RUN; FFA_SUCCESS = sent without a response.
    mutating func syncSendReceive(to dst: UInt16, data: inout [UInt64], is64: Bool) -> Errno {
        let req = is64 ? Self.smc64(Self.FFA_MSG_SEND_DIRECT_REQ) : Self.smc32(Self.FFA_MSG_SEND_DIRECT_REQ)
        let resp = is64 ? Self.smc64(Self.FFA_MSG_SEND_DIRECT_RESP) : Self.smc32(Self.FFA_MSG_SEND_DIRECT_RESP)
        var res = invoke(Registers(req, UInt64(id) << 16 | UInt64(dst), 0, data[0], data[1], data[2], data[3], data[4]))
        var runs = 0
        while res.x0 == Self.smc32(Self.FFA_INTERRUPT) && runs < 8 {
            runs += 1
            res = invoke(Registers(Self.smc32(Self.FFA_RUN), res.x1))
        }
        if res.x0 == Self.smc32(Self.FFA_SUCCESS) { return .ok }
        if res.x0 == resp {
            data = [res.x3, res.x4, res.x5, res.x6, res.x7]
            return .ok
        }
        return Errno(ffaError: res.x2)
    }
}
