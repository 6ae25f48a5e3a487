/// Why a DER structure was refused.
public enum DERError: Error, Equatable, Sendable {
    /// The input ends inside a header or a value.
    case truncated
    /// A length in long form with leading zeros or below 128, indefinite, or over 2^32.
    case badLength
    /// A high-tag-number identifier (not used by X.509 or PKCS#7).
    case badTag
    /// The element is not the one the structure has here.
    case unexpected
    /// Bytes after the last element of a structure.
    case trailingData
    /// A well-formed value this verifier does not handle (algorithm, version, key size).
    case unsupported
}

/// One DER element (X.690 §8.1): its tag and where its header and value sit in the input.
public struct DERElement: Equatable, Sendable {
    public var tag: UInt8
    /// The whole element, header included.
    public var start: Int
    public var end: Int
    /// The value (contents octets).
    public var valueStart: Int

    public var isConstructed: Bool { tag & 0x20 != 0 }
}

/// A position in a DER input and the end of the range it reads: elements one after the other,
/// never a byte outside `position..<end`. The input is handed to each read rather than kept,
/// so a parser walking nested structures holds its input once (no copy, no reference count
/// per level).
struct DERCursor {
    var position: Int
    let end: Int

    init(from start: Int, to end: Int, of bytes: [UInt8]) {
        precondition(start >= 0 && start <= end && end <= bytes.count)
        position = start; self.end = end
    }

    /// The value of `element` (an element's bounds are inside its input).
    init(inside element: DERElement) { position = element.valueStart; end = element.end }

    var isAtEnd: Bool { position == end }

    /// The next element's header, without moving.
    func peek(_ bytes: [UInt8]) throws(DERError) -> DERElement {
        var p = position
        guard p < end else { throw .truncated }
        let tag = bytes[p]
        guard tag & 0x1f != 0x1f else { throw .badTag }
        p += 1
        guard p < end else { throw .truncated }
        let first = bytes[p]
        p += 1
        var length = 0
        if first < 0x80 {
            length = Int(first)
        } else {
            let count = Int(first & 0x7f)
            guard count >= 1, count <= 4 else { throw .badLength }
            guard end - p >= count else { throw .truncated }
            guard bytes[p] != 0 else { throw .badLength }
            for _ in 0..<count {
                length = length << 8 | Int(bytes[p])
                p += 1
            }
            guard length >= 0x80 else { throw .badLength }
        }
        guard length <= end - p else { throw .truncated }
        return DERElement(tag: tag, start: position, end: p + length, valueStart: p)
    }

    /// The next element, whatever its tag.
    mutating func next(_ bytes: [UInt8]) throws(DERError) -> DERElement {
        let e = try peek(bytes)
        position = e.end
        return e
    }

    /// The next element, which must carry `tag`.
    @inline(never)   // a site per field of a certificate and a SignedData
    mutating func next(_ bytes: [UInt8], _ tag: UInt8) throws(DERError) -> DERElement {
        let e = try peek(bytes)
        guard e.tag == tag else { throw .unexpected }
        position = e.end
        return e
    }

    /// A cursor over the value of the next element, which must carry `tag`.
    mutating func enter(_ bytes: [UInt8], _ tag: UInt8) throws(DERError) -> DERCursor {
        DERCursor(inside: try next(bytes, tag))
    }

    /// The next element if it carries `tag`, else nil without moving.
    @inline(never)   // a site per optional field of a certificate and a SignedData
    mutating func optional(_ bytes: [UInt8], _ tag: UInt8) throws(DERError) -> DERElement? {
        guard !isAtEnd else { return nil }
        let e = try peek(bytes)
        guard e.tag == tag else { return nil }
        position = e.end
        return e
    }

    func expectEnd() throws(DERError) {
        guard isAtEnd else { throw .trailingData }
    }

    /// The next INTEGER as a non-negative big-endian magnitude without its sign byte (its range
    /// in `bytes`); a negative or non-minimal encoding is refused.
    mutating func unsignedInteger(_ bytes: [UInt8]) throws(DERError) -> Range<Int> {
        let e = try next(bytes, DERReader.integer)
        guard e.end > e.valueStart, bytes[e.valueStart] & 0x80 == 0 else { throw .unexpected }
        if e.end - e.valueStart > 1 && bytes[e.valueStart] == 0 {
            guard bytes[e.valueStart + 1] & 0x80 != 0 else { throw .unexpected }
            return (e.valueStart + 1)..<e.end
        }
        return e.valueStart..<e.end
    }

    /// The next INTEGER, which must be a one-byte number in `allowed` (a version); else `unsupported`.
    mutating func smallInteger(_ bytes: [UInt8], in allowed: ClosedRange<UInt8>) throws(DERError) -> UInt8 {
        let r = try unsignedInteger(bytes)
        guard r.count == 1, allowed.contains(bytes[r.lowerBound]) else { throw .unsupported }
        return bytes[r.lowerBound]
    }

    /// An AlgorithmIdentifier (RFC 5280 §4.1.1.2): its OID element; parameters, when there,
    /// must be NULL.
    @inline(never)   // six sites in a certificate and a SignedData
    mutating func algorithm(_ bytes: [UInt8]) throws(DERError) -> DERElement {
        var inner = try enter(bytes, DERReader.sequence)
        let oid = try inner.next(bytes, DERReader.oid)
        if let null = try inner.optional(bytes, DERReader.null) {
            guard null.end == null.valueStart else { throw .unexpected }
        }
        try inner.expectEnd()
        return oid
    }

    /// The next AlgorithmIdentifier, which must be `expected` (else `unsupported`).
    mutating func algorithm(_ bytes: [UInt8], _ expected: [UInt8]) throws(DERError) {
        guard DERReader.value(try algorithm(bytes), of: bytes, is: expected) else { throw .unsupported }
    }

    /// The next OID, which must be `expected` (else `unsupported`).
    mutating func oid(_ bytes: [UInt8], _ expected: [UInt8]) throws(DERError) {
        guard DERReader.value(try next(bytes, DERReader.oid), of: bytes, is: expected) else { throw .unsupported }
    }
}

/// A cursor over `bytes[position..<end]` that keeps its input: `DERCursor` with the bytes at hand.
public struct DERReader {
    public let bytes: [UInt8]
    var cursor: DERCursor
    public var position: Int { cursor.position }
    public var end: Int { cursor.end }

    public init(_ bytes: [UInt8]) { self.init(bytes, from: 0, to: bytes.count) }

    public init(_ bytes: [UInt8], from start: Int, to end: Int) {
        self.bytes = bytes; cursor = DERCursor(from: start, to: end, of: bytes)
    }

    /// A reader over the value of `element`.
    public init(_ bytes: [UInt8], inside element: DERElement) {
        self.init(bytes, from: element.valueStart, to: element.end)
    }

    public var isAtEnd: Bool { cursor.isAtEnd }

    public static let sequence: UInt8 = 0x30
    public static let set: UInt8 = 0x31
    public static let integer: UInt8 = 0x02
    public static let bitString: UInt8 = 0x03
    public static let octetString: UInt8 = 0x04
    public static let null: UInt8 = 0x05
    public static let oid: UInt8 = 0x06

    /// The next element's header, without moving.
    public func peek() throws(DERError) -> DERElement { try cursor.peek(bytes) }

    /// The next element, whatever its tag.
    public mutating func next() throws(DERError) -> DERElement { try cursor.next(bytes) }

    /// The next element, which must carry `tag`.
    public mutating func next(_ tag: UInt8) throws(DERError) -> DERElement { try cursor.next(bytes, tag) }

    /// The next element if it carries `tag`, else nil without moving.
    public mutating func optional(_ tag: UInt8) throws(DERError) -> DERElement? { try cursor.optional(bytes, tag) }

    public func expectEnd() throws(DERError) { try cursor.expectEnd() }

    /// The value bytes of `element`.
    public func value(_ element: DERElement) -> [UInt8] { [UInt8](bytes[element.valueStart..<element.end]) }

    /// The whole element, header included.
    public func encoding(_ element: DERElement) -> [UInt8] { [UInt8](bytes[element.start..<element.end]) }

    /// The next INTEGER as a non-negative big-endian magnitude without its sign byte; a negative
    /// or non-minimal encoding is refused.
    public mutating func unsignedInteger() throws(DERError) -> [UInt8] {
        [UInt8](bytes[try cursor.unsignedInteger(bytes)])
    }

    /// An AlgorithmIdentifier (RFC 5280 §4.1.1.2): the OID value bytes; parameters, when there,
    /// must be NULL.
    public mutating func algorithm() throws(DERError) -> [UInt8] { value(try cursor.algorithm(bytes)) }

    /// Whether the value of `element` in `bytes` is `expected`, byte for byte (no copy).
    @inline(never)   // seven OID tests in a certificate and a SignedData
    static func value(_ element: DERElement, of bytes: [UInt8], is expected: [UInt8]) -> Bool {
        ByteRanges.equal(bytes, element.valueStart..<element.end, expected, 0..<expected.count)
    }

}

/// The object identifiers the verifier knows, as DER value bytes.
public enum OID {
    /// 1.2.840.113549.1.1.1
    public static let rsaEncryption: [UInt8] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]
    /// 1.2.840.113549.1.1.11
    public static let sha256WithRSAEncryption: [UInt8] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]
    /// 2.16.840.1.101.3.4.2.1
    public static let sha256: [UInt8] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]
    /// 1.2.840.113549.1.7.1
    public static let data: [UInt8] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01]
    /// 1.2.840.113549.1.7.2
    public static let signedData: [UInt8] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]
    /// 1.2.840.113549.1.9.3
    public static let contentType: [UInt8] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03]
    /// 1.2.840.113549.1.9.4
    public static let messageDigest: [UInt8] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04]
}
