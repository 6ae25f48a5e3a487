/// The parts of an X.509 certificate (RFC 5280 §4.1) that signature verification needs, read
/// strictly: the structure must be complete and end where its lengths say.
public struct Certificate: Equatable, Sendable {
    /// The whole certificate, DER.
    public let der: [UInt8]
    /// tbsCertificate, header included: what the issuer signed.
    public let tbs: [UInt8]
    /// serialNumber's value bytes, as encoded.
    public let serial: [UInt8]
    /// issuer and subject Names, header included (compared byte for byte).
    public let issuer: [UInt8]
    public let subject: [UInt8]
    /// The RSA public key.
    public let modulus: [UInt8]
    public let exponent: UInt64
    /// The issuer's signature algorithm (only sha256WithRSAEncryption is verified) and value.
    public let signatureAlgorithm: [UInt8]
    public let signature: [UInt8]

    /// Parses exactly `der` (nothing may follow the certificate).
    public init(der: [UInt8]) throws(DERError) {
        var outer = DERReader(der)
        let certificate = try outer.next(DERReader.sequence)
        try outer.expectEnd()
        var cert = DERReader(der, inside: certificate)
        let tbsElement = try cert.next(DERReader.sequence)
        signatureAlgorithm = try cert.algorithm()
        let sig = try cert.next(DERReader.bitString)
        try cert.expectEnd()
        let sigBits = cert.value(sig)
        guard sigBits.count > 1, sigBits[0] == 0 else { throw .unexpected }
        signature = [UInt8](sigBits[1...])

        var tbsReader = DERReader(der, inside: tbsElement)
        if let version = try tbsReader.optional(0xa0) {
            var v = DERReader(der, inside: version)
            let n = try v.unsignedInteger()
            try v.expectEnd()
            guard n.count == 1, n[0] <= 2 else { throw .unsupported }
        }
        serial = tbsReader.value(try tbsReader.next(DERReader.integer))
        _ = try tbsReader.algorithm()
        issuer = tbsReader.encoding(try tbsReader.next(DERReader.sequence))
        _ = try tbsReader.next(DERReader.sequence)  // validity: not checked (no trusted clock)
        subject = tbsReader.encoding(try tbsReader.next(DERReader.sequence))
        let spki = try tbsReader.next(DERReader.sequence)
        _ = try tbsReader.optional(0x81)
        _ = try tbsReader.optional(0x82)
        _ = try tbsReader.optional(0xa3)
        try tbsReader.expectEnd()

        var keyInfo = DERReader(der, inside: spki)
        guard try keyInfo.algorithm() == OID.rsaEncryption else { throw .unsupported }
        let keyBits = try keyInfo.next(DERReader.bitString)
        try keyInfo.expectEnd()
        guard keyBits.end > keyBits.valueStart, der[keyBits.valueStart] == 0 else { throw .unexpected }
        var rsaOuter = DERReader(der, from: keyBits.valueStart + 1, to: keyBits.end)
        let rsaKey = try rsaOuter.next(DERReader.sequence)
        try rsaOuter.expectEnd()
        var rsa = DERReader(der, inside: rsaKey)
        modulus = try rsa.unsignedInteger()
        let e = try rsa.unsignedInteger()
        try rsa.expectEnd()
        guard e.count <= 8 else { throw .unsupported }
        var exp: UInt64 = 0
        for b in e { exp = exp << 8 | UInt64(b) }
        exponent = exp

        self.der = der
        tbs = outer.encoding(tbsElement)
    }

    /// Whether `issuerCertificate`'s key signed this certificate (names matching too).
    public func isSigned(by issuerCertificate: Certificate) -> Bool {
        guard issuer == issuerCertificate.subject, signatureAlgorithm == OID.sha256WithRSAEncryption else { return false }
        return RSA.verifySHA256(modulus: issuerCertificate.modulus, exponent: issuerCertificate.exponent,
                                signature: signature, digest: SHA256.hash(tbs))
    }
}
