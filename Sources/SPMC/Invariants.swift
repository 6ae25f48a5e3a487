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
