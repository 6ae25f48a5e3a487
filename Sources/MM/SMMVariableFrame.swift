/// The two headers of an SMM variable message and where its payload lies:
/// `[EFI_MM_COMMUNICATE_HEADER][SMM_VARIABLE_COMMUNICATE_HEADER][payload]`.
public struct SMMVariableFrame: Equatable, Sendable {
    /// Where the payload starts in a whole buffer (24 + 16).
    public static let payloadOffset = MMCommunicateHeader.size + SMMVariableHeader.size

    public var communicateHeader: MMCommunicateHeader
    public var variableHeader: SMMVariableHeader
    /// Payload bytes: MessageLength - 16.
    public var payloadLength: Int

    /// Parses and checks the headers of a whole buffer, overflow-proof: 24 bytes, HeaderGuid =
    /// gEfiSmmVariableProtocolGuid, 24 + MessageLength within `buffer`, MessageLength ≥ 16.
    public init(parsing buffer: [UInt8]) throws(MMDecodeError) {
        let header = try MMCommunicateHeader(decoding: buffer)
        guard header.headerGuid == .smmVariableProtocol else { throw .unknownHeaderGuid(header.headerGuid) }
        guard header.messageLength >= UInt64(SMMVariableHeader.size) else { throw .truncatedVariableHeader }
        communicateHeader = header
        variableHeader = try SMMVariableHeader(decoding: buffer, at: MMCommunicateHeader.size)
        // MMCommunicateHeader checked 24 + MessageLength ≤ buffer.count, so this is a small Int.
        payloadLength = Int(header.messageLength) - SMMVariableHeader.size
    }

    /// A whole buffer: both headers, MessageLength = 16 + payload, then `payload`.
    public static func frame(function: UInt64, returnStatus: EFIStatus, payload: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: payloadOffset + payload.count)
        MMCommunicateHeader(headerGuid: .smmVariableProtocol,
                            messageLength: UInt64(SMMVariableHeader.size + payload.count))
            .encode(into: &out, at: 0)
        SMMVariableHeader(function: function, returnStatus: returnStatus).encode(into: &out, at: MMCommunicateHeader.size)
        out.put(payload, at: payloadOffset)
        return out
    }
}
