/// The 64-byte header at the start of an arm64 kernel `Image` (Linux,
/// Documentation/arch/arm64/booting.rst, "Call the kernel image"). All fields little-endian.
public struct ImageHeader: Equatable, Sendable {
    public static let size = 64
    /// "ARM\x64" read as a little-endian u32 at offset 0x38.
    public static let magic: UInt32 = 0x644D_5241
    /// What U-Boot assumes for kernels older than 3.17, whose image_size is 0.
    public static let legacyTextOffset: UInt64 = 0x8_0000
    public static let legacyImageSize: UInt64 = 16 << 20

    /// Bytes between the 2 MiB-aligned base and the first byte of the Image.
    public var textOffset: UInt64
    /// Bytes the kernel occupies from its start, .bss included.
    public var imageSize: UInt64
    public var flags: UInt64
    /// False when image_size was 0 and the legacy values above were substituted.
    public var sizeGiven: Bool

    /// flags bit 0: kernel endianness (1 = big-endian).
    public var bigEndian: Bool { flags & 1 != 0 }
    /// flags bits 1-2: 0 unspecified, 1 4K, 2 16K, 3 64K.
    public var pageSizeField: UInt64 { (flags >> 1) & 3 }
    /// flags bit 3: 1 = the 2 MiB-aligned base may be anywhere in RAM; 0 = as close as
    /// possible to the base of DRAM.
    public var placeAnywhere: Bool { flags & 8 != 0 }
    /// From the 2 MiB-aligned base to the end of the kernel.
    public var footprint: UInt64 { textOffset &+ imageSize }

    public init(textOffset: UInt64, imageSize: UInt64, flags: UInt64) {
        self.textOffset = textOffset
        self.imageSize = imageSize
        self.flags = flags
        self.sizeGiven = true
    }

    /// Decodes the first 64 bytes of an Image; refuses anything without the magic, and kernels
    /// that expect a big-endian CPU.
    public init(_ bytes: [UInt8]) throws(BootError) {
        guard bytes.count >= ImageHeader.size else { throw .notAnImage }
        func u64(_ at: Int) -> UInt64 {
            var v: UInt64 = 0
            for i in (0..<8).reversed() { v = v << 8 | UInt64(bytes[at + i]) }
            return v
        }
        let magic = UInt32(truncatingIfNeeded: u64(0x38))
        guard magic == ImageHeader.magic else { throw .notAnImage }
        self.init(textOffset: u64(8), imageSize: u64(16), flags: u64(24))
        guard !bigEndian else { throw .bigEndianImage }
        if imageSize == 0 {
            textOffset = ImageHeader.legacyTextOffset
            imageSize = ImageHeader.legacyImageSize
            sizeGiven = false
        }
        guard textOffset < 2 << 20, imageSize <= 1 << 40 else { throw .badImageHeader }
    }
}
