import MM

/// The MM partition's view of the shared buffer: reads see what the normal world wrote (the
/// image invalidates the range first), writes become visible to it (the image cleans after).
public protocol MMSharedWindow {
    mutating func read(_ offset: Int, count: Int) -> [UInt8]
    mutating func write(_ bytes: [UInt8], at offset: Int)
    /// Copies `buffer.count` bytes from `offset` into `buffer` (no array).
    mutating func read(_ offset: Int, into buffer: UnsafeMutableRawBufferPointer)
    /// Copies `bytes` to `offset` (no array).
    mutating func write(_ bytes: UnsafeRawBufferPointer, at offset: Int)
    /// The little-endian 64-bit word at `offset` (a message's MessageLength), read once.
    mutating func word(at offset: Int) -> UInt64
}

/// Array-based defaults, for windows that only move arrays (host tests).
extension MMSharedWindow {
    public mutating func read(_ offset: Int, into buffer: UnsafeMutableRawBufferPointer) {
        let bytes = read(offset, count: buffer.count)
        for i in 0..<min(bytes.count, buffer.count) { buffer[i] = bytes[i] }
    }

    public mutating func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
        write([UInt8](bytes), at: offset)
    }

    public mutating func word(at offset: Int) -> UInt64 {
        var w: UInt64 = 0
        withUnsafeMutableBytes(of: &w) { read(offset, into: $0) }
        return UInt64(littleEndian: w)
    }
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
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { scratch.deallocate() }
        return serve(x3: x3, bufferBase: bufferBase, bufferSize: bufferSize, window: &window, handler: &handler,
                     scratch: scratch)
    }

    /// Where x3 points: the message's offset in the buffer and whether x3 was its physical
    /// address; nil when x3 is neither an offset nor an address inside the buffer (`serve` then
    /// answers INVALID_PARAMETER in the offset form, touching nothing).
    @inline(__always)
    public static func locate(x3: UInt64, bufferBase: UInt64, bufferSize: Int) -> (offset: UInt64, physicalAddressForm: Bool)? {
        let size = UInt64(bufferSize)
        let pa = x3 >= bufferBase && x3 - bufferBase < size
        guard pa || x3 < size else { return nil }
        return (pa ? x3 - bufferBase : x3, pa)
    }

    /// The same with `scratch`, secure memory of at least `bufferSize` bytes, to hold the copy:
    /// the image passes one it allocated once, so a message costs no allocation.
    public static func serve<W: MMSharedWindow, P: VariablePersistence>(
        x3: UInt64, bufferBase: UInt64, bufferSize: Int, window: inout W,
        handler: inout MMVariableHandler<P>, scratch: UnsafeMutableRawBufferPointer
    ) -> Result {
        let size = UInt64(bufferSize)
        guard let (offset, pa) = locate(x3: x3, bufferBase: bufferBase, bufferSize: bufferSize)
        else { return Result(code: .invalidParameter, physicalAddressForm: false) }
        func refuse() -> Result { Result(code: .invalidParameter, physicalAddressForm: pa) }
        let header = MMCommunicateHeader.size
        guard offset <= size - UInt64(header), scratch.count >= bufferSize else { return refuse() }
        let at = Int(offset)
        let room = bufferSize - at
        // MessageLength once, bounded, then the whole message once into secure memory.
        let length = window.word(at: at + 16)
        guard length <= UInt64(room - header) else { return refuse() }
        let message = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<(header + Int(length))])
        window.read(at, into: message)
        // The length was read twice: the handler must see the one that was bounded.
        message.mmPut64(length, at: 16)
        let (count, code) = handler.handle(message: message)
        if code == .success && count <= room {
            window.write(UnsafeRawBufferPointer(rebasing: message[0..<count]), at: at)
        }
        return Result(code: code, physicalAddressForm: pa)
    }
}
