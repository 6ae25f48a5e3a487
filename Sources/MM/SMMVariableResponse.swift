/// What a response carries after the headers, by function.
public enum SMMVariableResponsePayload: Equatable, Sendable {
    case none
    case variable(GetVariableResponse)
    case nextVariableName(GetNextVariableNameResponse)
    case variableInfo(QueryVariableInfoMessage)
    case property(VarCheckPropertyMessage)
    case payloadSize(UInt64)

    var encoded: [UInt8] {
        switch self {
        case .none: return []
        case .variable(let p): return p.encoded
        case .nextVariableName(let p): return p.encoded
        case .variableInfo(let p): return p.encoded
        case .property(let p): return p.encoded
        case .payloadSize(let n): return GetPayloadSizeMessage(variablePayloadSize: n).encoded
        }
    }
}

/// A response of the SMM variable protocol as a whole MM buffer, MessageLength = 16 + payload
/// (the response length, as smm-gateway writes it).
public struct SMMVariableResponse: Equatable, Sendable {
    /// The function number of the request, echoed.
    public var function: UInt64
    public var status: EFIStatus
    public var payload: SMMVariableResponsePayload

    public init(function: UInt64, status: EFIStatus, payload: SMMVariableResponsePayload = .none) {
        self.function = function; self.status = status; self.payload = payload
    }

    public init(function: SMMVariableFunction, status: EFIStatus, payload: SMMVariableResponsePayload = .none) {
        self.init(function: function.rawValue, status: status, payload: payload)
    }

    public var encoded: [UInt8] {
        SMMVariableFrame.frame(function: function, returnStatus: status, payload: payload.encoded)
    }

    /// Decodes a whole MM buffer as the client reads it back. The payload is decoded by function
    /// when there is one: GET_VARIABLE, GET_NEXT_VARIABLE_NAME, QUERY_VARIABLE_INFO,
    /// VAR_CHECK_VARIABLE_PROPERTY_GET and GET_PAYLOAD_SIZE carry outputs; other functions and an
    /// empty payload give `.none`. Which outputs are meaningful depends on `status`.
    public init(decoding buffer: [UInt8]) throws(MMDecodeError) {
        let frame = try SMMVariableFrame(parsing: buffer)
        function = frame.variableHeader.function
        status = frame.variableHeader.returnStatus
        let offset = SMMVariableFrame.payloadOffset, length = frame.payloadLength
        guard length > 0, let known = SMMVariableFunction(rawValue: function) else { payload = .none; return }
        switch known {
        case .getVariable:
            payload = .variable(try GetVariableResponse(decoding: buffer, at: offset, length: length))
        case .getNextVariableName:
            payload = .nextVariableName(try GetNextVariableNameResponse(decoding: buffer, at: offset, length: length))
        case .queryVariableInfo:
            payload = .variableInfo(try QueryVariableInfoMessage(decoding: buffer, at: offset, length: length))
        case .varCheckVariablePropertyGet:
            payload = .property(try VarCheckPropertyMessage(decoding: buffer, at: offset, length: length))
        case .getPayloadSize:
            payload = .payloadSize(try GetPayloadSizeMessage(decoding: buffer, at: offset, length: length).variablePayloadSize)
        case .setVariable, .readyToBoot, .exitBootService, .getStatistics, .lockVariable,
             .varCheckVariablePropertySet, .initRuntimeVariableCacheContext, .syncRuntimeCache,
             .getRuntimeCacheInfo:
            payload = .none
        }
    }
}
