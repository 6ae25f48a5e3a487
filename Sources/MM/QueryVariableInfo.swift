/// SMM_VARIABLE_COMMUNICATE_QUERY_VARIABLE_INFO (EDK2 `SmmVariableCommon.h`, natural alignment):
/// MaximumVariableStorageSize at 0, RemainingVariableStorageSize at 8, MaximumVariableSize at 16
/// (UINT64 each), Attributes at 24 (UINT32); sizeof = 32 with tail padding (28 if packed).
/// The same layout goes in (Attributes) and out (the three figures).
public struct QueryVariableInfoMessage: SMMVariablePayload {
    public static let size = 32

    public var maximumVariableStorageSize: UInt64
    public var remainingVariableStorageSize: UInt64
    public var maximumVariableSize: UInt64
    public var attributes: UInt32

    public init(maximumVariableStorageSize: UInt64 = 0, remainingVariableStorageSize: UInt64 = 0,
                maximumVariableSize: UInt64 = 0, attributes: UInt32) {
        self.maximumVariableStorageSize = maximumVariableStorageSize
        self.remainingVariableStorageSize = remainingVariableStorageSize
        self.maximumVariableSize = maximumVariableSize
        self.attributes = attributes
    }

    public var encoded: [UInt8] {
        var out = [UInt8](repeating: 0, count: QueryVariableInfoMessage.size)
        out.putLE64(maximumVariableStorageSize, at: 0)
        out.putLE64(remainingVariableStorageSize, at: 8)
        out.putLE64(maximumVariableSize, at: 16)
        out.putLE32(attributes, at: 24)
        return out
    }

    /// Needs the full 32 bytes, as EDK2 checks `sizeof`.
    public init(decoding bytes: [UInt8], at offset: Int, length: Int) throws(MMDecodeError) {
        try checkPayload(bytes, at: offset, length: length, fixed: QueryVariableInfoMessage.size)
        maximumVariableStorageSize = bytes.le64(at: offset)
        remainingVariableStorageSize = bytes.le64(at: offset + 8)
        maximumVariableSize = bytes.le64(at: offset + 16)
        attributes = bytes.le32(at: offset + 24)
    }
}

/// SMM_VARIABLE_COMMUNICATE_GET_PAYLOAD_SIZE: VariablePayloadSize at 0 (UINTN).
public struct GetPayloadSizeMessage: SMMVariablePayload {
    public static let size = 8

    public var variablePayloadSize: UInt64

    public init(variablePayloadSize: UInt64) { self.variablePayloadSize = variablePayloadSize }

    public var encoded: [UInt8] {
        var out = [UInt8](repeating: 0, count: GetPayloadSizeMessage.size)
        out.putLE64(variablePayloadSize, at: 0)
        return out
    }

    public init(decoding bytes: [UInt8], at offset: Int, length: Int) throws(MMDecodeError) {
        try checkPayload(bytes, at: offset, length: length, fixed: GetPayloadSizeMessage.size)
        variablePayloadSize = bytes.le64(at: offset)
    }
}
