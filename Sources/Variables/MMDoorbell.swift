import MM

/// The MM partition's view of the shared buffer: reads see what the normal world wrote (the
/// image invalidates the range first), writes become visible to it (the image cleans after).
public protocol MMSharedWindow {
    mutating func read(_ offset: Int, count: Int) -> [UInt8]
    mutating func write(_ bytes: [UInt8], at offset: Int)
}

/// One MM doorbell (FFA_MSG_SEND_DIRECT_REQ_64) as the partition serves it (docs/mm-protocol.md).
///
/// x3 is either an offset into the buffer (U-Boot, Trusted Services) or the message's physical
/// address inside it (EDK2). MessageLength is read once and bounded, the whole message is copied
/// once into secure memory (no double fetch), the handler runs on the copy, and the response is
/// written back over the request. Anything else in x3 (a ping, say) is refused, never followed.
public enum MMDoorbell {
    public struct Result: Equatable, Sendable {
        public var code: MMReturnCode
        /// The caller used the physical-address form: it expects x3 = 0 and faults as FFA_ERROR.
        public var physicalAddressForm: Bool
    }

    public static func serve<W: MMSharedWindow, P: VariablePersistence>(
        x3: UInt64, bufferBase: UInt64, bufferSize: Int, window: inout W,
        handler: inout MMVariableHandler<P>
    ) -> Result {
        let size = UInt64(bufferSize)
        let pa = x3 >= bufferBase && x3 - bufferBase < size
        guard pa || x3 < size else { return Result(code: .invalidParameter, physicalAddressForm: false) }
        let offset = pa ? x3 - bufferBase : x3
        func refuse() -> Result { Result(code: .invalidParameter, physicalAddressForm: pa) }
        let header = MMCommunicateHeader.size
        guard offset <= size - UInt64(header) else { return refuse() }
        let at = Int(offset)
        let room = bufferSize - at
        let lengthBytes = window.read(at + 16, count: 8)
        guard lengthBytes.count == 8 else { return refuse() }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(lengthBytes[i]) << (8 * UInt64(i)) }
        guard length <= UInt64(room - header) else { return refuse() }
        let request = window.read(at, count: header + Int(length))
        guard request.count == header + Int(length) else { return refuse() }
        let (response, code) = handler.handle(request: request)
        if code == .success && response.count <= room { window.write(response, at: at) }
        return Result(code: code, physicalAddressForm: pa)
    }
}
