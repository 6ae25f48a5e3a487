import ABI

/// FFA_RXTX_MAP, FFA_RXTX_UNMAP and FFA_RX_RELEASE (FF-A v1.2 §14.1-14.3) for the normal world.
enum RxTx {
    /// FF-A counts buffer sizes in 4 KiB pages; 4 KiB is also our minimum alignment.
    static let pageSize: UInt64 = 4096
}

extension SPMCConfig {
    /// Whether `range` may hold an RX or TX buffer: entirely inside one non-secure RAM range,
    /// touching no secure memory and not the MM shared buffer.
    func permitsBuffer(_ range: MemoryRange) -> Bool {
        guard range.end != nil else { return false }
        var inNonSecure = false
        for ns in nonSecureMemory where ns.contains(range) { inNonSecure = true }
        guard inNonSecure else { return false }
        for s in secureMemory where s.overlaps(range) { return false }
        return !mmBuffer.overlaps(range)
    }
}

extension SPMC {
    /// FFA_RXTX_MAP_32/64: the TX and RX addresses and the page count per buffer (the 32-bit
    /// call's addresses are w1/w2; the codec drops the upper halves, as SMCCC says).
    mutating func rxtxMap(tx: UInt64, rx: UInt64, pageCount pages: UInt8) throws(FFAError) -> Reply {
        guard pages != 0 else { throw .invalidParameters }
        // Address 0 would mean "on behalf of a VM", which only a hypervisor may ask (TF-A).
        guard tx != 0, rx != 0, tx != rx else { throw .invalidParameters }
        guard tx % RxTx.pageSize == 0, rx % RxTx.pageSize == 0 else { throw .invalidParameters }
        guard normalWorld.mailbox == nil else { throw .denied }

        let mailbox = Mailbox(tx: tx, rx: rx, pageCount: UInt32(pages))
        guard config.permitsBuffer(mailbox.txRange), config.permitsBuffer(mailbox.rxRange),
              !mailbox.txRange.overlaps(mailbox.rxRange) else { throw .invalidParameters }
        normalWorld.mailbox = mailbox
        return .success
    }

    /// FFA_RXTX_UNMAP: the endpoint ID field is for a hypervisor (0 here).
    mutating func rxtxUnmap(id: UInt16) throws(FFAError) -> Reply {
        guard id == 0, normalWorld.mailbox != nil else { throw .invalidParameters }
        normalWorld.mailbox = nil
        return .success
    }

    /// FFA_RX_RELEASE: hands the RX buffer back to the SPMC. The VM ID (v1.1+) is 0 here.
    mutating func rxRelease(vmID: UInt16) throws(FFAError) -> Reply {
        guard vmID == 0 else { throw .invalidParameters }
        guard var mailbox = normalWorld.mailbox, mailbox.rxOwnedByCaller else { throw .denied }
        mailbox.rxOwnedByCaller = false
        normalWorld.mailbox = mailbox
        return .success
    }
}
