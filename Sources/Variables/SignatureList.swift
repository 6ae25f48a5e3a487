import Crypto
import MM

/// EFI_SIGNATURE_LIST (UEFI 2.10 §32.4.1): SignatureType, SignatureListSize, SignatureHeaderSize,
/// SignatureSize (28 bytes), a header, then EFI_SIGNATURE_DATA entries (owner GUID ‖ data).
public struct SignatureList: Equatable, Sendable {
    public var type: EFIGuid
    public var header: [UInt8]
    public var signatureSize: Int
    /// Each entry whole: SignatureOwner (16) ‖ SignatureData.
    public var entries: [[UInt8]]

    public static let fixedSize = 28

    /// EFI_CERT_X509_GUID
    public static let x509 = EFIGuid(0xa5c0_59a1, 0x94e4, 0x4aa7, (0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72))
    /// EFI_CERT_SHA256_GUID
    public static let sha256 = EFIGuid(0xc1c4_1626, 0x504c, 0x4092, (0xac, 0xa9, 0x41, 0xf9, 0x36, 0x93, 0x43, 0x28))

    /// The types the store accepts and their SignatureData size (0: variable, X.509).
    static let knownTypes: [(EFIGuid, UInt16)] = [
        (x509, 0),
        (sha256, 32),
        (EFIGuid(0x3c57_66e8, 0x269c, 0x4e34, (0xaa, 0x14, 0xed, 0x77, 0x6e, 0x85, 0xb3, 0xb6)), 256),  // RSA2048
        (EFIGuid(0xe2b3_6190, 0x879b, 0x4a3d, (0xad, 0x8d, 0xf2, 0xe7, 0xbb, 0xa3, 0x27, 0x84)), 256),  // RSA2048_SHA256
        (EFIGuid(0x826c_a512, 0xcf10, 0x4ac9, (0xb1, 0x87, 0xbe, 0x01, 0x49, 0x66, 0x31, 0xbd)), 20),   // SHA1
        (EFIGuid(0x0b6e_5233, 0xa65c, 0x44c9, (0x94, 0x07, 0xd9, 0xab, 0x83, 0xbf, 0xc8, 0xbd)), 28),   // SHA224
        (EFIGuid(0xff3e_5307, 0x9fd0, 0x48c9, (0x85, 0xf1, 0x8a, 0xd5, 0x6c, 0x70, 0x1e, 0x01)), 48),   // SHA384
        (EFIGuid(0x093e_0fae, 0xa6c4, 0x4f50, (0x9f, 0x1b, 0xd4, 0x1e, 0x2b, 0x89, 0xc1, 0x9a)), 64),   // SHA512
        (EFIGuid(0x3bd2_a492, 0x96c0, 0x4079, (0xb4, 0x20, 0xfc, 0xf9, 0x8e, 0xf1, 0x03, 0xed)), 48),   // X509_SHA256
        (EFIGuid(0x7076_876e, 0x80c2, 0x4ee6, (0xaa, 0xd2, 0x28, 0xb3, 0x49, 0xa6, 0x86, 0x5b)), 64),   // X509_SHA384
        (EFIGuid(0x446d_bf63, 0x2502, 0x4cda, (0xbc, 0xfa, 0x24, 0x65, 0xd2, 0xb0, 0xfe, 0x9d)), 80),   // X509_SHA512
    ]

    public init(type: EFIGuid, header: [UInt8] = [], signatureSize: Int, entries: [[UInt8]]) {
        self.type = type; self.header = header; self.signatureSize = signatureSize; self.entries = entries
    }

    /// One X.509 certificate owned by `owner`.
    public init(certificate: [UInt8], owner: EFIGuid) {
        self.init(type: SignatureList.x509, signatureSize: 16 + certificate.count, entries: [owner.bytes + certificate])
    }

    public var encoded: [UInt8] {
        var out = type.bytes
        let size = SignatureList.fixedSize + header.count + signatureSize * entries.count
        for v in [UInt32(size), UInt32(header.count), UInt32(signatureSize)] {
            for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) }
        }
        out += header
        for e in entries { out += e }
        return out
    }

    /// Splits `data` into signature lists; nil when any list is malformed (`views`).
    public static func parse(_ data: [UInt8]) -> [SignatureList]? {
        guard let views = views(data) else { return nil }
        var lists: [SignatureList] = []
        for v in views {
            var entries: [[UInt8]] = []
            for i in 0..<v.count { entries.append([UInt8](data[v.entry(i)])) }
            lists.append(SignatureList(type: v.type, header: [UInt8](data[v.headerRange]),
                                       signatureSize: v.signatureSize, entries: entries))
        }
        return lists
    }

    /// Where each signature list of `data` sits; nil when any list is malformed: sizes that do
    /// not add up or leave the data, an unknown type, a known type with another size, or an
    /// X.509 list that does not hold exactly one certificate (EDK2's CheckSignatureListFormat).
    static func views(_ data: [UInt8]) -> [SignatureListView]? {
        var lists: [SignatureListView] = []
        var offset = 0
        while offset < data.count {
            guard data.count - offset >= fixedSize else { return nil }
            guard let type = EFIGuid(bytes: data, at: offset) else { return nil }
            let listSize = Int(le32(data, offset + 16)), headerSize = Int(le32(data, offset + 20))
            let signatureSize = Int(le32(data, offset + 24))
            guard listSize <= data.count - offset, listSize >= fixedSize, headerSize <= listSize - fixedSize,
                  signatureSize > 16 else { return nil }
            let body = listSize - fixedSize - headerSize
            guard body > 0, body % signatureSize == 0 else { return nil }
            var known = false
            for (t, size) in knownTypes where t == type {
                known = true
                if size != 0 && signatureSize != 16 + Int(size) { return nil }
                if size == 0 && body != signatureSize { return nil }
            }
            guard known else { return nil }
            lists.append(SignatureListView(type: type, start: offset, headerSize: headerSize,
                                           signatureSize: signatureSize, count: body / signatureSize))
            offset += listSize
        }
        return lists
    }

    /// Appends `v` little-endian.
    @inline(never)   // four bytes a call, not four appends inlined at each site
    static func appendLE32(_ v: UInt32, to out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out += $0 }
    }

    /// Appends `bytes[range]` as `appendLE32` appends its word (no slice: an array's append of a
    /// slice is code of its own).
    @inline(never)
    static func appendBytes(_ bytes: [UInt8], _ range: Range<Int>, to out: inout [UInt8]) {
        bytes.withUnsafeBytes { out += UnsafeRawBufferPointer(rebasing: $0[range]) }
    }

    static func le32(_ d: [UInt8], _ o: Int) -> UInt32 {
        UInt32(d[o]) | UInt32(d[o + 1]) << 8 | UInt32(d[o + 2]) << 16 | UInt32(d[o + 3]) << 24
    }

    /// `held` (valid signature lists) followed by the entries of `newLists` (lists of `new`) it
    /// does not already hold (same type, size and bytes, owner included), each new list with its
    /// own header; lists left empty are dropped (UEFI 2.10 §8.2.1 APPEND_WRITE).
    static func merge(_ held: [UInt8], _ new: [UInt8], _ newLists: [SignatureListView]) -> [UInt8] {
        var out = held
        for list in newLists {
            var body: [UInt8] = []
            for i in 0..<list.count {
                let e = list.entry(i)
                var seen = false
                for l in views(out) ?? [] where l.type == list.type && l.signatureSize == list.signatureSize {
                    for j in 0..<l.count where ByteRanges.equal(out, l.entry(j), new, e) { seen = true }
                }
                for j in stride(from: 0, to: body.count, by: list.signatureSize)
                where ByteRanges.equal(body, j..<(j + list.signatureSize), new, e) {
                    seen = true
                }
                if !seen { appendBytes(new, e, to: &body) }
            }
            guard !body.isEmpty else { continue }
            out += list.type.bytes
            let headerSize = list.headerRange.count
            appendLE32(UInt32(fixedSize + headerSize + body.count), to: &out)
            appendLE32(UInt32(headerSize), to: &out)
            appendLE32(UInt32(list.signatureSize), to: &out)
            appendBytes(new, list.headerRange, to: &out)
            out += body
        }
        return out
    }
}

/// Where one EFI_SIGNATURE_LIST of a validated value sits (`SignatureList.views`).
struct SignatureListView {
    var type: EFIGuid
    var start: Int
    var headerSize: Int
    var signatureSize: Int
    var count: Int

    var headerRange: Range<Int> { (start + SignatureList.fixedSize)..<(start + SignatureList.fixedSize + headerSize) }
    /// Entry `i` whole: SignatureOwner ‖ SignatureData.
    func entry(_ i: Int) -> Range<Int> {
        let first = start + SignatureList.fixedSize + headerSize + i * signatureSize
        return first..<(first + signatureSize)
    }
}
