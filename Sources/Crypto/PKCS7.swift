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
        self.der = der
        var outer = DERReader(der)
        let top = try outer.next(DERReader.sequence)
        try outer.expectEnd()
        var r = DERReader(der, inside: top)
        var signed = top
        if try r.peek().tag == DERReader.oid {
            // ContentInfo { contentType signedData, [0] EXPLICIT SignedData }
            guard r.value(try r.next(DERReader.oid), is: OID.signedData) else { throw .unsupported }
            let explicit = try r.next(0xa0)
            try r.expectEnd()
            var e = DERReader(der, inside: explicit)
            signed = try e.next(DERReader.sequence)
            try e.expectEnd()
        }
        var s = DERReader(der, inside: signed)
        let version = try s.smallInteger(in: 1...3)
        guard version != 2 else { throw .unsupported }
        let digestAlgorithms = try s.next(DERReader.set)
        var d = DERReader(der, inside: digestAlgorithms)
        while !d.isAtEnd { try d.algorithm(OID.sha256) }

        let encap = try s.next(DERReader.sequence)
        var ec = DERReader(der, inside: encap)
        guard ec.value(try ec.next(DERReader.oid), is: OID.data) else { throw .unsupported }
        if let explicit = try ec.optional(0xa0) {
            var ex = DERReader(der, inside: explicit)
            let octets = try ex.next(DERReader.octetString)
            contentRange = octets.valueStart..<octets.end
            try ex.expectEnd()
        } else {
            contentRange = nil
        }
        try ec.expectEnd()

        var certs: [Certificate] = []
        if let set = try s.optional(0xa0) {
            var c = DERReader(der, inside: set)
            while !c.isAtEnd {
                guard certs.count < SignedData.maximumCertificates else { throw .unsupported }
                let element = try c.next(DERReader.sequence)
                certs.append(try Certificate(der: c.encoding(element)))
            }
        }
        certificates = certs
        _ = try s.optional(0xa1)  // crls: not consulted
        let infos = try s.next(DERReader.set)
        try s.expectEnd()

        var i = DERReader(der, inside: infos)
        let info = try i.next(DERReader.sequence)
        guard i.isAtEnd else { throw .unsupported }  // exactly one signer
        var si = DERReader(der, inside: info)
        _ = try si.smallInteger(in: 1...1)
        let sid = try si.next(DERReader.sequence)
        var sidReader = DERReader(der, inside: sid)
        let issuer = try sidReader.next(DERReader.sequence)
        signerIssuerRange = issuer.start..<issuer.end
        let serial = try sidReader.next(DERReader.integer)
        signerSerialRange = serial.valueStart..<serial.end
        try sidReader.expectEnd()
        try si.algorithm(OID.sha256)
        if let attrs = try si.optional(0xa0) {
            signedAttributesRange = attrs.start..<attrs.end
            messageDigestRange = try SignedData.messageDigest(in: der, attributes: attrs)
        } else {
            signedAttributesRange = nil
            messageDigestRange = nil
        }
        let algorithm = try si.algorithmElement()
        guard si.value(algorithm, is: OID.rsaEncryption) || si.value(algorithm, is: OID.sha256WithRSAEncryption) else {
            throw .unsupported
        }
        let signature = try si.next(DERReader.octetString)
        signatureRange = signature.valueStart..<signature.end
        _ = try si.optional(0xa1)  // unsigned attributes
        try si.expectEnd()
    }

    /// Where the one messageDigest attribute's 32-byte value sits; contentType, when there,
    /// must be data.
    static func messageDigest(in der: [UInt8], attributes: DERElement) throws(DERError) -> Range<Int> {
        var a = DERReader(der, inside: attributes)
        var digest: Range<Int>? = nil
        while !a.isAtEnd {
            let attribute = try a.next(DERReader.sequence)
            var r = DERReader(der, inside: attribute)
            let type = try r.next(DERReader.oid)
            let values = try r.next(DERReader.set)
            try r.expectEnd()
            var v = DERReader(der, inside: values)
            if r.value(type, is: OID.messageDigest) {
                guard digest == nil else { throw .unexpected }
                let value = try v.next(DERReader.octetString)
                try v.expectEnd()
                guard value.end - value.valueStart == SHA256.digestSize else { throw .unexpected }
                digest = value.valueStart..<value.end
            } else if r.value(type, is: OID.contentType) {
                guard v.value(try v.next(DERReader.oid), is: OID.data) else { throw .unsupported }
                try v.expectEnd()
            }
        }
        guard let found = digest else { throw .unexpected }
        return found
    }

    /// The certificate that signed `message`, when the signature holds and that certificate is
    /// one of `trusted` or chains to one of them through the certificates carried here; else nil.
    public func signer(of message: [UInt8], trustedBy trusted: [Certificate]) -> Certificate? {
        if let c = contentRange, !DERReader.same(der, c, message, 0..<message.count) { return nil }
        var digest = SHA256.hash(message)
        if let attributes = signedAttributesRange {
            guard let md = messageDigestRange, DERReader.same(der, md, digest, 0..<digest.count) else { return nil }
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
        for c in list where DERReader.same(c.der, c.issuerRange, der, signerIssuerRange)
            && DERReader.same(c.der, c.serialRange, der, signerSerialRange) {
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
