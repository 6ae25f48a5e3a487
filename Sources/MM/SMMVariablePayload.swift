/// One payload structure of the SMM variable protocol: encoded by explicit offsets, decoded from
/// `length` bytes at `offset` of a buffer with every size checked before it is used.
public protocol SMMVariablePayload: Equatable, Sendable {
    /// The payload bytes (what follows the two headers).
    var encoded: [UInt8] { get }
    init(decoding bytes: [UInt8], at offset: Int, length: Int) throws(MMDecodeError)
}

extension SMMVariablePayload {
    /// Decodes a payload that is the whole of `payload`.
    public init(payload: [UInt8]) throws(MMDecodeError) {
        try self.init(decoding: payload, at: 0, length: payload.count)
    }
}

/// The payload span must lie in the buffer and hold at least `fixed` bytes.
func checkPayload(_ bytes: [UInt8], at offset: Int, length: Int, fixed: Int) throws(MMDecodeError) {
    guard fits(offset: offset, length: length, in: bytes.count), length >= fixed else { throw .truncatedPayload }
}

/// A name field of `size` bytes at `offset` (already known to fit): at least one character,
/// whole characters, and NUL at character NameSize/2 - 1, as EDK2's handler requires.
func checkName(_ bytes: [UInt8], at offset: Int, size: Int) throws(MMDecodeError) {
    guard size >= 2 else { throw .nameSizeTooSmall }
    guard size % 2 == 0 else { throw .nameSizeOdd }
    guard bytes[offset + size - 2] == 0, bytes[offset + size - 1] == 0 else { throw .nameNotTerminated }
}
