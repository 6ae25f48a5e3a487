import Crypto

/// Fuzzes the DER reader and what is built on it: walks every element of the input, parses it as
/// an X.509 certificate and as a PKCS#7 SignedData, and verifies what parses. `check` answers nil
/// when every promise held (no read outside the input, nested elements inside their parents,
/// parsing is a function of the bytes), else what broke.
public enum DERFuzz {
    public static func check(_ data: [UInt8]) -> StaticString? {
        if let broken = walk(data, from: 0, to: data.count, depth: 0) { return broken }
        if let cert = try? Certificate(der: data) {
            guard cert.der == data, let again = try? Certificate(der: cert.der), again == cert else {
                return "certificate parse is not stable"
            }
            _ = cert.isSigned(by: cert)
        }
        if let p7 = try? SignedData(der: data) {
            guard p7.certificates.count <= SignedData.maximumCertificates else { return "too many certificates" }
            let signer = p7.signer(of: p7.content ?? [], trustedBy: p7.certificates)
            if let s = signer, !p7.certificates.contains(where: { $0.der == s.der }) {
                return "signer from nowhere"
            }
        }
        return nil
    }

    /// Every element from `start` to `end` lies inside that range; constructed ones are walked too.
    static func walk(_ data: [UInt8], from start: Int, to end: Int, depth: Int) -> StaticString? {
        guard depth < 32 else { return nil }
        var r = DERReader(data, from: start, to: end)
        while !r.isAtEnd {
            guard let e = try? r.next() else { return nil }
            guard e.start >= start, e.valueStart > e.start, e.valueStart <= e.end, e.end <= end else {
                return "element outside its parent"
            }
            if e.isConstructed, let broken = walk(data, from: e.valueStart, to: e.end, depth: depth + 1) {
                return broken
            }
        }
        return nil
    }
}
