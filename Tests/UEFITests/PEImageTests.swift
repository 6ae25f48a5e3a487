import Testing
@testable import UEFI

/// A minimal PE32+ EFI application: headers in the first 0x200 bytes, .text (raw 0x200 bytes at
/// file 0x200, virtual 0x1000 of size 0x300: the tail is zero-fill), a .reloc with one DIR64
/// entry for the quadword at RVA 0x1010, SizeOfImage 0x3000.
func tinyPE(machine: UInt16 = 0xAA64, subsystem: UInt16 = 10, relocation: UInt16 = 0xA010) -> [UInt8] {
    var f = [UInt8](repeating: 0, count: 0x600)
    f[0] = 0x4D; f[1] = 0x5A
    f.put(0x40, at: 0x3C, 4)
    f[0x40] = 0x50; f[0x41] = 0x45
    f.put(UInt64(machine), at: 0x44, 2)
    f.put(2, at: 0x46, 2)                      // sections
    f.put(240, at: 0x54, 2)                    // SizeOfOptionalHeader (16 directories)
    let o = 0x58
    f.put(0x20B, at: o, 2)
    f.put(0x1008, at: o + 16, 4)               // AddressOfEntryPoint
    f.put(0x1_0000_0000, at: o + 24)           // ImageBase
    f.put(0x1000, at: o + 32, 4)               // SectionAlignment
    f.put(0x3000, at: o + 56, 4)               // SizeOfImage
    f.put(0x200, at: o + 60, 4)                // SizeOfHeaders
    f.put(UInt64(subsystem), at: o + 68, 2)
    f.put(16, at: o + 108, 4)
    f.put(0x2000, at: o + 112 + 40, 4)         // base relocation directory
    f.put(12, at: o + 112 + 44, 4)
    let s = o + 240
    f.put(0x300, at: s + 8, 4); f.put(0x1000, at: s + 12, 4); f.put(0x200, at: s + 16, 4); f.put(0x200, at: s + 20, 4)
    f.put(0x100, at: s + 48, 4); f.put(0x2000, at: s + 52, 4); f.put(0x200, at: s + 56, 4); f.put(0x400, at: s + 60, 4)
    for i in 0..<0x200 { f[0x200 + i] = 0xCC }
    f.put(0x1_0000_1100, at: 0x210)            // a pointer to RVA 0x1100 at the preferred base
    f.put(0x1000, at: 0x400, 4); f.put(12, at: 0x404, 4)
    f.put(UInt64(relocation), at: 0x408, 2)
    f.put(0, at: 0x40A, 2)                     // IMAGE_REL_BASED_ABSOLUTE padding
    return f
}

/// `f`'s headers parsed where they lie.
func parse(_ f: [UInt8], fileSize: UInt64) throws(PEError) -> PEImage {
    var result: Result<PEImage, PEError> = .failure(.notPE)
    f.withUnsafeBytes { h in result = Result { () throws(PEError) in try PEImage(headers: h, fileSize: fileSize) } }
    return try result.get()
}

extension PEImage {
    func sections(in f: [UInt8]) -> [Section] { f.withUnsafeBytes { h in (0..<sectionCount).map { section($0, in: h) } } }
}

/// `f` loaded at `address`, or why not.
func loaded(_ pe: PEImage, _ f: [UInt8], at address: UInt64) -> (image: [UInt8], error: PEError?) {
    var image = [UInt8](repeating: 0xEE, count: Int(pe.sizeOfImage))
    var failure: PEError? = nil
    f.withUnsafeBytes { file in
        image.withUnsafeMutableBytes { out in
            do throws(PEError) { try pe.load(file: file, into: out, at: address) } catch { failure = error }
        }
    }
    return (image, failure)
}

@Suite struct PEImageTests {
    @Test func theHeadersOfAnAArch64EFIApplicationAreRead() throws {
        let f = tinyPE()
        #expect(f.withUnsafeBytes { PEImage.looksLikePE($0) })
        let pe = try parse(f, fileSize: UInt64(f.count))
        #expect(pe.entryPoint == 0x1008 && pe.sizeOfImage == 0x3000 && pe.sizeOfHeaders == 0x200 && pe.imageBase == 0x1_0000_0000)
        #expect(pe.sections(in: f).count == 2 && pe.sections(in: f)[0].virtualAddress == 0x1000 && pe.sections(in: f)[0].rawSize == 0x200)
        #expect(pe.relocations?.rva == 0x2000 && pe.relocations?.size == 12)
    }

    @Test func loadingPlacesSectionsZeroesTheRestAndRelocates() throws {
        let f = tinyPE()
        let pe = try parse(f, fileSize: UInt64(f.count))
        let (image, error) = loaded(pe, f, at: 0x4800_0000)
        #expect(error == nil)
        #expect(Array(image[0..<2]) == [0x4D, 0x5A] && image[0x1000] == 0xCC && image[0x11FF] == 0xCC)
        #expect(image[0x1200..<0x2000].allSatisfy { $0 == 0 } && image[0x2100..<0x3000].allSatisfy { $0 == 0 })
        #expect(image.le(0x1010, 8) == 0x4800_1100)
        let same = loaded(pe, f, at: 0x1_0000_0000).image
        #expect(same.le(0x1010, 8) == 0x1_0000_1100)
    }

    @Test func badImagesAreRefused() throws {
        var f = tinyPE()
        f[0x40] = 0x4E
        #expect(!f.withUnsafeBytes { PEImage.looksLikePE($0) })
        #expect(throws: PEError.notPE) { try parse(f, fileSize: 0x600) }
        #expect(throws: PEError.notAArch64) { try parse(tinyPE(machine: 0x8664), fileSize: 0x600) }
        #expect(throws: PEError.notEFIApplication) { try parse(tinyPE(subsystem: 3), fileSize: 0x600) }
        #expect(throws: PEError.sectionOutOfBounds) { try parse(tinyPE(), fileSize: 0x3FF) }
        var big = tinyPE()
        big.put(0x3000, at: 0x58 + 240 + 12, 4)                    // .text past SizeOfImage
        #expect(throws: PEError.sectionOutOfBounds) { try parse(big, fileSize: 0x600) }
        var table = tinyPE()
        table.put(0x190, at: 0x58 + 60, 4)                          // SizeOfHeaders short of the section table's end (0x198)
        #expect(throws: PEError.badHeaders) { try parse(table, fileSize: 0x600) }
        // The file changed after its headers were checked: load reads the section table again
        // and refuses a section now past SizeOfImage (or its raw data past the file).
        let pe = try parse(tinyPE(), fileSize: 0x600)
        for (field, value) in [(12, 0x2F00), (12, 0xFFFF_FF00), (20, 0x500), (20, 0xFFFF_FF00)] as [(Int, UInt64)] {
            var changed = tinyPE()
            changed.put(value, at: 0x58 + 240 + field, 4)                // .text's VirtualAddress or PointerToRawData
            #expect(loaded(pe, changed, at: 0x4000_0000).error == .sectionOutOfBounds)
        }
        let f2 = tinyPE(relocation: 0x3010)                          // IMAGE_REL_BASED_HIGHLOW: not for arm64
        #expect(loaded(try parse(f2, fileSize: 0x600), f2, at: 0x4000_0000).error == .badRelocation)
    }
}
