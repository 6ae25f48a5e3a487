import Testing
@testable import Boot

/// A 64-byte arm64 Image header (booting.rst), little-endian fields.
func header(textOffset: UInt64 = 0, imageSize: UInt64 = 0x201_0000, flags: UInt64 = 0xA,
            magic: UInt32 = 0x644D_5241) -> [UInt8] {
    func le(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
    var b = le(0x1400_0000_9140_0000, 8)           // code0/code1
    b += le(textOffset, 8) + le(imageSize, 8) + le(flags, 8)
    b += [UInt8](repeating: 0, count: 24)          // res2..res4
    b += le(UInt64(magic), 4) + le(0x40, 4)        // magic, res5 (PE offset)
    return b
}

@Suite struct ImageHeaderTests {
    @Test func decodesDebiansKernelHeader() throws {
        // Debian 6.1 arm64: text_offset 0, image_size 0x2010000, flags 0xA (LE, 4K, anywhere).
        let h = try ImageHeader(header())
        #expect(h.textOffset == 0)
        #expect(h.imageSize == 0x201_0000)
        #expect(h.placeAnywhere)
        #expect(!h.bigEndian)
        #expect(h.pageSizeField == 1)
        #expect(h.sizeGiven)
        #expect(h.footprint == 0x201_0000)
    }

    @Test func refusesWithoutTheMagic() {
        #expect(throws: BootError.notAnImage) { try ImageHeader(header(magic: 0x644D_5242)) }
        #expect(throws: BootError.notAnImage) { try ImageHeader([UInt8](repeating: 0, count: 64)) }
        #expect(throws: BootError.notAnImage) { try ImageHeader(Array(header().prefix(63))) }
        // An ELF file is not an Image.
        #expect(throws: BootError.notAnImage) { try ImageHeader([0x7F, 0x45, 0x4C, 0x46] + [UInt8](repeating: 0, count: 60)) }
    }

    @Test func refusesBigEndianKernels() {
        #expect(throws: BootError.bigEndianImage) { try ImageHeader(header(flags: 0xB)) }
    }

    @Test func refusesAbsurdFields() {
        #expect(throws: BootError.badImageHeader) { try ImageHeader(header(textOffset: 2 << 20)) }
        #expect(throws: BootError.badImageHeader) { try ImageHeader(header(imageSize: UInt64.max)) }
    }

    @Test func zeroImageSizeMeansAPre317Kernel() throws {
        let h = try ImageHeader(header(textOffset: 0, imageSize: 0, flags: 0))
        #expect(!h.sizeGiven)
        #expect(h.textOffset == 0x8_0000)
        #expect(h.imageSize == 16 << 20)
        #expect(!h.placeAnywhere)
    }
}
