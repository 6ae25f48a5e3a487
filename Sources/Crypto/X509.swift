/// The parts of an X.509 certificate (RFC 5280 §4.1) that signature verification needs, read
/// strictly: the structure must be complete and end where its lengths say. The parts are kept
/// as ranges of `der`: a copy of a certificate is one array, not nine.
public struct Certificate: Equatable, Sendable {
    /// The whole certificate, DER.
    public let der: [UInt8]
    /// tbsCertificate, header included: what the issuer signed.
    let tbsRange: Range<Int>
    /// serialNumber's value bytes, as encoded.
    let serialRange: Range<Int>
    /// issuer and subject Names, header included (compared byte for byte).
    let issuerRange: Range<Int>
    let subjectRange: Range<Int>
    /// The RSA public key's modulus (big-endian, no sign byte).
    let modulusRange: Range<Int>
    public let exponent: UInt64
    /// Whether the issuer signed with sha256WithRSAEncryption (the only algorithm verified).
    let signedWithSHA256RSA: Bool
    /// The issuer's signature value.
    let signatureRange: Range<Int>

    public var tbs: [UInt8] { [UInt8](der[tbsRange]) }
    public var serial: [UInt8] { [UInt8](der[serialRange]) }
    public var issuer: [UInt8] { [UInt8](der[issuerRange]) }
    public var subject: [UInt8] { [UInt8](der[subjectRange]) }
    public var modulus: [UInt8] { [UInt8](der[modulusRange]) }
    public var signature: [UInt8] { [UInt8](der[signatureRange]) }

    /// Parses exactly `der` (nothing may follow the certificate).
    public init(der: [UInt8]) throws(DERError) {
        var outer = DERCursor(from: 0, to: der.count, of: der)
        var cert = try outer.enter(der, DERReader.sequence)
        try outer.expectEnd()
        let tbsElement = try cert.next(der, DERReader.sequence)
        let signedWithSHA256RSA = DERReader.value(try cert.algorithm(der), of: der, is: OID.sha256WithRSAEncryption)
        let sig = try cert.next(der, DERReader.bitString)
        try cert.expectEnd()
        guard sig.end - sig.valueStart > 1, der[sig.valueStart] == 0 else { throw .unexpected }

        var tbs = DERCursor(inside: tbsElement)
        if let version = try tbs.optional(der, 0xa0) {
            var v = DERCursor(inside: version)
            _ = try v.smallInteger(der, in: 0...2)
            try v.expectEnd()
        }
        let serial = try tbs.next(der, DERReader.integer)
        _ = try tbs.algorithm(der)
        let issuer = try tbs.next(der, DERReader.sequence)
        _ = try tbs.next(der, DERReader.sequence)  // validity: not checked (no trusted clock)
        let subject = try tbs.next(der, DERReader.sequence)
        var keyInfo = try tbs.enter(der, DERReader.sequence)
        _ = try tbs.optional(der, 0x81)
        _ = try tbs.optional(der, 0x82)
        _ = try tbs.optional(der, 0xa3)
        try tbs.expectEnd()

        try keyInfo.algorithm(der, OID.rsaEncryption)
        let keyBits = try keyInfo.next(der, DERReader.bitString)
        try keyInfo.expectEnd()
        guard keyBits.end > keyBits.valueStart, der[keyBits.valueStart] == 0 else { throw .unexpected }
        var rsaOuter = DERCursor(from: keyBits.valueStart + 1, to: keyBits.end, of: der)
        var rsa = try rsaOuter.enter(der, DERReader.sequence)
        try rsaOuter.expectEnd()
        let modulus = try rsa.unsignedInteger(der)
        let e = try rsa.unsignedInteger(der)
        try rsa.expectEnd()
        guard e.count <= 8 else { throw .unsupported }
        var exp: UInt64 = 0
        for i in e { exp = exp << 8 | UInt64(der[i]) }

        self.der = der
        tbsRange = tbsElement.start..<tbsElement.end
        serialRange = serial.valueStart..<serial.end
        issuerRange = issuer.start..<issuer.end
        subjectRange = subject.start..<subject.end
        modulusRange = modulus
        exponent = exp
        self.signedWithSHA256RSA = signedWithSHA256RSA
        signatureRange = (sig.valueStart + 1)..<sig.end
    }

    /// Whether the issuer Name of this certificate is the subject Name of `other`.
    func isIssued(byNameOf other: Certificate) -> Bool {
        ByteRanges.equal(der, issuerRange, other.der, other.subjectRange)
    }

    /// Whether `issuerCertificate`'s key signed this certificate (names matching too).
    @inline(never)   // one copy for the chain walk's two loops
    public func isSigned(by issuerCertificate: Certificate) -> Bool {
        guard isIssued(byNameOf: issuerCertificate), signedWithSHA256RSA else { return false }
        var h = SHA256()
        h.update(der, from: tbsRange.lowerBound, to: tbsRange.upperBound)
        return issuerCertificate.verifies(signature: der, signatureRange, digest: h.finalize())
    }

    /// Whether `bytes[range]` is this key's PKCS#1 v1.5 signature of the SHA-256 `digest`.
    func verifies(signature bytes: [UInt8], _ range: Range<Int>, digest: [UInt8]) -> Bool {
        RSA.verifySHA256(modulus: der, modulusRange, exponent: exponent, signature: bytes, range, digest: digest)
    }
}
