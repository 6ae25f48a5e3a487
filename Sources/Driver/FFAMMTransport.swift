import ABI
import MM

/// MM messages over FF-A, in the U-Boot / Trusted Services convention (docs/mm-protocol.md): the message
/// sits in the shared buffer at `offset`, FFA_MSG_SEND_DIRECT_REQ_64 to the MM partition carries
/// the offset in x3, and FFA_MSG_SEND_DIRECT_RESP_64 brings the MM return code in w3.
public struct FFAMMTransport<C: Conduit, M: SharedMemory, K: CacheMaintenance>: MMTransport {
    public var driver: FFADriver<C>
    public var memory: M
    public var cache: K
    /// The MM partition's endpoint ID, found at boot and kept for run time (no RX buffer then).
    public let partitionID: UInt16
    /// Where the message starts in the shared buffer (x3 of the request).
    public let offset: Int

    public init(driver: FFADriver<C>, memory: M, cache: K, partitionID: UInt16, offset: Int = 0) {
        self.driver = driver; self.memory = memory; self.cache = cache
        self.partitionID = partitionID
        self.offset = offset < 0 ? 0 : offset
    }

    public var bufferSize: Int { memory.size > offset ? memory.size - offset : 0 }

    /// Copy in, clean to PoC, doorbell, check w3, invalidate, read back once and check the header.
    /// FFA_SUCCESS instead of a response counts as MM success (U-Boot's reading); the header
    /// checks and the ReturnStatus sentinel still guard what comes back.
    public mutating func communicate(_ request: [UInt8]) throws(MMTransportError) -> [UInt8] {
        try MMTransportError.checkRequest(request, bufferSize: bufferSize)
        memory.write(request, at: offset)
        cache.cleanToPoC(offset: offset, length: request.count)
        try doorbell()
        // A response is never longer than its request, so this range covers it.
        cache.invalidate(offset: offset, length: request.count)
        let response = memory.read(at: offset, count: request.count)
        return try MMTransportError.checkResponse(response, request: request)
    }

    /// In place over the shared buffer when this world maps it: the request is built where the
    /// partition reads it, and the response read where it writes it. Same steps and checks as
    /// `communicate`, with no array.
    public mutating func exchange<R>(_ build: (UnsafeMutableRawBufferPointer) -> Int,
                                     _ read: (UnsafeRawBufferPointer) -> R) throws(MMTransportError) -> R {
        guard let shared = memory.bytes else { return try exchangeThroughArrays(build, read) }
        // No room after the offset: no message fits (`bufferSize` is 0).
        guard offset < shared.count else { throw .messageTooLarge }
        let buffer = UnsafeMutableRawBufferPointer(rebasing: shared[offset..<shared.count])
        let n = build(buffer)
        try MMTransportError.checkRequest(UnsafeRawBufferPointer(buffer), count: n, bufferSize: bufferSize)
        let guid = UnsafeRawBufferPointer(buffer).mmGuid(0)
        cache.cleanToPoC(offset: offset, length: n)
        try doorbell()
        cache.invalidate(offset: offset, length: n)
        let total = try MMTransportError.checkResponse(UnsafeRawBufferPointer(buffer), requestCount: n, guid: guid)
        return read(UnsafeRawBufferPointer(rebasing: buffer[0..<total]))
    }

    /// FFA_MSG_SEND_DIRECT_REQ_64 with x3 = the offset; a non-zero MM return code in w3 throws.
    mutating func doorbell() throws(MMTransportError) {
        let answer: DirectMessage?
        do throws(FFADriverError) {
            answer = try driver.sendDirectRequest(to: partitionID, (UInt64(offset), 0, 0, 0, 0))
        } catch {
            throw .ffa(error)
        }
        if let m = answer {
            let code = UInt32(truncatingIfNeeded: m.x3)
            guard code == 0 else { throw .mmReturn(code) }
        }
    }
}
