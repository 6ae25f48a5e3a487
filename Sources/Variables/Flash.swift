/// A NOR flash region as the variable log sees it: `size` bytes from offset 0, erased in blocks of
/// `eraseBlockSize` bytes to all-ones, programmed in aligned units of `programGranule` bytes.
/// Programming can only clear bits (a 0 bit stays 0 until its block is erased).
///
/// QEMU's `pflash_cfi01` with a 4-byte bank width is the model: word program on aligned 32-bit
/// words, block erase of 256 KiB. The image implements this over the CFI command set (and switches
/// the device back to read-array mode before `read`); tests use `RAMFlash`.
public protocol Flash {
    /// Bytes in the region; a whole number of erase blocks.
    var size: Int { get }
    /// Bytes in one erase block.
    var eraseBlockSize: Int { get }
    /// Alignment and length unit of `program`, in bytes (4 for a 32-bit bank).
    var programGranule: Int { get }
    /// The bytes at `offset..<offset + count`. Callers keep the range inside `size`.
    func read(offset: Int, count: Int) -> [UInt8]
    /// Copies the bytes at `offset..<offset + buffer.count` into `buffer` (no array built).
    /// Callers keep the range inside `size`.
    func read(offset: Int, into buffer: UnsafeMutableRawBufferPointer)
    /// Whether the `count` bytes at `offset` all read 0xFF. Callers keep the range inside `size`.
    func isErased(offset: Int, count: Int) -> Bool
    /// ANDs `bytes` into the flash at `offset`. `offset` and `bytes.count` are multiples of
    /// `programGranule`. When it throws, any subset of the bits to clear may have been cleared.
    mutating func program(offset: Int, bytes: [UInt8]) throws(FlashError)
    /// Sets every byte of block `block` (offset `block * eraseBlockSize`) to 0xFF. When it throws,
    /// the block's contents are undefined.
    mutating func erase(block: Int) throws(FlashError)
}

/// Why a program or erase failed.
public enum FlashError: Error, Equatable, Sendable {
    /// The range is not inside the region.
    case outOfRange
    /// Offset or length is not a multiple of the program granule.
    case misaligned
    /// The device reported a failed program or erase (CFI status register), or lost power.
    case deviceFailure
}

/// Array-based defaults, for media that only implement `read(offset:count:)` (the tests' RAM flash).
extension Flash {
    public func read(offset: Int, into buffer: UnsafeMutableRawBufferPointer) {
        let bytes = read(offset: offset, count: buffer.count)
        for i in 0..<min(bytes.count, buffer.count) { buffer[i] = bytes[i] }
    }

    public func isErased(offset: Int, count: Int) -> Bool {
        var at = offset
        let end = offset + count
        while at < end {
            let n = min(512, end - at)
            for x in read(offset: at, count: n) where x != 0xFF { return false }
            at += n
        }
        return true
    }
}
