import ABI
import MM
import Platform
import Variables

/// The partition's message loop: direct requests in, direct responses out.
///
/// MM doorbell conventions (ffa-mm.md §c): x3 = offset of the message in the 64 KiB buffer
/// (U-Boot, Trusted Services), answered with x3 = MM return code; or x3 = the message's
/// physical address (EDK2), answered with x3 = 0, and transport faults as FFA_ERROR.
@_extern(c, "dcache_clean_range_poc") func dcache_clean_range_poc(_ start: UInt64, _ length: UInt64)
@_extern(c, "dcache_invalidate_range_poc") func dcache_invalidate_range_poc(_ start: UInt64, _ length: UInt64)

enum Messages {
    static func serve(_ first: Registers) -> Never {
        var r = first
        while true {
            r = ffa(answer(r))
        }
    }

    static func answer(_ r: Registers) -> Registers {
        let sender = UInt64(r.w(1) >> 16)
        let endpoints = UInt64(Endpoint.mmPartition) << 16 | sender
        switch r.w(0) {
        case FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64:
            let (code, edk2) = communicate(x3: r.x3)
            if edk2 && code != .success { return .ffaError(code == .noMemory ? .noMemory : .invalidParameters) }
            return Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64), endpoints, 0,
                             edk2 ? 0 : code.register)
        case FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32:
            // MM messages need 64-bit offsets; like smm-gateway, 32-bit requests are refused.
            return Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32), endpoints, 0,
                             MMReturnCode.notSupported.register)
        case FFAFunction.FFA_MSG_SEND_DIRECT_REQ2:
            return Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_RESP2), endpoints)
        default:
            // Not a request (the SPMC should deliver none): the partition only runs while it
            // serves one, so end that request with an error rather than wait inside it.
            return .ffaError(.aborted)
        }
    }

    /// Serves the MM message named by x3: copies it into secure memory once (no double fetch),
    /// runs the handler, copies the response back. Returns the MM return code and whether the
    /// caller used the physical-address (EDK2) form.
    static func communicate(x3: UInt64) -> (MMReturnCode, Bool) {
        let size = UInt64(PartitionMap.mmBufferSize)
        // Neither an offset nor an address in the buffer (a ping, say): an MM-style refusal.
        let edk2 = x3 >= PartitionMap.mmBuffer && x3 - PartitionMap.mmBuffer < size
        guard edk2 || x3 < size else { return (.invalidParameter, false) }
        let offset = edk2 ? x3 - PartitionMap.mmBuffer : x3
        let header = MMCommunicateHeader.size
        guard offset <= size - UInt64(header) else { return (.invalidParameter, edk2) }
        let base = PartitionMap.mmBuffer + offset
        guard let src = UnsafePointer<UInt8>(bitPattern: UInt(base)) else { return (.invalidParameter, edk2) }
        let room = Int(size - offset)
        dcache_invalidate_range_poc(base, UInt64(header))  // see what the normal world cleaned
        // MessageLength is read once, bounded, and the copy is the only fetch the handler sees.
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(unsafe src[16 + i]) << (8 * UInt64(i)) }
        guard length <= UInt64(room - header) else { return (.invalidParameter, edk2) }
        let total = header + Int(length)
        dcache_invalidate_range_poc(base + UInt64(header), length)
        var request = [UInt8](repeating: 0, count: total)
        for i in 0..<total { request[i] = unsafe src[i] }
        guard var handler = service else { return (.notSupported, edk2) }
        let (response, code) = handler.handle(request: request)
        service = handler
        if code == .success && response.count <= room {
            let dst = UnsafeMutablePointer<UInt8>(mutating: src)
            for i in response.indices { unsafe dst[i] = response[i] }
            dcache_clean_range_poc(base, UInt64(response.count))  // visible before the response
        }
        return (code, edk2)
    }
}
