/// Why a PE/COFF image is refused.
public enum PEError: Error, Equatable, Sendable {
    case notPE, notAArch64, notEFIApplication, badHeaders, sectionOutOfBounds, badRelocation
}

/// A PE32+ EFI application (PE/COFF 11.0; UEFI 2.10 §2.1.1), such as Linux's arm64 Image:
/// "MZ" at 0, the PE header's offset at 0x3C. Parsed from its headers alone; `load` places
/// it (sections, zeroed rest, base relocations).
public struct PEImage: Equatable, Sendable {
    public struct Section: Equatable, Sendable {
        public var virtualAddress: UInt32, virtualSize: UInt32, rawOffset: UInt32, rawSize: UInt32
    }
    public var entryPoint: UInt32
    public var imageBase: UInt64
    public var sectionAlignment: UInt32
    public var sizeOfImage: UInt32
    public var sizeOfHeaders: UInt32
    /// The headers the image was parsed from; the section table is read from them by index
    /// (no array of sections built only to be walked).
    let headers: [UInt8]
    let sectionTable: Int
    public let sectionCount: Int
    /// The base relocation directory (RVA, size); nil when the image has none.
    public var relocations: (rva: UInt32, size: UInt32)?

    public static func == (a: PEImage, b: PEImage) -> Bool {
        a.entryPoint == b.entryPoint && a.imageBase == b.imageBase && a.sizeOfImage == b.sizeOfImage
            && a.sizeOfHeaders == b.sizeOfHeaders && a.sections == b.sections
            && a.relocations?.rva == b.relocations?.rva && a.relocations?.size == b.relocations?.size
    }

    /// Section `i` (below `sectionCount`) of the section table.
    public func section(_ i: Int) -> Section {
        let s = sectionTable + 40 * i, h = headers
        return Section(virtualAddress: UInt32(truncatingIfNeeded: h.le(s + 12, 4)), virtualSize: UInt32(truncatingIfNeeded: h.le(s + 8, 4)),
                       rawOffset: UInt32(truncatingIfNeeded: h.le(s + 20, 4)), rawSize: UInt32(truncatingIfNeeded: h.le(s + 16, 4)))
    }

    public var sections: [Section] { (0..<sectionCount).map { section($0) } }

    public static let machineAArch64: UInt16 = 0xAA64
    public static let subsystemEFIApplication: UInt16 = 10

    /// Whether `prefix` (at least 64 bytes of a file) starts like a PE image: "MZ" and a PE
    /// signature where 0x3C says. What `boot` asks before choosing bootefi over booti.
    public static func looksLikePE(_ prefix: [UInt8]) -> Bool {
        guard prefix.count >= 64, prefix[0] == 0x4D, prefix[1] == 0x5A else { return false }
        let pe = Int(prefix.le(0x3C, 4))
        return pe + 4 <= prefix.count && prefix[pe] == 0x50 && prefix[pe + 1] == 0x45 && prefix[pe + 2] == 0 && prefix[pe + 3] == 0
    }

    /// `headers`: the file's first bytes (all of SizeOfHeaders, or 4 KiB); `fileSize`: the
    /// file's length, which every section's raw data must lie within.
    public init(headers h: [UInt8], fileSize: UInt64) throws(PEError) {
        guard PEImage.looksLikePE(h) else { throw .notPE }
        let pe = Int(h.le(0x3C, 4))
        guard pe + 24 <= h.count else { throw .badHeaders }
        guard UInt16(truncatingIfNeeded: h.le(pe + 4, 2)) == PEImage.machineAArch64 else { throw .notAArch64 }
        let count = Int(h.le(pe + 6, 2))
        let optionalSize = Int(h.le(pe + 20, 2))
        let opt = pe + 24
        guard optionalSize >= 112, opt + optionalSize <= h.count, h.le(opt, 2) == 0x20B else { throw .badHeaders }
        guard UInt16(truncatingIfNeeded: h.le(opt + 68, 2)) == PEImage.subsystemEFIApplication else { throw .notEFIApplication }
        entryPoint = UInt32(truncatingIfNeeded: h.le(opt + 16, 4))
        imageBase = h.le(opt + 24, 8)
        sectionAlignment = UInt32(truncatingIfNeeded: h.le(opt + 32, 4))
        sizeOfImage = UInt32(truncatingIfNeeded: h.le(opt + 56, 4))
        sizeOfHeaders = UInt32(truncatingIfNeeded: h.le(opt + 60, 4))
        let directories = Int(h.le(opt + 108, 4))
        relocations = nil
        if directories > 5 && optionalSize >= 112 + 6 * 8 {
            let rva = UInt32(truncatingIfNeeded: h.le(opt + 112 + 40, 4)), size = UInt32(truncatingIfNeeded: h.le(opt + 112 + 44, 4))
            if size != 0 { relocations = (rva, size) }
        }
        let table = opt + optionalSize
        guard count <= 96, table + 40 * count <= h.count, sizeOfHeaders <= sizeOfImage,
              UInt64(sizeOfHeaders) <= fileSize, entryPoint < sizeOfImage else { throw .badHeaders }
        headers = h; sectionTable = table; sectionCount = count
        for i in 0..<count {
            let section = self.section(i)
            let copied = UInt64(min(section.rawSize, section.virtualSize))
            guard UInt64(section.virtualAddress) + UInt64(section.virtualSize) <= UInt64(sizeOfImage),
                  UInt64(section.rawOffset) + copied <= fileSize else { throw .sectionOutOfBounds }
        }
        if let r = relocations, UInt64(r.rva) + UInt64(r.size) > UInt64(sizeOfImage) { throw .badRelocation }
    }

    /// Copies the headers and sections of `file` into `image` (SizeOfImage bytes, loaded at
    /// `address`), zeroes the rest, and applies the base relocations for that address.
    public func load(file: UnsafeRawBufferPointer, into image: UnsafeMutableRawBufferPointer, at address: UInt64) throws(PEError) {
        guard image.count >= Int(sizeOfImage), file.count >= Int(sizeOfHeaders) else { throw .badHeaders }
        unsafe image.baseAddress!.initializeMemory(as: UInt8.self, repeating: 0, count: Int(sizeOfImage))
        unsafe UnsafeMutableRawBufferPointer(rebasing: image[0..<Int(sizeOfHeaders)])
            .copyMemory(from: UnsafeRawBufferPointer(rebasing: file[0..<Int(sizeOfHeaders)]))
        for i in 0..<sectionCount {
            let s = section(i)
            let n = Int(min(s.rawSize, s.virtualSize))
            guard Int(s.rawOffset) + n <= file.count else { throw .sectionOutOfBounds }
            unsafe UnsafeMutableRawBufferPointer(rebasing: image[Int(s.virtualAddress)..<Int(s.virtualAddress) + n])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: file[Int(s.rawOffset)..<Int(s.rawOffset) + n]))
        }
        guard let r = relocations, address != imageBase else { return }
        let delta = address &- imageBase
        var block = Int(r.rva)
        let end = Int(r.rva) + Int(r.size)
        while block + 8 <= end {
            let page = Int(unsafe image.loadUnaligned(fromByteOffset: block, as: UInt32.self))
            let size = Int(unsafe image.loadUnaligned(fromByteOffset: block + 4, as: UInt32.self))
            guard size >= 8, block + size <= end else { throw .badRelocation }
            var e = block + 8
            while e + 2 <= block + size {
                let entry = unsafe image.loadUnaligned(fromByteOffset: e, as: UInt16.self)
                let at = page + Int(entry & 0xFFF)
                switch entry >> 12 {
                case 0: break                                         // IMAGE_REL_BASED_ABSOLUTE: padding
                case 10:                                              // IMAGE_REL_BASED_DIR64
                    guard at + 8 <= Int(sizeOfImage) else { throw .badRelocation }
                    let v = unsafe image.loadUnaligned(fromByteOffset: at, as: UInt64.self)
                    unsafe image.storeBytes(of: v &+ delta, toByteOffset: at, as: UInt64.self)
                default: throw .badRelocation
                }
                e += 2
            }
            block += size
        }
    }
}
