/// RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2) with SHA-256.
public enum RSA {
    /// DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1): AlgorithmIdentifier with NULL parameters.
    static let sha256DigestInfo: [UInt8] = [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                            0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20]

    /// Whether `signature` is the PKCS#1 v1.5 signature of a SHA-256 `digest` under the public
    /// key (`modulus` big-endian without leading zeros, `exponent`).
    public static func verifySHA256(modulus: [UInt8], exponent: UInt64, signature: [UInt8], digest: [UInt8]) -> Bool {
        guard digest.count == SHA256.digestSize, exponent >= 3, exponent & 1 == 1,
              let m = MontgomeryModulus(bigEndian: modulus),
              signature.count == modulus.count, m.isBelow(bigEndian: signature) else { return false }
        let em = m.power(bigEndian: signature, exponent: exponent)
        // EM = 0x00 ‖ 0x01 ‖ 0xFF… ‖ 0x00 ‖ DigestInfo ‖ H, compared whole.
        var expected = [UInt8](repeating: 0xff, count: modulus.count)
        expected[0] = 0
        expected[1] = 1
        let tail = sha256DigestInfo + digest
        expected[modulus.count - tail.count - 1] = 0
        for (i, b) in tail.enumerated() { expected[modulus.count - tail.count + i] = b }
        var diff: UInt8 = 0
        for i in 0..<em.count { diff |= em[i] ^ expected[i] }
        return diff == 0
    }
}
