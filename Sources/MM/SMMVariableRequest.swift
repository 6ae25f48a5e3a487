/// A request of the SMM variable protocol, one case per function the partition serves, as a
/// whole MM buffer: `[EFI_MM_COMMUNICATE_HEADER][SMM_VARIABLE_COMMUNICATE_HEADER][payload]`.
public enum SMMVariableRequest: Equatable, Sendable {
    case getVariable(GetVariableRequest)
    case getNextVariableName(GetNextVariableNameRequest)
    case setVariable(SetVariableRequest)
    /// Only `attributes` is read; the figures go out as sent.
    case queryVariableInfo(QueryVariableInfoMessage)
    case readyToBoot
    case exitBootService
    case varCheckVariablePropertySet(VarCheckPropertyMessage)
    /// Only the GUID and name are read.
    case varCheckVariablePropertyGet(VarCheckPropertyMessage)
    case getPayloadSize

    /// ReturnStatus as a request carries it: not success, so a partition that never writes it
    /// cannot be read as having succeeded (EDK2's handler leaves it untouched on some faults).
    public static let unansweredStatus = EFIStatus.notReady

    public var function: SMMVariableFunction {
        switch self {
        case .getVariable: return .getVariable
        case .getNextVariableName: return .getNextVariableName
        case .setVariable: return .setVariable
        case .queryVariableInfo: return .queryVariableInfo
        case .readyToBoot: return .readyToBoot
        case .exitBootService: return .exitBootService
        case .varCheckVariablePropertySet: return .varCheckVariablePropertySet
        case .varCheckVariablePropertyGet: return .varCheckVariablePropertyGet
        case .getPayloadSize: return .getPayloadSize
        }
    }

    /// The payload alone.
    public var payload: [UInt8] {
        switch self {
        case .getVariable(let p): return p.encoded
        case .getNextVariableName(let p): return p.encoded
        case .setVariable(let p): return p.encoded
        case .queryVariableInfo(let p): return p.encoded
        case .readyToBoot, .exitBootService: return []
        case .varCheckVariablePropertySet(let p), .varCheckVariablePropertyGet(let p): return p.encoded
        case .getPayloadSize: return GetPayloadSizeMessage(variablePayloadSize: 0).encoded
        }
    }

    /// The whole MM buffer, MessageLength = 16 + payload.
    public var encoded: [UInt8] {
        SMMVariableFrame.frame(function: function.rawValue, returnStatus: SMMVariableRequest.unansweredStatus,
                               payload: payload)
    }

    /// Decodes a whole MM buffer: headers first (transport faults), then the payload of the function.
    public init(decoding buffer: [UInt8]) throws(MMDecodeError) {
        let frame = try SMMVariableFrame(parsing: buffer)
        try self.init(function: frame.variableHeader.function, payload: buffer,
                      at: SMMVariableFrame.payloadOffset, length: frame.payloadLength)
    }

    /// Decodes the payload of `function` at `offset`; a function we do not serve is
    /// `.unsupportedFunction`.
    public init(function: UInt64, payload bytes: [UInt8], at offset: Int, length: Int) throws(MMDecodeError) {
        guard let known = SMMVariableFunction(rawValue: function) else { throw .unsupportedFunction(function) }
        switch known {
        case .getVariable:
            self = .getVariable(try GetVariableRequest(decoding: bytes, at: offset, length: length))
        case .getNextVariableName:
            self = .getNextVariableName(try GetNextVariableNameRequest(decoding: bytes, at: offset, length: length))
        case .setVariable:
            self = .setVariable(try SetVariableRequest(decoding: bytes, at: offset, length: length))
        case .queryVariableInfo:
            self = .queryVariableInfo(try QueryVariableInfoMessage(decoding: bytes, at: offset, length: length))
        case .readyToBoot:
            self = .readyToBoot
        case .exitBootService:
            self = .exitBootService
        case .varCheckVariablePropertySet:
            self = .varCheckVariablePropertySet(try VarCheckPropertyMessage(decoding: bytes, at: offset, length: length))
        case .varCheckVariablePropertyGet:
            let m = try VarCheckPropertyMessage(decoding: bytes, at: offset, length: length)
            self = .varCheckVariablePropertyGet(VarCheckPropertyMessage(guid: m.guid, name: m.name))
        case .getPayloadSize:
            _ = try GetPayloadSizeMessage(decoding: bytes, at: offset, length: length)
            self = .getPayloadSize
        case .getStatistics, .lockVariable, .initRuntimeVariableCacheContext, .syncRuntimeCache,
             .getRuntimeCacheInfo:
            throw .unsupportedFunction(function)
        }
    }
}
