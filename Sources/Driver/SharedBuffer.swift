/// The non-secure memory both worlds use for MM messages (board.h: BOARD_MM_BUFFER_BASE).
/// Offsets are from the start of the buffer; the image maps it and adds its own base address.
public protocol SharedMemory {
    /// Bytes of the buffer, fixed for its life (a transport over it keeps its size at its choice).
    var size: Int { get }
    /// Copies `bytes` to `offset`; the caller keeps `offset + bytes.count ≤ size`.
    mutating func write(_ bytes: [UInt8], at offset: Int)
    /// `count` bytes from `offset`; the caller keeps the range inside the buffer.
    func read(at offset: Int, count: Int) -> [UInt8]
    /// The whole buffer as memory this world can load and store, for messages built and read in
    /// place; nil when it is only reachable through `write`/`read` (test fakes).
    var bytes: UnsafeMutableRawBufferPointer? { get }
}

extension SharedMemory {
    public var bytes: UnsafeMutableRawBufferPointer? { nil }
}

/// Data-cache maintenance by VA over a range of the shared buffer (docs/mm-protocol.md): never a
/// whole-cache set/way operation, which can discard the very message just written.
public protocol CacheMaintenance {
    /// Clean [offset, offset + length) to the point of coherency (DC CVAC or CIVAC, then DSB),
    /// so the other world sees what we wrote.
    mutating func cleanToPoC(offset: Int, length: Int)
    /// Invalidate [offset, offset + length) (DC IVAC or CIVAC, then DSB) before reading what the
    /// other world wrote.
    mutating func invalidate(offset: Int, length: Int)
}
