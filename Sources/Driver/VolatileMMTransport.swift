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
/// image holds one `VariableClient<SelectedMMTransport<…>>` whichever was found.
public enum SelectedMMTransport<F: MMTransport>: MMTransport {
    case ffa(F)
    case volatile(VolatileMMTransport)

    public var bufferSize: Int {
        switch self {
        case .ffa(let t): return t.bufferSize
        case .volatile(let t): return t.bufferSize
        }
    }

    public var isVolatile: Bool {
        if case .volatile = self { return true }
        return false
    }

    public mutating func communicate(_ request: [UInt8]) throws(MMTransportError) -> [UInt8] {
        switch self {
        case .ffa(var t):
            defer { self = .ffa(t) }
            return try t.communicate(request)
        case .volatile(var t):
            defer { self = .volatile(t) }
            return try t.communicate(request)
        }
    }
}
