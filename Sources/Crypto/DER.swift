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

/// A cursor over `bytes[position..<end]`: reads elements one after the other and never looks
/// at a byte outside that range.
public struct DERReader {
    public let bytes: [UInt8]
    public private(set) var position: Int
    public let end: Int

    public init(_ bytes: [UInt8]) { self.init(bytes, from: 0, to: bytes.count) }

    public init(_ bytes: [UInt8], from start: Int, to end: Int) {
        precondition(start >= 0 && start <= end && end <= bytes.count)
        self.bytes = bytes; self.position = start; self.end = end
    }

    /// A reader over the value of `element`.
    public init(_ bytes: [UInt8], inside element: DERElement) {
        self.init(bytes, from: element.valueStart, to: element.end)
    }

    public var isAtEnd: Bool { position == end }

    public static let sequence: UInt8 = 0x30
    public static let set: UInt8 = 0x31
    public static let integer: UInt8 = 0x02
    public static let bitString: UInt8 = 0x03
    public static let octetString: UInt8 = 0x04
    public static let null: UInt8 = 0x05
    public static let oid: UInt8 = 0x06

    /// The next element's header, without moving.
    public func peek() throws(DERError) -> DERElement {
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
    public mutating func next() throws(DERError) -> DERElement {
        let e = try peek()
        position = e.end
        return e
    }

    /// The next element, which must carry `tag`.
    public mutating func next(_ tag: UInt8) throws(DERError) -> DERElement {
        let e = try peek()
        guard e.tag == tag else { throw .unexpected }
        position = e.end
        return e
    }

    /// The next element if it carries `tag`, else nil without moving.
    public mutating func optional(_ tag: UInt8) throws(DERError) -> DERElement? {
        guard !isAtEnd else { return nil }
        let e = try peek()
        guard e.tag == tag else { return nil }
        position = e.end
        return e
    }

    public func expectEnd() throws(DERError) {
        guard isAtEnd else { throw .trailingData }
    }

    /// The value bytes of `element`.
    public func value(_ element: DERElement) -> [UInt8] { [UInt8](bytes[element.valueStart..<element.end]) }

    /// Whether the value of `element` is `expected`, byte for byte (no copy).
    public func value(_ element: DERElement, is expected: [UInt8]) -> Bool {
        DERReader.same(bytes, element.valueStart..<element.end, expected, 0..<expected.count)
    }

    /// Whether `a[ra]` and `b[rb]` hold the same bytes.
    @inline(never)
    public static func same(_ a: [UInt8], _ ra: Range<Int>, _ b: [UInt8], _ rb: Range<Int>) -> Bool {
        guard ra.count == rb.count else { return false }
        var i = 0
        while i < ra.count {
            guard a[ra.lowerBound + i] == b[rb.lowerBound + i] else { return false }
            i += 1
        }
        return true
    }

    /// The whole element, header included.
    public func encoding(_ element: DERElement) -> [UInt8] { [UInt8](bytes[element.start..<element.end]) }

    /// The next INTEGER as a non-negative big-endian magnitude without its sign byte; a negative
    /// or non-minimal encoding is refused.
    public mutating func unsignedInteger() throws(DERError) -> [UInt8] {
        [UInt8](bytes[try unsignedIntegerRange()])
    }

    /// An AlgorithmIdentifier (RFC 5280 §4.1.1.2): the OID value bytes; parameters, when there,
    /// must be NULL.
    public mutating func algorithm() throws(DERError) -> [UInt8] {
        let oid = try algorithmElement()
        return value(oid)
    }

    /// `algorithm()`'s OID element, not copied.
    @inline(never)
    mutating func algorithmElement() throws(DERError) -> DERElement {
        let seq = try next(DERReader.sequence)
        var inner = DERReader(bytes, inside: seq)
        let oid = try inner.next(DERReader.oid)
        if let null = try inner.optional(DERReader.null) {
            guard null.end == null.valueStart else { throw .unexpected }
        }
        try inner.expectEnd()
        return oid
    }

    /// The next AlgorithmIdentifier, which must be `expected` (else `unsupported`).
    mutating func algorithm(_ expected: [UInt8]) throws(DERError) {
        guard value(try algorithmElement(), is: expected) else { throw .unsupported }
    }

    /// The next INTEGER's magnitude (as `unsignedInteger()`), as a range of `bytes`.
    @inline(never)
    mutating func unsignedIntegerRange() throws(DERError) -> Range<Int> {
        let e = try next(DERReader.integer)
        guard e.end > e.valueStart, bytes[e.valueStart] & 0x80 == 0 else { throw .unexpected }
        if e.end - e.valueStart > 1 && bytes[e.valueStart] == 0 {
            guard bytes[e.valueStart + 1] & 0x80 != 0 else { throw .unexpected }
            return (e.valueStart + 1)..<e.end
        }
        return e.valueStart..<e.end
    }

    /// The next INTEGER, which must be the small number `n` (a version).
    mutating func smallInteger(in allowed: ClosedRange<UInt8>) throws(DERError) -> UInt8 {
        let r = try unsignedIntegerRange()
        guard r.count == 1, allowed.contains(bytes[r.lowerBound]) else { throw .unsupported }
        return bytes[r.lowerBound]
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
