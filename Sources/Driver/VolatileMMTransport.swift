import MM
import Variables

/// The fallback when no MM partition answers: the partition's variable store run in process over
/// RAM, serving the same MM messages in place (MM's views over the message, as the partition's
/// in-place path reads them). Same messages, same rules; nothing survives a reset. It carries no
/// message codec of its own: no request is decoded into, or answer encoded from, arrays.
public struct VolatileMMTransport: MMTransport {
    public var store: VariableStore<FallbackPersistence>
    public let bufferSize: Int
    /// The GET_PAYLOAD_SIZE answer, as the partition's handler chooses it.
    public let payloadSize: Int

    public init(persistence: InMemoryPersistence = InMemoryPersistence(),
                limits: VariableStoreLimits = VariableStoreLimits(),
                bufferSize: Int = MMVariableService.sharedBufferSize) {
        let size = bufferSize < Self.minimumBufferSize ? Self.minimumBufferSize : bufferSize
        self.store = VariableStore(persistence: FallbackPersistence(persistence), limits: limits)
        self.bufferSize = size
        let nv = persistence.maximumVariableSize, volatile = limits.maximumVolatileVariableSize
        self.payloadSize = MMVariableService.payloadSize(maximumVariableSize: nv > volatile ? nv : volatile, bufferSize: size)
    }

    /// What the handler needs to hold both headers and the least payload U-Boot accepts.
    public static var minimumBufferSize: Int { SMMVariableFrame.payloadOffset + MMVariableService.minimumPayloadSize }

    /// The whole-message form (tests, fakes): the request copied into a buffer, served there.
    public mutating func communicate(_ request: [UInt8]) throws(MMTransportError) -> [UInt8] {
        try MMTransportError.checkRequest(request, bufferSize: bufferSize)
        return try exchange({ b in
            request.withUnsafeBytes { b.mmPut($0, at: 0) }
            return request.count
        }, { [UInt8]($0) })
    }

    /// The request is built in a buffer of `bufferSize` bytes and answered over itself.
    public mutating func exchange<R>(_ build: (UnsafeMutableRawBufferPointer) -> Int,
                                     _ read: (UnsafeRawBufferPointer) -> R) throws(MMTransportError) -> R {
        var message = [UInt8](repeating: 0, count: bufferSize)
        var outcome: Result<R, MMTransportError> = .failure(.malformedRequest)
        message.withUnsafeMutableBytes { buffer in
            let n = build(buffer)
            guard n >= 0, n <= buffer.count else { outcome = .failure(.messageTooLarge); return }
            do throws(MMTransportError) {
                try MMTransportError.checkRequest(UnsafeRawBufferPointer(buffer), count: n, bufferSize: bufferSize)
                let guid = UnsafeRawBufferPointer(buffer).mmGuid(0)
                // The handler reads the request, and writes its answer, within the request's bytes.
                let code = serve(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n]))
                guard code == .success else { throw .mmReturn(UInt32(bitPattern: code.rawValue)) }
                let total = try MMTransportError.checkResponse(UnsafeRawBufferPointer(buffer), requestCount: n, guid: guid)
                outcome = .success(read(UnsafeRawBufferPointer(rebasing: buffer[0..<total])))
            } catch {
                outcome = .failure(error)
            }
        }
        return try outcome.get()
    }

    /// One message where it lies: the answer overwrites the request. A message that is not a
    /// variable-protocol message is refused with an MM return code (nothing written); a payload
    /// that does not decode is answered with the ReturnStatus its fault maps to, as the
    /// partition answers it.
    mutating func serve(_ bytes: UnsafeMutableRawBufferPointer) -> MMReturnCode {
        let m: MMMessageView
        do throws(MMDecodeError) {
            m = try MMMessageView(bytes)
        } catch {
            return error.mmReturnCode
        }
        do throws(MMDecodeError) {
            let (status, length) = try answer(m)
            MMMessageView.writeHeaders(bytes, function: m.function, status: status, payloadLength: length)
        } catch {
            MMMessageView.writeHeaders(bytes, function: m.function, status: error.returnStatus, payloadLength: 0)
        }
        return .success
    }

    /// The answer's ReturnStatus and payload length, its payload written in place: the
    /// partition's own in-place service (`VariableStore.answer`).
    mutating func answer(_ m: MMMessageView) throws(MMDecodeError) -> (EFIStatus, Int) {
        try store.answer(m, payloadSize: payloadSize)
    }
}

/// The transport the variable client runs over, chosen at run time: one concrete type, so the
/// image holds one `VariableClient<SelectedMMTransport<…>>` whichever was found. A struct with
/// one of two members set, not an enum: a call mutates the chosen transport in place, where an
/// enum's payload would be copied out and back on every message.
public struct SelectedMMTransport<F: MMTransport>: MMTransport {
    var ffaTransport: F?
    var volatileTransport: VolatileMMTransport?
    /// The chosen transport's, kept at the choice: one load, not a test of both members.
    public let bufferSize: Int

    public static func ffa(_ t: F) -> SelectedMMTransport {
        SelectedMMTransport(ffaTransport: t, volatileTransport: nil, bufferSize: t.bufferSize)
    }
    public static func volatile(_ t: VolatileMMTransport) -> SelectedMMTransport {
        SelectedMMTransport(ffaTransport: nil, volatileTransport: t, bufferSize: t.bufferSize)
    }

    public var isVolatile: Bool { ffaTransport == nil }

    public mutating func communicate(_ request: [UInt8]) throws(MMTransportError) -> [UInt8] {
        if ffaTransport != nil { return try ffaTransport!.communicate(request) }
        return try volatileTransport!.communicate(request)
    }

    public mutating func exchange<R>(_ build: (UnsafeMutableRawBufferPointer) -> Int,
                                     _ read: (UnsafeRawBufferPointer) -> R) throws(MMTransportError) -> R {
        if ffaTransport != nil { return try ffaTransport!.exchange(build, read) }
        return try volatileTransport!.exchange(build, read)
    }
}
