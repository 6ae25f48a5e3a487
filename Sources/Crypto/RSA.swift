/// RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2) with SHA-256.
public enum RSA {
    /// DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1): AlgorithmIdentifier with NULL parameters.
    static let sha256DigestInfo: [UInt8] = [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                            0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20]

    /// Whether `signature` is the PKCS#1 v1.5 signature of a SHA-256 `digest` under the public
    /// key (`modulus` big-endian without leading zeros, `exponent`).
    public static func verifySHA256(modulus: [UInt8], exponent: UInt64, signature: [UInt8], digest: [UInt8]) -> Bool {
        verifySHA256(modulus: modulus, 0..<modulus.count, exponent: exponent,
                     signature: signature, 0..<signature.count, digest: digest)
    }

    /// The same, with the modulus and the signature given as ranges of larger arrays (a
    /// certificate's, a SignedData's).
    static func verifySHA256(modulus: [UInt8], _ modulusRange: Range<Int>, exponent: UInt64,
                             signature: [UInt8], _ signatureRange: Range<Int>, digest: [UInt8]) -> Bool {
        let size = modulusRange.count
        guard digest.count == SHA256.digestSize, exponent >= 3, exponent & 1 == 1,
              let m = MontgomeryModulus(bigEndian: modulus, modulusRange),
              signatureRange.count == size, m.isBelow(bigEndian: signature, signatureRange) else { return false }
        let em = m.power(bigEndian: signature, signatureRange, exponent: exponent)
        // EM = 0x00 ‖ 0x01 ‖ 0xFF… ‖ 0x00 ‖ DigestInfo ‖ H, compared whole (no early exit).
        let tail = sha256DigestInfo.count + digest.count
        var diff = em[0] | (em[1] ^ 1) | em[size - tail - 1]
        for i in 2..<(size - tail - 1) { diff |= em[i] ^ 0xff }
        for i in 0..<sha256DigestInfo.count { diff |= em[size - tail + i] ^ sha256DigestInfo[i] }
        for i in 0..<digest.count { diff |= em[size - digest.count + i] ^ digest[i] }
        return diff == 0
    }
}
