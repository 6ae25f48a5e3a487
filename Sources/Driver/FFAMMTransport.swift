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

        let answer: DirectResponse
        do throws(FFADriverError) {
            answer = try driver.sendDirectRequest(to: partitionID, payload: [UInt64(offset)], width: .smc64)
        } catch {
            throw .ffa(error)
        }
        if case .response(let words) = answer, let x3 = words.first {
            let code = UInt32(truncatingIfNeeded: x3)
            guard code == 0 else { throw .mmReturn(code) }
        }

        // A response is never longer than its request, so this range covers it.
        cache.invalidate(offset: offset, length: request.count)
        let response = memory.read(at: offset, count: request.count)
        return try MMTransportError.checkResponse(response, request: request)
    }
}
