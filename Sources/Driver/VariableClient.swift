import MM
import Variables

/// UEFI variable services as SMM variable messages (EDK2 layouts, written and read in place
/// through MM's views) over any `MMTransport`. Every request is checked locally against the
/// partition's payload size and the buffer before it is sent; every answer is decoded or reported
/// as EFI_DEVICE_ERROR.
public struct VariableClient<T: MMTransport> {
    public var transport: T
    /// Largest payload (after both headers) a request may carry: GET_PAYLOAD_SIZE − 2 (U-Boot's
    /// allowance for old EDK2 counting a 25-byte header), bounded by the buffer. 0 until
    /// `initialize()` succeeds.
    public private(set) var maximumPayload: Int = 0

    public init(transport: T) { self.transport = transport }

    /// The payload size U-Boot requires at least: sizeof(SMM_VARIABLE_COMMUNICATE_ACCESS_VARIABLE)
    /// (40) + 0x20.
    public static var minimumPayloadSize: Int { 72 }

    /// GET_PAYLOAD_SIZE (function 11): must come first. An answer under 72 bytes is a broken
    /// partition (EFI_DEVICE_ERROR).
    public mutating func initialize() -> EFIStatus {
        maximumPayload = 0
        let reply = send(.getPayloadSize, checkedPayload: GetPayloadSizeMessage.size, payload: { b in
            b.mmPut64(0, at: MMMessageView.payloadOffset)
            return GetPayloadSizeMessage.size
        }, decodes: { $0.payloadLength >= GetPayloadSizeMessage.size }, answer: { status, m -> (EFIStatus, UInt64) in
            guard status == .success else { return (status, 0) }
            guard m.payloadLength >= GetPayloadSizeMessage.size else { return (.deviceError, 0) }
            return (.success, m.raw.mmLE64(MMMessageView.payloadOffset))
        }, failed: { ($0, 0) })
        guard reply.0 == .success else { return reply.0 }
        let size = reply.1
        guard size >= UInt64(Self.minimumPayloadSize) else { return .deviceError }
        let room = transport.bufferSize - SMMVariableFrame.payloadOffset
        guard room >= Self.minimumPayloadSize - 2 else { return .badBufferSize }
        let usable = size - 2
        maximumPayload = usable < UInt64(room) ? Int(usable) : room
        return .success
    }

    public var isInitialized: Bool { maximumPayload > 0 }
}
