import ABI
import MM
import Platform
import Variables

/// The partition's message loop: direct requests in, direct responses out.
///
/// MM doorbell conventions (docs/mm-protocol.md): x3 = offset of the message in the 64 KiB buffer
/// (U-Boot, Trusted Services), answered with x3 = MM return code; or x3 = the message's
/// physical address (EDK2), answered with x3 = 0, and transport faults as FFA_ERROR.
@_extern(c, "dcache_clean_range_poc") func dcache_clean_range_poc(_ start: UInt64, _ length: UInt64)
@_extern(c, "dcache_invalidate_range_poc") func dcache_invalidate_range_poc(_ start: UInt64, _ length: UInt64)

/// Secure memory for the copy of each message (MMDoorbell), allocated by partition_main once the
/// map is known: a plain global, not a lazy one checked at every message.
nonisolated(unsafe) var scratch = UnsafeMutableRawBufferPointer(start: nil, count: 0)

enum Messages {
    /// The partition's loop: each request in `r` is answered in place and sent back with the
    /// next wait, whose answer is the next request.
    static func serve(_ first: Registers) -> Never {
        var r = first
        while true {
            answer(&r)
            smcCall(inPlace: &r)
        }
    }

    /// The request in `r` replaced by its answer: a direct response, or FFA_ERROR.
    static func answer(_ r: inout Registers) {
        do throws(FFAError) {
            let request = try DirectMessage(decodingRequest: r)
            var response = DirectMessage(sender: Endpoint.mmPartition, receiver: request.sender, is64: request.is64)
            if request.is64 {
                // x3 outside the buffer (a ping, say) is refused here, without the call (and its
                // frame): what `communicate` answers it with once the service is mounted.
                let (code, edk2) = serviceMounted && MMDoorbell.locate(x3: request.x3, bufferBase: PartitionMap.mmBuffer,
                                                                       bufferSize: PartitionMap.mmBufferSize) == nil
                    ? (MMReturnCode.invalidParameter, false) : communicate(x3: request.x3)
                if edk2 && code != .success {
                    Interface.failure(code == .noMemory ? .noMemory : .invalidParameters).encode(into: &r)
                    return
                }
                response.x3 = edk2 ? 0 : code.register
            } else {
                // MM messages need 64-bit offsets; like smm-gateway, 32-bit requests are refused.
                response.x3 = MMReturnCode.notSupported.register
            }
            response.encode(into: &r, response: true)
        } catch {
            if let request = try? DirectMessage2(decodingRequest: r) {
                DirectMessage2(sender: Endpoint.mmPartition, receiver: request.sender).encode(into: &r, response: true)
                return
            }
            // Not a request (the SPMC should deliver none): the partition only runs while it
            // serves one, so end that request with an error rather than wait inside it.
            Interface.failure(.aborted).encode(into: &r)
        }
    }

    /// Serves the MM message named by x3 (Variables' MMDoorbell over the mapped buffer).
    @inline(never)
    static func communicate(x3: UInt64) -> (MMReturnCode, Bool) {
        guard serviceMounted else { return (.notSupported, false) }
        var window = PhysicalWindow()
        // In place: copying the handler out of the global and back costs more than the call.
        let r = MMDoorbell.serve(x3: x3, bufferBase: PartitionMap.mmBuffer, bufferSize: PartitionMap.mmBufferSize,
                                 window: &window, handler: &service!, scratch: scratch)
        return (r.code, r.physicalAddressForm)
    }
}

/// The MM buffer as this partition maps it (non-secure, normal memory), with by-VA cache
/// maintenance: invalidate before reading what the normal world cleaned, clean after writing.
struct PhysicalWindow: MMSharedWindow {
    mutating func read(_ offset: Int, count: Int) -> [UInt8] {
        let base = PartitionMap.mmBuffer + UInt64(offset)
        dcache_invalidate_range_poc(base, UInt64(count))
        guard let p = UnsafePointer<UInt8>(bitPattern: UInt(base)) else { return [] }
        return (0..<count).map { unsafe p[$0] }
    }

    /// One load where the word is aligned (MessageLength at offset 16 of a message at an
    /// aligned offset), after invalidating its line.
    mutating func word(at offset: Int) -> UInt64 {
        let base = PartitionMap.mmBuffer + UInt64(offset)
        guard base & 7 == 0, let p = UnsafePointer<UInt64>(bitPattern: UInt(base)) else {
            var w: UInt64 = 0
            withUnsafeMutableBytes(of: &w) { read(offset, into: $0) }
            return UInt64(littleEndian: w)
        }
        dcache_invalidate_range_poc(base, 8)
        return UInt64(littleEndian: unsafe p.pointee)
    }

    mutating func read(_ offset: Int, into buffer: UnsafeMutableRawBufferPointer) {
        let base = PartitionMap.mmBuffer + UInt64(offset)
        dcache_invalidate_range_poc(base, UInt64(buffer.count))
        guard let p = UnsafeRawPointer(bitPattern: UInt(base)), let to = buffer.baseAddress else { return }
        unsafe to.copyMemory(from: p, byteCount: buffer.count)
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
        let base = PartitionMap.mmBuffer + UInt64(offset)
        guard let p = UnsafeMutableRawPointer(bitPattern: UInt(base)), let from = bytes.baseAddress else { return }
        unsafe p.copyMemory(from: from, byteCount: bytes.count)
        dcache_clean_range_poc(base, UInt64(bytes.count))
    }

    mutating func write(_ bytes: [UInt8], at offset: Int) {
        let base = PartitionMap.mmBuffer + UInt64(offset)
        guard let p = UnsafeMutablePointer<UInt8>(bitPattern: UInt(base)) else { return }
        for i in bytes.indices { unsafe p[i] = bytes[i] }
        dcache_clean_range_poc(base, UInt64(bytes.count))
    }
}
