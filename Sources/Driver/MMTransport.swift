import MM

/// Carries one MM message to the variable service and brings its answer back. The variable
/// logic is written against this alone: FF-A, the in-process volatile store, and later OP-TEE
/// are implementations.
public protocol MMTransport {
    /// The largest whole message (EFI_MM_COMMUNICATE_HEADER included) one call can carry.
    var bufferSize: Int { get }
    /// Sends `request`, a whole message `[EFI_MM_COMMUNICATE_HEADER][data]`, and returns the
    /// whole response message, already checked: the same HeaderGuid, and 24 + MessageLength
    /// within both the buffer and the request (a response never outgrows its request).
    mutating func communicate(_ request: [UInt8]) throws(MMTransportError) -> [UInt8]
    /// The same round trip in place: `build` writes a whole request at the start of the bytes the
    /// message travels in (`bufferSize` of them) and returns its length; `read` gets the whole
    /// response where it lies, checked as `communicate` checks it.
    mutating func exchange<R>(_ build: (UnsafeMutableRawBufferPointer) -> Int,
                              _ read: (UnsafeRawBufferPointer) -> R) throws(MMTransportError) -> R
}

extension MMTransport {
    /// Through `communicate`, for transports that move arrays (test fakes).
    public mutating func exchange<R>(_ build: (UnsafeMutableRawBufferPointer) -> Int,
                                     _ read: (UnsafeRawBufferPointer) -> R) throws(MMTransportError) -> R {
        try exchangeThroughArrays(build, read)
    }

    public mutating func exchangeThroughArrays<R>(_ build: (UnsafeMutableRawBufferPointer) -> Int,
                                                  _ read: (UnsafeRawBufferPointer) -> R) throws(MMTransportError) -> R {
        var request = [UInt8](repeating: 0, count: bufferSize)
        let n = request.withUnsafeMutableBytes { build($0) }
        guard n >= 0, n <= request.count else { throw .messageTooLarge }
        request.removeLast(request.count - n)
        let response = try communicate(request)
        return response.withUnsafeBytes { read($0) }
    }
}

/// Why a message did not make the round trip.
public enum MMTransportError: Error, Equatable, Sendable {
    /// The FF-A exchange failed.
    case ffa(FFADriverError)
    /// The partition answered a non-zero MM return code (the w3 received).
    case mmReturn(UInt32)
    /// The response header is missing, names another GUID, or its MessageLength reaches beyond
    /// the buffer or the request.
    case malformedResponse
    /// The request does not fit the buffer.
    case messageTooLarge
    /// The request is not a whole message: under 24 bytes, or MessageLength ≠ its data.
    case malformedRequest

    public var name: StaticString {
        switch self {
        case .ffa(let e): return e.name
        case .mmReturn(let code): return MMReturnCode(register: UInt64(code))?.name ?? "MM return code unknown"
        case .malformedResponse: return "malformed MM response"
        case .messageTooLarge: return "MM message larger than the buffer"
        case .malformedRequest: return "malformed MM request"
        }
    }
}

extension MMTransportError {
    /// `checkRequest` in place: `n` bytes at the start of `buffer` (of `bufferSize` bytes).
    static func checkRequest(_ buffer: UnsafeRawBufferPointer, count n: Int, bufferSize: Int) throws(MMTransportError) {
        guard n >= MMCommunicateHeader.size, n <= buffer.count,
              buffer.mmLE64(16) == UInt64(n - MMCommunicateHeader.size) else { throw .malformedRequest }
        guard n <= bufferSize else { throw .messageTooLarge }
    }

    /// `checkResponse` in place: the response over a request of `requestCount` bytes whose
    /// HeaderGuid was `guid`; returns the response's whole length.
    static func checkResponse(_ buffer: UnsafeRawBufferPointer, requestCount: Int, guid: EFIGuid) throws(MMTransportError) -> Int {
        guard requestCount >= MMCommunicateHeader.size, buffer.count >= requestCount,
              buffer.mmGuid(0) == guid else { throw .malformedResponse }
        let length = buffer.mmLE64(16)
        guard length <= UInt64(requestCount - MMCommunicateHeader.size) else { throw .malformedResponse }
        return MMCommunicateHeader.size + Int(length)
    }

    /// The header of a response must echo the request's GUID and stay within the request.
    static func checkResponse(_ response: [UInt8], request: [UInt8]) throws(MMTransportError) -> [UInt8] {
        guard response.count >= MMCommunicateHeader.size, request.count >= MMCommunicateHeader.size else {
            throw .malformedResponse
        }
        let header: MMCommunicateHeader
        do throws(MMDecodeError) {
            header = try MMCommunicateHeader(decoding: response)
        } catch {
            throw .malformedResponse
        }
        guard let guid = EFIGuid(bytes: request, at: 0), header.headerGuid == guid,
              header.messageLength <= UInt64(request.count - MMCommunicateHeader.size) else { throw .malformedResponse }
        let total = MMCommunicateHeader.size + Int(header.messageLength)
        return total == response.count ? response : Array(response[0..<total])
    }

    /// A request is a whole message: 24 header bytes and exactly MessageLength bytes of data.
    static func checkRequest(_ request: [UInt8], bufferSize: Int) throws(MMTransportError) {
        guard request.count >= MMCommunicateHeader.size,
              let header = try? MMCommunicateHeader(decoding: request),
              header.messageLength == UInt64(request.count - MMCommunicateHeader.size) else { throw .malformedRequest }
        guard request.count <= bufferSize else { throw .messageTooLarge }
    }
}

extension EFIStatus {
    /// The one mapping from a failed round trip to the status a variable service returns.
    /// Variable-level outcomes arrive as the ReturnStatus the partition wrote and pass unchanged;
    /// MM return codes follow U-Boot's table (`EFIStatus(mmReturnRegister:)`); FF-A faults become
    /// the statuses UEFI allows a variable service: UNSUPPORTED when there is no FF-A or the call is
    /// not implemented, OUT_OF_RESOURCES for BUSY, NO_MEMORY and exhausted retries (as U-Boot does
    /// for BUSY), ACCESS_DENIED for DENIED, DEVICE_ERROR for everything the other world got wrong.
    public init(_ error: MMTransportError) {
        switch error {
        case .ffa(let e): self.init(e)
        case .mmReturn(let code): self.init(mmReturnRegister: UInt64(code))
        case .malformedResponse: self = .deviceError
        case .messageTooLarge: self = .badBufferSize
        case .malformedRequest: self = .invalidParameter
        }
    }

    public init(_ error: FFADriverError) {
        switch error {
        case .noFFA: self = .unsupported
        case .ffa(let e):
            switch e {
            case .notSupported: self = .unsupported
            case .busy, .noMemory, .retry: self = .outOfResources
            case .denied: self = .accessDenied
            case .invalidParameters, .interrupted, .aborted, .noData, .notReady: self = .deviceError
            }
        case .retriesExhausted: self = .outOfResources
        case .unknownErrorCode, .unexpectedFunction, .unexpectedEndpoints, .malformedDescriptors,
             .malformedProperties, .versionIncompatible, .rxtxNotMapped, .rxtxBuffersUnsuitable:
            self = .deviceError
        }
    }
}
