import MM
import Variables

/// The fallback when no MM partition answers: the partition's own variable handler run in
/// process over RAM. Same messages, same rules; nothing survives a reset.
public struct VolatileMMTransport: MMTransport {
    public var handler: MMVariableHandler<InMemoryPersistence>
    public let bufferSize: Int

    public init(persistence: InMemoryPersistence = InMemoryPersistence(),
                limits: VariableStoreLimits = VariableStoreLimits(),
                bufferSize: Int = MMVariableService.sharedBufferSize) {
        let size = bufferSize < Self.minimumBufferSize ? Self.minimumBufferSize : bufferSize
        self.handler = MMVariableHandler(store: VariableStore(persistence: persistence, limits: limits), bufferSize: size)
        self.bufferSize = size
    }

    /// What the handler needs to hold both headers and the least payload U-Boot accepts.
    public static var minimumBufferSize: Int { SMMVariableFrame.payloadOffset + MMVariableService.minimumPayloadSize }

    public mutating func communicate(_ request: [UInt8]) throws(MMTransportError) -> [UInt8] {
        try MMTransportError.checkRequest(request, bufferSize: bufferSize)
        let (response, code) = handler.handle(request: request)
        guard code == .success else { throw .mmReturn(UInt32(bitPattern: code.rawValue)) }
        return try MMTransportError.checkResponse(response, request: request)
    }
}

/// The transport the variable client runs over, chosen at run time: one concrete type, so the
/// image holds one `VariableClient<SelectedMMTransport<…>>` whichever was found. A struct with
/// one of two members set, not an enum: a call mutates the chosen transport in place, where an
/// enum's payload would be copied out and back on every message.
public struct SelectedMMTransport<F: MMTransport>: MMTransport {
    var ffaTransport: F?
    var volatileTransport: VolatileMMTransport?

    public static func ffa(_ t: F) -> SelectedMMTransport { SelectedMMTransport(ffaTransport: t, volatileTransport: nil) }
    public static func volatile(_ t: VolatileMMTransport) -> SelectedMMTransport {
        SelectedMMTransport(ffaTransport: nil, volatileTransport: t)
    }

    public var bufferSize: Int { ffaTransport?.bufferSize ?? volatileTransport?.bufferSize ?? 0 }

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
