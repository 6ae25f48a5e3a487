/// Why a PE/COFF image is refused.
public enum PEError: Error, Equatable, Sendable {
    case notPE, notAArch64, notEFIApplication, badHeaders, sectionOutOfBounds, badRelocation
}

/// A PE32+ EFI application (PE/COFF 11.0; UEFI 2.10 §2.1.1), such as Linux's arm64 Image:
/// "MZ" at 0, the PE header's offset at 0x3C. Parsed from its headers alone, where they lie
/// (no copy); `load` places it (sections, zeroed rest, base relocations).
public struct PEImage: Sendable {
    public struct Section: Equatable, Sendable {
        public var virtualAddress: UInt32, virtualSize: UInt32, rawOffset: UInt32, rawSize: UInt32
    }
    public var entryPoint: UInt32
    public var imageBase: UInt64
    public var sectionAlignment: UInt32
    public var sizeOfImage: UInt32
    public var sizeOfHeaders: UInt32
    /// Where the section table lies in the file (within SizeOfHeaders); it is read from the file
    /// by index (no array of sections built only to be walked).
    let sectionTable: Int
    public let sectionCount: Int
    /// The base relocation directory (RVA, size); nil when the image has none.
    public var relocations: (rva: UInt32, size: UInt32)?

    /// Section `i` (below `sectionCount`) of the section table in `file` (the file's first
    /// SizeOfHeaders bytes at least, as `init` and `load` check).
    public func section(_ i: Int, in file: UnsafeRawBufferPointer) -> Section {
        let s = sectionTable + 40 * i
        return Section(virtualAddress: unsafe file.le32(s + 12), virtualSize: unsafe file.le32(s + 8),
                       rawOffset: unsafe file.le32(s + 20), rawSize: unsafe file.le32(s + 16))
    }

    public static let machineAArch64: UInt16 = 0xAA64
    public static let subsystemEFIApplication: UInt16 = 10

    /// Whether `prefix` (at least 64 bytes of a file) starts like a PE image: "MZ" and a PE
    /// signature where 0x3C says. What `boot` asks before choosing bootefi over booti.
    public static func looksLikePE(_ prefix: UnsafeRawBufferPointer) -> Bool {
        guard prefix.count >= 64, unsafe prefix.le16(0) == 0x5A4D else { return false }
        let pe = Int(unsafe prefix.le32(0x3C))
        guard pe + 4 <= prefix.count else { return false }
        return unsafe prefix.le32(pe) == 0x0000_4550   // "PE\0\0"
    }

    /// `headers`: the file's first bytes (all of SizeOfHeaders, or 4 KiB); `fileSize`: the
    /// file's length, which every section's raw data must lie within. Every field is read
    /// after a check that it lies within `headers`.
    public init(headers h: UnsafeRawBufferPointer, fileSize: UInt64) throws(PEError) {
        guard PEImage.looksLikePE(h) else { throw .notPE }
        let pe = Int(unsafe h.le32(0x3C))
        guard pe + 24 <= h.count else { throw .badHeaders }
        guard unsafe h.le16(pe + 4) == PEImage.machineAArch64 else { throw .notAArch64 }
        let count = Int(unsafe h.le16(pe + 6))
        let optionalSize = Int(unsafe h.le16(pe + 20))
        let opt = pe + 24
        guard optionalSize >= 112, opt + optionalSize <= h.count, unsafe h.le16(opt) == 0x20B else { throw .badHeaders }
        guard unsafe h.le16(opt + 68) == PEImage.subsystemEFIApplication else { throw .notEFIApplication }
        entryPoint = unsafe h.le32(opt + 16)
        imageBase = unsafe h.loadUnaligned(fromByteOffset: opt + 24, as: UInt64.self)
        sectionAlignment = unsafe h.le32(opt + 32)
        sizeOfImage = unsafe h.le32(opt + 56)
        sizeOfHeaders = unsafe h.le32(opt + 60)
        let directories = unsafe h.le32(opt + 108)
        relocations = nil
        if directories > 5 && optionalSize >= 112 + 6 * 8 {
            let rva = unsafe h.le32(opt + 112 + 40), size = unsafe h.le32(opt + 112 + 44)
            if size != 0 { relocations = (rva, size) }
        }
        let table = opt + optionalSize
        // The section table lies within the headers (SizeOfHeaders counts it: PE/COFF §3.4.2,
        // "Optional Header Windows-Specific Fields").
        guard count <= 96, table + 40 * count <= h.count, table + 40 * count <= Int(sizeOfHeaders), sizeOfHeaders <= sizeOfImage,
              UInt64(sizeOfHeaders) <= fileSize, entryPoint < sizeOfImage else { throw .badHeaders }
        sectionTable = table; sectionCount = count
        for i in 0..<count {
            let section = self.section(i, in: h)
            let copied = UInt64(min(section.rawSize, section.virtualSize))
            guard UInt64(section.virtualAddress) + UInt64(section.virtualSize) <= UInt64(sizeOfImage),
                  UInt64(section.rawOffset) + copied <= fileSize else { throw .sectionOutOfBounds }
        }
        if let r = relocations, UInt64(r.rva) + UInt64(r.size) > UInt64(sizeOfImage) { throw .badRelocation }
    }

    /// Copies the headers and sections of `file` into `image` (SizeOfImage bytes, loaded at
    /// `address`), zeroes the rest, and applies the base relocations for that address. The
    /// section table is read from `file` and each section checked against it and SizeOfImage
    /// again: a file that changed since `init` is refused, never copied out of bounds.
    public func load(file: UnsafeRawBufferPointer, into image: UnsafeMutableRawBufferPointer, at address: UInt64) throws(PEError) {
        guard image.count >= Int(sizeOfImage), file.count >= Int(sizeOfHeaders) else { throw .badHeaders }
        unsafe image.baseAddress!.initializeMemory(as: UInt8.self, repeating: 0, count: Int(sizeOfImage))
        unsafe UnsafeMutableRawBufferPointer(rebasing: image[0..<Int(sizeOfHeaders)])
            .copyMemory(from: UnsafeRawBufferPointer(rebasing: file[0..<Int(sizeOfHeaders)]))
        for i in 0..<sectionCount {
            let s = section(i, in: file)
            let n = Int(min(s.rawSize, s.virtualSize))
            // Checked again, not taken from `init`: `file` may not be the bytes it checked.
            guard Int(s.rawOffset) + n <= file.count, UInt64(s.virtualAddress) + UInt64(n) <= UInt64(sizeOfImage) else {
                throw .sectionOutOfBounds
            }
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

/// Little-endian fields at any alignment (UEFI is little-endian on AArch64; UEFI is built
/// without strict alignment, so each is one load). The caller checked the offset.
extension UnsafeRawBufferPointer {
    func le16(_ at: Int) -> UInt16 { unsafe loadUnaligned(fromByteOffset: at, as: UInt16.self) }
    func le32(_ at: Int) -> UInt32 { unsafe loadUnaligned(fromByteOffset: at, as: UInt32.self) }
}
