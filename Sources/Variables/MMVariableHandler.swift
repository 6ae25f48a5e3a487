import MM

/// The MM partition's variable service: one request buffer in, one response buffer out.
///
/// `request` is the whole message (`[EFI_MM_COMMUNICATE_HEADER][SMM_VARIABLE_COMMUNICATE_HEADER]
/// [payload]`) already copied into secure memory by the caller, from the offset the client named
/// to the end of the shared buffer (or less). Nothing is read twice from shared memory.
///
/// Transport faults give an empty response and a non-zero MM return code; the caller writes
/// nothing back and answers with that code in w3 (or FFA_ERROR for an EDK2-style caller).
/// Everything else gives MM SUCCESS and a response buffer to copy back over the request: both
/// headers, ReturnStatus filled in, MessageLength = the response's own length, never more than
/// 24 + the request's MessageLength (and so never more than `request.count`).
public struct MMVariableHandler<P: VariablePersistence> {
    public var store: VariableStore<P>
    /// The GET_PAYLOAD_SIZE answer; see `MMVariableService.payloadSize`.
    public let payloadSize: Int

    /// `bufferSize`: the bytes a request may occupy (the shared buffer, 64 KiB); must be more
    /// than 40 + 72.
    public init(store: VariableStore<P>, bufferSize: Int = MMVariableService.sharedBufferSize) {
        precondition(bufferSize >= SMMVariableFrame.payloadOffset + MMVariableService.minimumPayloadSize)
        let nv = store.persistence.maximumVariableSize, volatile = store.limits.maximumVolatileVariableSize
        self.store = store
        self.payloadSize = MMVariableService.payloadSize(maximumVariableSize: nv > volatile ? nv : volatile,
                                                         bufferSize: bufferSize)
    }

    public mutating func handle(request: [UInt8]) -> (response: [UInt8], mmReturn: MMReturnCode) {
        let frame: SMMVariableFrame
        do throws(MMDecodeError) {
            frame = try SMMVariableFrame(parsing: request)
        } catch {
            return ([], error.mmReturnCode)
        }
        let function = frame.variableHeader.function
        let response: SMMVariableResponse
        do throws(MMDecodeError) {
            let decoded = try SMMVariableRequest(function: function, payload: request,
                                                 at: SMMVariableFrame.payloadOffset, length: frame.payloadLength)
            response = serve(decoded, function: function)
        } catch {
            response = SMMVariableResponse(function: function, status: error.returnStatus)
        }
        let bytes = response.encoded
        // Each answer is built from fields of the request it answers, so it cannot outgrow it.
        precondition(bytes.count <= MMCommunicateHeader.size + Int(frame.communicateHeader.messageLength))
        return (bytes, .success)
    }

    mutating func serve(_ request: SMMVariableRequest, function: UInt64) -> SMMVariableResponse {
        switch request {
        case .getVariable(let r):
            let result = store.getVariable(name: r.name, guid: r.guid, dataSize: r.dataSize)
            guard result.status == .success || result.status == .bufferTooSmall else {
                return SMMVariableResponse(function: function, status: result.status)
            }
            // The name goes back as sent, so the data sits where the client expects it.
            let answer = GetVariableResponse(guid: r.guid, name: r.name, attributes: result.attributes,
                                             dataSize: result.dataSize, data: result.data)
            return SMMVariableResponse(function: function, status: result.status, payload: .variable(answer))

        case .getNextVariableName(let r):
            let result = store.nextVariableName(nameBuffer: r.nameBuffer, guid: r.guid)
            guard result.status == .success || result.status == .bufferTooSmall else {
                return SMMVariableResponse(function: function, status: result.status)
            }
            let answer = GetNextVariableNameResponse(guid: result.status == .success ? result.guid : r.guid,
                                                     nameSize: result.nameSize, name: result.name)
            return SMMVariableResponse(function: function, status: result.status, payload: .nextVariableName(answer))

        case .setVariable(let r):
            let status = store.setVariable(name: r.name, guid: r.guid, attributes: r.attributes, data: r.data)
            return SMMVariableResponse(function: function, status: status)

        case .queryVariableInfo(let r):
            let result = store.queryVariableInfo(attributes: r.attributes)
            guard result.status == .success else { return SMMVariableResponse(function: function, status: result.status) }
            let answer = QueryVariableInfoMessage(maximumVariableStorageSize: result.maximumVariableStorageSize,
                                                  remainingVariableStorageSize: result.remainingVariableStorageSize,
                                                  maximumVariableSize: result.maximumVariableSize,
                                                  attributes: r.attributes)
            return SMMVariableResponse(function: function, status: .success, payload: .variableInfo(answer))

        case .readyToBoot:
            return SMMVariableResponse(function: function, status: store.readyToBoot())

        case .exitBootService:
            return SMMVariableResponse(function: function, status: store.exitBootServices())

        case .varCheckVariablePropertySet(let r):
            let status = store.setProperty(name: r.name, guid: r.guid, property: r.property)
            return SMMVariableResponse(function: function, status: status)

        case .varCheckVariablePropertyGet(let r):
            let result = store.property(name: r.name, guid: r.guid)
            guard result.status == .success else { return SMMVariableResponse(function: function, status: result.status) }
            let answer = VarCheckPropertyMessage(guid: r.guid, name: r.name, property: result.property)
            return SMMVariableResponse(function: function, status: .success, payload: .property(answer))

        case .getPayloadSize:
            return SMMVariableResponse(function: function, status: .success,
                                       payload: .payloadSize(UInt64(payloadSize)))
        }
    }
}
