/// A PKCS#7 / CMS SignedData (RFC 5652 §5) with one SignerInfo identified by issuer and serial
/// number, SHA-256 digests and RSA signatures: what UEFI authenticated variables carry
/// (UEFI 2.10 §8.2.2). Accepted with or without the ContentInfo wrapper, detached or with the
/// content inside.
public struct SignedData: Sendable {
    /// At most this many certificates are read, and a chain is at most this long.
    public static let maximumCertificates = 8

    public let certificates: [Certificate]
    /// eContent, when the signature is not detached.
    public let content: [UInt8]?
    let signerIssuer: [UInt8]
    let signerSerial: [UInt8]
    /// The signed attributes re-tagged as a SET (what the signature covers), and the
    /// messageDigest attribute; nil when the signature covers the content directly.
    let signedAttributes: [UInt8]?
    let messageDigest: [UInt8]?
    let signature: [UInt8]

    public init(der: [UInt8]) throws(DERError) {
        var outer = DERReader(der)
        let top = try outer.next(DERReader.sequence)
        try outer.expectEnd()
        var r = DERReader(der, inside: top)
        var signed = top
        if try r.peek().tag == DERReader.oid {
            // ContentInfo { contentType signedData, [0] EXPLICIT SignedData }
            guard r.value(try r.next(DERReader.oid)) == OID.signedData else { throw .unsupported }
            let explicit = try r.next(0xa0)
            try r.expectEnd()
            var e = DERReader(der, inside: explicit)
            signed = try e.next(DERReader.sequence)
            try e.expectEnd()
        }
        var s = DERReader(der, inside: signed)
        let version = try s.unsignedInteger()
        guard version.count == 1, version[0] == 1 || version[0] == 3 else { throw .unsupported }
        let digestAlgorithms = try s.next(DERReader.set)
        var d = DERReader(der, inside: digestAlgorithms)
        while !d.isAtEnd { guard try d.algorithm() == OID.sha256 else { throw .unsupported } }

        let encap = try s.next(DERReader.sequence)
        var ec = DERReader(der, inside: encap)
        guard ec.value(try ec.next(DERReader.oid)) == OID.data else { throw .unsupported }
        if let explicit = try ec.optional(0xa0) {
            var ex = DERReader(der, inside: explicit)
            content = ex.value(try ex.next(DERReader.octetString))
            try ex.expectEnd()
        } else {
            content = nil
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
        let siVersion = try si.unsignedInteger()
        guard siVersion == [1] else { throw .unsupported }
        let sid = try si.next(DERReader.sequence)
        var sidReader = DERReader(der, inside: sid)
        signerIssuer = sidReader.encoding(try sidReader.next(DERReader.sequence))
        signerSerial = sidReader.value(try sidReader.next(DERReader.integer))
        try sidReader.expectEnd()
        guard try si.algorithm() == OID.sha256 else { throw .unsupported }
        if let attrs = try si.optional(0xa0) {
            var set = si.encoding(attrs)
            set[0] = DERReader.set
            signedAttributes = set
            messageDigest = try SignedData.messageDigest(in: der, attributes: attrs)
        } else {
            signedAttributes = nil
            messageDigest = nil
        }
        let algorithm = try si.algorithm()
        guard algorithm == OID.rsaEncryption || algorithm == OID.sha256WithRSAEncryption else { throw .unsupported }
        signature = si.value(try si.next(DERReader.octetString))
        _ = try si.optional(0xa1)  // unsigned attributes
        try si.expectEnd()
    }

    /// The one messageDigest attribute's 32-byte value; contentType, when there, must be data.
    static func messageDigest(in der: [UInt8], attributes: DERElement) throws(DERError) -> [UInt8] {
        var a = DERReader(der, inside: attributes)
        var digest: [UInt8]? = nil
        while !a.isAtEnd {
            let attribute = try a.next(DERReader.sequence)
            var r = DERReader(der, inside: attribute)
            let type = r.value(try r.next(DERReader.oid))
            let values = try r.next(DERReader.set)
            try r.expectEnd()
            var v = DERReader(der, inside: values)
            if type == OID.messageDigest {
                guard digest == nil else { throw .unexpected }
                let value = v.value(try v.next(DERReader.octetString))
                try v.expectEnd()
                guard value.count == SHA256.digestSize else { throw .unexpected }
                digest = value
            } else if type == OID.contentType {
                guard v.value(try v.next(DERReader.oid)) == OID.data else { throw .unsupported }
                try v.expectEnd()
            }
        }
        guard let found = digest else { throw .unexpected }
        return found
    }

    /// The certificate that signed `message`, when the signature holds and that certificate is
    /// one of `trusted` or chains to one of them through the certificates carried here; else nil.
    public func signer(of message: [UInt8], trustedBy trusted: [Certificate]) -> Certificate? {
        if let c = content, c != message { return nil }
        var digest = SHA256.hash(message)
        if let attributes = signedAttributes {
            guard messageDigest == digest else { return nil }
            digest = SHA256.hash(attributes)
        }
        var signerCertificate: Certificate? = nil
        for c in certificates + trusted where c.issuer == signerIssuer && c.serial == signerSerial {
            signerCertificate = c
            break
        }
        guard let leaf = signerCertificate,
              RSA.verifySHA256(modulus: leaf.modulus, exponent: leaf.exponent, signature: signature, digest: digest)
        else { return nil }
        return chainsToTrust(leaf, trusted: trusted) ? leaf : nil
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
