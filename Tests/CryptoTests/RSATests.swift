import Foundation
import Testing
import TestSupport
@testable import Crypto

func unhex(_ s: String) -> [UInt8] {
    let chars = Array(s.utf8)
    return stride(from: 0, to: chars.count - 1, by: 2).map { i in
        func v(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : (c | 0x20) - 87 }
        return v(chars[i]) << 4 | v(chars[i + 1])
    }
}

/// A key made by openssl: its modulus, and signatures of messages made by openssl.
struct OpenSSLKey {
    let tools: ExternalTools
    let modulus: [UInt8]

    init(bits: Int, tools: ExternalTools) throws {
        self.tools = tools
        try tools.run(["openssl", "genrsa", "-out", "k\(bits).pem", "\(bits)"])
        let text = String(decoding: try tools.run(["openssl", "rsa", "-in", "k\(bits).pem", "-modulus", "-noout"]), as: UTF8.self)
        modulus = unhex(String(text.split(separator: "=")[1].trimmingCharacters(in: .whitespacesAndNewlines)))
        bitsValue = bits
    }
    let bitsValue: Int

    func sign(_ message: [UInt8]) throws -> [UInt8] {
        try tools.write("m.bin", message)
        try tools.run(["openssl", "dgst", "-sha256", "-sign", "k\(bitsValue).pem", "-out", "s.bin", "m.bin"])
        return try tools.read("s.bin")
    }
}

@Test(arguments: [2048, 3072, 4096])
func opensslSignaturesVerify(bits: Int) throws {
    let tools = ExternalTools()
    defer { tools.cleanUp() }
    let key = try OpenSSLKey(bits: bits, tools: tools)
    #expect(key.modulus.count == bits / 8)
    let message = Array("signed by openssl at test time".utf8)
    let signature = try key.sign(message)
    let digest = SHA256.hash(message)
    #expect(RSA.verifySHA256(modulus: key.modulus, exponent: 65537, signature: signature, digest: digest))
    // Any changed byte of the signature, the digest, or the key fails.
    for i in [0, 1, signature.count / 2, signature.count - 1] {
        var s = signature
        s[i] ^= 0x01
        #expect(!RSA.verifySHA256(modulus: key.modulus, exponent: 65537, signature: s, digest: digest))
    }
    var d = digest
    d[31] ^= 0x80
    #expect(!RSA.verifySHA256(modulus: key.modulus, exponent: 65537, signature: signature, digest: d))
    #expect(!RSA.verifySHA256(modulus: key.modulus, exponent: 3, signature: signature, digest: digest))
    // The signature as an integer must be below the modulus; a short one is refused.
    #expect(!RSA.verifySHA256(modulus: key.modulus, exponent: 65537, signature: key.modulus, digest: digest))
    #expect(!RSA.verifySHA256(modulus: key.modulus, exponent: 65537, signature: Array(signature.dropFirst()),
                              digest: digest))
}

@Test func unsupportedModuliAreRefused() {
    let odd2048 = [UInt8](repeating: 0xff, count: 256)
    #expect(MontgomeryModulus(bigEndian: odd2048) != nil)
    #expect(MontgomeryModulus(bigEndian: [UInt8](repeating: 0xff, count: 128)) == nil)  // 1024 bits
    var even = odd2048
    even[255] = 0xfe
    #expect(MontgomeryModulus(bigEndian: even) == nil)
    var low = odd2048
    low[0] = 0x7f
    #expect(MontgomeryModulus(bigEndian: low) == nil)
}

/// Montgomery exponentiation agrees with schoolbook arithmetic on a small exponent: s³ mod n
/// computed by repeated modular doubling.
@Test func powerMatchesReference() {
    var n = [UInt8](repeating: 0, count: 256)
    for i in 0..<256 { n[i] = UInt8(truncatingIfNeeded: i &* 97 &+ 13) }
    n[0] |= 0x80
    n[255] |= 1
    let m = MontgomeryModulus(bigEndian: n)!
    var s = [UInt8](repeating: 0, count: 256)
    for i in 1..<256 { s[i] = UInt8(truncatingIfNeeded: i &* 53 &+ 1) }
    let limbs = MontgomeryModulus.limbs(bigEndian: s, count: 32)
    let nl = MontgomeryModulus.limbs(bigEndian: n, count: 32)
    // reference: a·b mod n by shift-and-add.
    func mulmod(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        var acc = [UInt64](repeating: 0, count: 32)
        for bit in stride(from: 2047, through: 0, by: -1) {
            MontgomeryModulus.doubleMod(&acc, nl)
            if (b[bit / 64] >> UInt64(bit % 64)) & 1 == 1 {
                var carry: UInt64 = 0
                for i in 0..<32 {
                    let (x, o1) = acc[i].addingReportingOverflow(a[i])
                    let (y, o2) = x.addingReportingOverflow(carry)
                    acc[i] = y
                    carry = (o1 ? 1 : 0) + (o2 ? 1 : 0)
                }
                MontgomeryModulus.subtractIfNotBelow(&acc, carry: carry, nl)
            }
        }
        return acc
    }
    let cube = mulmod(mulmod(limbs, limbs), limbs)
    #expect(m.power(bigEndian: s, exponent: 3) == MontgomeryModulus.bigEndian(cube))
}
