/// The FF-A boot information blob an SPMC hands a partition at its first entry (FF-A v1.1+,
/// §5.4 "Boot information protocol"): a header, then `count` descriptors.
///
/// Header (Table 5.9), little-endian: 0 signature 0xFFA, 4 FF-A version, 8 blob size,
/// 12 descriptor size, 16 descriptor count, 20 offset of the descriptor array, 24 reserved (u64).
/// Descriptor (Table 5.8): 0 name[16] (not read), 16 type (bit 7: implementation defined; bits 6:0 the ID,
/// 0 = FDT, 1 = HOB list), 17 reserved, 18 flags (bits 1:0 name format, bits 3:2 content
/// format: 0 an address, 1 a value), 20 size, 24 content (u64).
public struct FFABootInfo: Equatable, Sendable {
    public static let signature: UInt32 = 0x0FFA
    public static let headerSize = 32
    public static let descriptorSize = 32
    /// Larger blobs are refused: TF-A's EL3 SPMC gives 8 KiB, Hafnium one page.
    public static let maxBlobSize = 64 << 10

    public let version: UInt32
    public let blobSize: Int
    public let descriptorCount: Int
    /// The first standard FDT descriptor: the partition manifest (`manifest()` checks it).
    let firstFDT: FFABootInfoDescriptor?

    /// The blob's size from its header alone, so that the caller knows how much to read next.
    public static func blobSize(header: UnsafeRawBufferPointer) throws(FFABootInfoError) -> Int {
        guard header.count >= headerSize else { throw .truncated }
        guard le32(header, 0) == signature else { throw .badSignature }
        let version = le32(header, 4)
        guard version >> 31 == 0, version >> 16 == 1, version & 0xffff >= 1 else { throw .unsupportedVersion }
        let size = Int(le32(header, 8))
        guard size >= headerSize, size <= maxBlobSize else { throw .badBlobSize }
        return size
    }

    /// Validates the whole blob (`blob` may be longer than the header's size).
    public init(_ blob: UnsafeRawBufferPointer) throws(FFABootInfoError) {
        let size = try FFABootInfo.blobSize(header: blob)
        guard blob.count >= size else { throw .truncated }
        let stride = Int(FFABootInfo.le32(blob, 12)), count = Int(FFABootInfo.le32(blob, 16))
        let offset = Int(FFABootInfo.le32(blob, 20))
        guard stride >= FFABootInfo.descriptorSize else { throw .badDescriptorSize }
        // offset, stride and count are at most 2^32 each: these products cannot overflow Int.
        guard offset >= FFABootInfo.headerSize, offset <= size, count <= (size - offset) / stride else {
            throw .descriptorsOutOfBounds
        }
        var found: FFABootInfoDescriptor? = nil
        var i = 0
        while found == nil && i < count {
            let d = offset + i * stride
            let descriptor = FFABootInfoDescriptor(
                type: blob[d + 16], flags: UInt16(blob[d + 18]) | UInt16(blob[d + 19]) << 8,
                size: FFABootInfo.le32(blob, d + 20),
                content: UInt64(FFABootInfo.le32(blob, d + 24)) | UInt64(FFABootInfo.le32(blob, d + 28)) << 32)
            if descriptor.isStandard && descriptor.typeID == FFABootInfoDescriptor.fdt { found = descriptor }
            i += 1
        }
        self.version = FFABootInfo.le32(blob, 4)
        self.blobSize = size
        self.descriptorCount = count
        self.firstFDT = found
    }

    /// The partition manifest: the first standard FDT descriptor. Its content must be an address.
    public func manifest() throws(FFABootInfoError) -> FFABootInfoDescriptor {
        guard let d = firstFDT else { throw .noManifest }
        guard !d.contentIsValue else { throw .manifestNotAnAddress }
        guard d.size > 0, d.content <= UInt64.max - UInt64(d.size) else { throw .badManifestRange }
        return d
    }

    static func le32(_ b: UnsafeRawBufferPointer, _ o: Int) -> UInt32 {
        UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
    }
}

public struct FFABootInfoDescriptor: Equatable, Sendable {
    public static let fdt: UInt8 = 0
    public static let hobList: UInt8 = 1

    public let type: UInt8
    public let flags: UInt16
    public let size: UInt32
    public let content: UInt64

    public init(type: UInt8, flags: UInt16, size: UInt32, content: UInt64) {
        self.type = type; self.flags = flags; self.size = size; self.content = content
    }

    /// Type bit 7 clear: a standard type (FDT, HOB list) rather than an implementation's own.
    public var isStandard: Bool { type & 0x80 == 0 }
    public var typeID: UInt8 { type & 0x7f }
    /// Flags bits 3:2 = 1: `content` is the information itself, not its address.
    public var contentIsValue: Bool { (flags >> 2) & 3 == 1 }
}

public enum FFABootInfoError: Int, Error, Equatable, Sendable {
    case truncated, badSignature, unsupportedVersion, badBlobSize, badDescriptorSize
    case descriptorsOutOfBounds, noManifest, manifestNotAnAddress, badManifestRange

    /// One line for the partition's log.
    public var text: UnsafeRawBufferPointer { FFABootInfoError.texts.line(rawValue) }

    /// In the order of the cases.
    static let texts = TextLines("""
        the boot information is shorter than its header says
        no boot information signature (0xFFA)
        the boot information's FF-A version is not 1.1 or later
        the boot information's size is out of bounds (32 bytes to 64 KiB)
        the boot information descriptors are smaller than 32 bytes
        the boot information descriptors lie outside the blob
        the boot information has no FDT (manifest) descriptor
        the manifest descriptor holds a value, not an address
        the manifest descriptor's address and size are not a range
        """)
}
