import Crypto

/// The cryptography behind authenticated writes, handed to the store by the image that serves
/// them (the MM partition, the host tool, the tests). A store without one refuses every
/// authenticated write, and an image that never hands one over (the normal world's in-process
/// fallback store) links none of the crypto code.
public struct AuthenticatedWriteVerifier {
    /// The DER certificate, parsed; nil when it does not parse.
    let certificate: ([UInt8]) -> Certificate?
    /// The DER SignedData, parsed; nil when it does not parse.
    let signedData: ([UInt8]) -> SignedData?
    /// The certificate that signed the message, trusted by one of the anchors; nil when none.
    let signer: (SignedData, [UInt8], [Certificate]) -> Certificate?
    let sha256: ([UInt8]) -> [UInt8]

    /// RSA PKCS#1 v1.5 with SHA-256, X.509 and PKCS#7 of the Crypto module.
    public static var standard: AuthenticatedWriteVerifier {
        AuthenticatedWriteVerifier(
            certificate: { try? Certificate(der: $0) },
            signedData: { try? SignedData(der: $0) },
            signer: { $0.signer(of: $1, trustedBy: $2) },
            sha256: { SHA256.hash($0) })
    }

    /// The X.509 certificates of `lists`, parsed; nil when one does not parse.
    func certificates(in lists: [SignatureList]) -> [Certificate]? {
        var out: [Certificate] = []
        for l in lists where l.type == SignatureList.x509 {
            for e in l.entries {
                guard let c = certificate([UInt8](e[16...])) else { return nil }
                out.append(c)
            }
        }
        return out
    }
}
