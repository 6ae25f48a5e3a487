import ABI

/// Properties that hold after every call, whatever the normal world sent. Tests and the fuzz
/// driver check them; the firmware never needs to.
extension SPMC {
    public var invariantsHold: Bool {
        // The negotiated version is one we serve.
        guard normalWorld.version.major == SPMC.version.major,
              normalWorld.version <= SPMC.version else { return false }
        if !normalWorld.versionNegotiated, normalWorld.version != SPMC.version { return false }
        // A mapped buffer pair passed every FFA_RXTX_MAP check.
        if let m = normalWorld.mailbox {
            guard (1...63).contains(m.pageCount), m.tx != 0, m.rx != 0,
                  m.tx % RxTx.pageSize == 0, m.rx % RxTx.pageSize == 0,
                  config.permitsBuffer(m.txRange), config.permitsBuffer(m.rxRange),
                  !m.txRange.overlaps(m.rxRange) else { return false }
        }
        // The partition table is the configured one, and only the normal world has requests
        // outstanding.
        guard partitions.count == config.partitions.count else { return false }
        for (state, info) in zip(partitions, config.partitions) {
            guard state.info == info else { return false }
            if case .handling(let pending) = state.runtime, pending.origin != Endpoint.normalWorld {
                return false
            }
        }
        return true
    }
}

extension Outcome {
    /// What the normal world receives carries nothing it should not: an SMC32 result has
    /// 32-bit values in x0..x7 and zero in x8..x17; a 64-bit "unknown" is -1 and zeros.
    /// (Only FFA_SUCCESS_64 of _GET_REGS and FFA_MSG_SEND_DIRECT_RESP_64/RESP2 use 64 bits.)
    public var isWellFormedForNormalWorld: Bool {
        guard case .resume(.normal, let r) = action else { return true }
        if r.x0 == UInt64.max {
            for i in 1..<Registers.count where r[i] != 0 { return false }
            return true
        }
        guard r.x0 >> 32 == 0 else { return false }
        let function = UInt32(r.x0)
        let isSMC64Result = function & 0x4000_0000 != 0 && function & 0x8000_0000 != 0
        if !isSMC64Result {
            for i in 1...7 where r[i] >> 32 != 0 { return false }
            for i in 8..<Registers.count where r[i] != 0 { return false }
        } else if function == FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64 {
            for i in 8..<Registers.count where r[i] != 0 { return false }
        }
        return true
    }
}
