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
        var outer = DERReader(der)
        let certificate = try outer.next(DERReader.sequence)
        try outer.expectEnd()
        var cert = DERReader(der, inside: certificate)
        let tbsElement = try cert.next(DERReader.sequence)
        signedWithSHA256RSA = cert.value(try cert.algorithmElement(), is: OID.sha256WithRSAEncryption)
        let sig = try cert.next(DERReader.bitString)
        try cert.expectEnd()
        guard sig.end - sig.valueStart > 1, der[sig.valueStart] == 0 else { throw .unexpected }
        signatureRange = (sig.valueStart + 1)..<sig.end

        var tbsReader = DERReader(der, inside: tbsElement)
        if let version = try tbsReader.optional(0xa0) {
            var v = DERReader(der, inside: version)
            _ = try v.smallInteger(in: 0...2)
            try v.expectEnd()
        }
        let serialElement = try tbsReader.next(DERReader.integer)
        serialRange = serialElement.valueStart..<serialElement.end
        _ = try tbsReader.algorithmElement()
        let issuerElement = try tbsReader.next(DERReader.sequence)
        issuerRange = issuerElement.start..<issuerElement.end
        _ = try tbsReader.next(DERReader.sequence)  // validity: not checked (no trusted clock)
        let subjectElement = try tbsReader.next(DERReader.sequence)
        subjectRange = subjectElement.start..<subjectElement.end
        let spki = try tbsReader.next(DERReader.sequence)
        _ = try tbsReader.optional(0x81)
        _ = try tbsReader.optional(0x82)
        _ = try tbsReader.optional(0xa3)
        try tbsReader.expectEnd()

        var keyInfo = DERReader(der, inside: spki)
        try keyInfo.algorithm(OID.rsaEncryption)
        let keyBits = try keyInfo.next(DERReader.bitString)
        try keyInfo.expectEnd()
        guard keyBits.end > keyBits.valueStart, der[keyBits.valueStart] == 0 else { throw .unexpected }
        var rsaOuter = DERReader(der, from: keyBits.valueStart + 1, to: keyBits.end)
        let rsaKey = try rsaOuter.next(DERReader.sequence)
        try rsaOuter.expectEnd()
        var rsa = DERReader(der, inside: rsaKey)
        modulusRange = try rsa.unsignedIntegerRange()
        let e = try rsa.unsignedIntegerRange()
        try rsa.expectEnd()
        guard e.count <= 8 else { throw .unsupported }
        var exp: UInt64 = 0
        for i in e { exp = exp << 8 | UInt64(der[i]) }
        exponent = exp

        self.der = der
        tbsRange = tbsElement.start..<tbsElement.end
    }

    /// Whether the issuer Name of this certificate is the subject Name of `other`.
    func isIssued(byNameOf other: Certificate) -> Bool {
        DERReader.same(der, issuerRange, other.der, other.subjectRange)
    }

    /// Whether `issuerCertificate`'s key signed this certificate (names matching too).
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
