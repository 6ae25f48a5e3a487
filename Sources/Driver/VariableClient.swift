import MM
import Variables

/// UEFI variable services as SMM variable messages (EDK2 layouts, built by MM's codecs) over any
/// `MMTransport`. Every request is checked locally against the partition's payload size and the
/// buffer before it is sent; every answer is decoded or reported as EFI_DEVICE_ERROR.
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
        let reply = exchange(.getPayloadSize, checkedPayload: GetPayloadSizeMessage.size, unchecked: true)
        guard case .answered(let response) = reply else { return reply.status }
        guard response.status == .success else { return response.status }
        guard case .payloadSize(let size) = response.payload, size >= UInt64(Self.minimumPayloadSize) else {
            return .deviceError
        }
        let room = transport.bufferSize - SMMVariableFrame.payloadOffset
        guard room >= Self.minimumPayloadSize - 2 else { return .badBufferSize }
        let usable = size - 2
        maximumPayload = usable < UInt64(room) ? Int(usable) : room
        return .success
    }

    public var isInitialized: Bool { maximumPayload > 0 }

    // MARK: - Plumbing

    enum Reply {
        case answered(SMMVariableResponse)
        case failed(EFIStatus)

        var status: EFIStatus {
            switch self {
            case .answered(let r): return r.status
            case .failed(let s): return s
            }
        }
    }

    /// Sends `request` after the local checks and decodes the answer. `checkedPayload` is the
    /// payload size to check: more than the payload limit is EFI_INVALID_PARAMETER, more than the
    /// buffer EFI_BAD_BUFFER_SIZE. ReturnStatus goes out as MM's non-success sentinel.
    mutating func exchange(_ request: SMMVariableRequest, checkedPayload: Int, unchecked: Bool = false) -> Reply {
        if !unchecked {
            guard isInitialized else { return .failed(.notReady) }
            guard checkedPayload <= maximumPayload else { return .failed(.invalidParameter) }
        }
        let message = request.encoded
        guard message.count <= transport.bufferSize else { return .failed(.badBufferSize) }
        let answer: [UInt8]
        do throws(MMTransportError) {
            answer = try transport.communicate(message)
        } catch {
            return .failed(EFIStatus(error))
        }
        guard let response = try? SMMVariableResponse(decoding: answer),
              response.function == request.function.rawValue else { return .failed(.deviceError) }
        return .answered(response)
    }
}
