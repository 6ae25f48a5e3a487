/// A PKCS#7 / CMS SignedData (RFC 5652 §5) with one SignerInfo identified by issuer and serial
/// number, SHA-256 digests and RSA signatures: what UEFI authenticated variables carry
/// (UEFI 2.10 §8.2.2). Accepted with or without the ContentInfo wrapper, detached or with the
/// content inside.
public struct SignedData: Sendable {
    /// At most this many certificates are read, and a chain is at most this long.
    public static let maximumCertificates = 8

    public let certificates: [Certificate]
    /// The whole SignedData (with or without its ContentInfo); the fields below are ranges of it.
    let der: [UInt8]
    /// eContent, when the signature is not detached.
    let contentRange: Range<Int>?
    let signerIssuerRange: Range<Int>
    let signerSerialRange: Range<Int>
    /// The signed attributes (what the signature covers once re-tagged as a SET) and the
    /// messageDigest attribute's value; nil when the signature covers the content directly.
    let signedAttributesRange: Range<Int>?
    let messageDigestRange: Range<Int>?
    let signatureRange: Range<Int>

    /// eContent, when the signature is not detached.
    public var content: [UInt8]? { contentRange.map { [UInt8](der[$0]) } }

    public init(der: [UInt8]) throws(DERError) {
        var outer = DERCursor(from: 0, to: der.count, of: der)
        var s = try outer.enter(der, DERReader.sequence)
        try outer.expectEnd()
        if try s.peek(der).tag == DERReader.oid {
            // ContentInfo { contentType signedData, [0] EXPLICIT SignedData }
            try s.oid(der, OID.signedData)
            var explicit = try s.enter(der, 0xa0)
            try s.expectEnd()
            let inner = try explicit.enter(der, DERReader.sequence)
            try explicit.expectEnd()
            s = inner
        }
        let version = try s.smallInteger(der, in: 1...3)
        guard version != 2 else { throw .unsupported }
        var d = try s.enter(der, DERReader.set)  // digestAlgorithms
        while !d.isAtEnd { try d.algorithm(der, OID.sha256) }

        var ec = try s.enter(der, DERReader.sequence)  // encapContentInfo
        try ec.oid(der, OID.data)
        var content: Range<Int>? = nil
        if let explicit = try ec.optional(der, 0xa0) {
            var ex = DERCursor(inside: explicit)
            let octets = try ex.next(der, DERReader.octetString)
            content = octets.valueStart..<octets.end
            try ex.expectEnd()
        }
        try ec.expectEnd()

        var certs: [Certificate] = []
        if let set = try s.optional(der, 0xa0) {
            var c = DERCursor(inside: set)
            while !c.isAtEnd {
                guard certs.count < SignedData.maximumCertificates else { throw .unsupported }
                let element = try c.next(der, DERReader.sequence)
                certs.append(try Certificate(der: [UInt8](der[element.start..<element.end])))
            }
        }
        _ = try s.optional(der, 0xa1)  // crls: not consulted
        var infos = try s.enter(der, DERReader.set)
        try s.expectEnd()

        var si = try infos.enter(der, DERReader.sequence)
        guard infos.isAtEnd else { throw .unsupported }  // exactly one signer
        _ = try si.smallInteger(der, in: 1...1)
        var sid = try si.enter(der, DERReader.sequence)
        let issuer = try sid.next(der, DERReader.sequence)
        let serial = try sid.next(der, DERReader.integer)
        try sid.expectEnd()
        try si.algorithm(der, OID.sha256)
        var attributes: Range<Int>? = nil, digest: Range<Int>? = nil
        if let attrs = try si.optional(der, 0xa0) {
            attributes = attrs.start..<attrs.end
            digest = try SignedData.messageDigest(in: der, attributes: attrs)
        }
        let algorithm = try si.algorithm(der)
        guard DERReader.value(algorithm, of: der, is: OID.rsaEncryption)
            || DERReader.value(algorithm, of: der, is: OID.sha256WithRSAEncryption) else { throw .unsupported }
        let signature = try si.next(der, DERReader.octetString)
        _ = try si.optional(der, 0xa1)  // unsigned attributes
        try si.expectEnd()

        self.der = der
        certificates = certs
        contentRange = content
        signerIssuerRange = issuer.start..<issuer.end
        signerSerialRange = serial.valueStart..<serial.end
        signedAttributesRange = attributes
        messageDigestRange = digest
        signatureRange = signature.valueStart..<signature.end
    }

    /// Where the one messageDigest attribute's 32-byte value sits; contentType, when there,
    /// must be data.
    static func messageDigest(in der: [UInt8], attributes: DERElement) throws(DERError) -> Range<Int> {
        var a = DERCursor(inside: attributes)
        var digest: Range<Int>? = nil
        while !a.isAtEnd {
            var r = try a.enter(der, DERReader.sequence)
            let type = try r.next(der, DERReader.oid)
            var v = try r.enter(der, DERReader.set)
            try r.expectEnd()
            if DERReader.value(type, of: der, is: OID.messageDigest) {
                guard digest == nil else { throw .unexpected }
                let value = try v.next(der, DERReader.octetString)
                try v.expectEnd()
                guard value.end - value.valueStart == SHA256.digestSize else { throw .unexpected }
                digest = value.valueStart..<value.end
            } else if DERReader.value(type, of: der, is: OID.contentType) {
                try v.oid(der, OID.data)
                try v.expectEnd()
            }
        }
        guard let found = digest else { throw .unexpected }
        return found
    }

    /// The certificate that signed `message`, when the signature holds and that certificate is
    /// one of `trusted` or chains to one of them through the certificates carried here; else nil.
    public func signer(of message: [UInt8], trustedBy trusted: [Certificate]) -> Certificate? {
        if let c = contentRange, !ByteRanges.equal(der, c, message, 0..<message.count) { return nil }
        var digest = SHA256.hash(message)
        if let attributes = signedAttributesRange {
            guard let md = messageDigestRange, ByteRanges.equal(der, md, digest, 0..<digest.count) else { return nil }
            var h = SHA256()
            h.update([DERReader.set])  // the [0] IMPLICIT tag re-tagged as SET OF (RFC 5652 §5.4)
            h.update(der, from: attributes.lowerBound + 1, to: attributes.upperBound)
            digest = h.finalize()
        }
        guard let leaf = signerCertificate(in: certificates) ?? signerCertificate(in: trusted),
              leaf.verifies(signature: der, signatureRange, digest: digest)
        else { return nil }
        return chainsToTrust(leaf, trusted: trusted) ? leaf : nil
    }

    /// The first of `list` with the signer's issuer and serial number.
    func signerCertificate(in list: [Certificate]) -> Certificate? {
        for c in list where ByteRanges.equal(c.der, c.issuerRange, der, signerIssuerRange)
            && ByteRanges.equal(c.der, c.serialRange, der, signerSerialRange) {
            return c
        }
        return nil
    }

    /// Whether `leaf` is a trusted certificate, or is issued (through at most
    /// `maximumCertificates` carried ones) by one.
    func chainsToTrust(_ leaf: Certificate, trusted: [Certificate]) -> Bool {
        var current = leaf
        for _ in 0...SignedData.maximumCertificates {
            for t in trusted where t.der == current.der || current.isSigned(by: t) { return true }
            var parent: Certificate? = nil
            for c in certificates where c.der != current.der && current.isSigned(by: c) {
                parent = c
                break
            }
            guard let next = parent else { return false }
            current = next
        }
        return false
    }
}
