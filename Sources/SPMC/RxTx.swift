import ABI

/// FFA_RXTX_MAP, FFA_RXTX_UNMAP and FFA_RX_RELEASE (FF-A v1.2 §14.1-14.3) for the normal world.
enum RxTx {
    /// FF-A counts buffer sizes in 4 KiB pages; 4 KiB is also our minimum alignment.
    static let pageSize: UInt64 = 4096
    /// w3 bits 5:0 of FFA_RXTX_MAP: the page count. Bits 31:6 MBZ.
    static let pageCountMask: UInt32 = 0x3F
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
    /// FFA_RXTX_MAP_32/64: x1 = TX address, x2 = RX address, w3 bits 5:0 = pages per buffer.
    /// (The 32-bit call passes w1/w2; the upper halves are ignored as SMCCC says.)
    mutating func rxtxMap(_ r: Registers, is64: Bool) throws(FFAError) -> Registers {
        let tx = is64 ? r.x1 : UInt64(r.w(1))
        let rx = is64 ? r.x2 : UInt64(r.w(2))
        let pageField = r.w(3)
        guard pageField & ~RxTx.pageCountMask == 0 else { throw .invalidParameters }
        let pages = pageField & RxTx.pageCountMask
        guard pages != 0 else { throw .invalidParameters }
        // Address 0 would mean "on behalf of a VM", which only a hypervisor may ask (TF-A).
        guard tx != 0, rx != 0, tx != rx else { throw .invalidParameters }
        guard tx % RxTx.pageSize == 0, rx % RxTx.pageSize == 0 else { throw .invalidParameters }
        guard normalWorld.mailbox == nil else { throw .denied }

        let mailbox = Mailbox(tx: tx, rx: rx, pageCount: pages)
        guard config.permitsBuffer(mailbox.txRange), config.permitsBuffer(mailbox.rxRange),
              !mailbox.txRange.overlaps(mailbox.rxRange) else { throw .invalidParameters }
        normalWorld.mailbox = mailbox
        return .ffaSuccess()
    }

    /// FFA_RXTX_UNMAP: w1 bits 31:16 = endpoint ID, which only a hypervisor may set (MBZ here).
    mutating func rxtxUnmap(_ r: Registers) throws(FFAError) -> Registers {
        guard r.w(1) == 0, normalWorld.mailbox != nil else { throw .invalidParameters }
        normalWorld.mailbox = nil
        return .ffaSuccess()
    }

    /// FFA_RX_RELEASE: hands the RX buffer back to the SPMC. w1 = VM ID (v1.1+), MBZ here.
    mutating func rxRelease(_ r: Registers) throws(FFAError) -> Registers {
        guard r.w(1) == 0 else { throw .invalidParameters }
        guard var mailbox = normalWorld.mailbox, mailbox.rxOwnedByCaller else { throw .denied }
        mailbox.rxOwnedByCaller = false
        normalWorld.mailbox = mailbox
        return .ffaSuccess()
    }
}
