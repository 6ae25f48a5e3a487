import Foundation
import Testing
import TestSupport
@testable import Crypto

/// `openssl smime`/`cms` signatures of `message` by `signer` in the variants UEFI tools make.
func pkcs7(_ tools: ExternalTools, signer: String, message: [UInt8], options: [String]) throws -> [UInt8] {
    try tools.write("msg.bin", message)
    try tools.run(["openssl", "smime", "-sign", "-binary", "-md", "sha256", "-in", "msg.bin", "-signer", "\(signer).crt",
                   "-inkey", "\(signer).key", "-outform", "DER", "-out", "p7.der"] + options)
    return try tools.read("p7.der")
}

@Test(arguments: [[], ["-noattr"], ["-nodetach"], ["-nodetach", "-noattr"], ["-nocerts"]])
func signedDataVerifiesAgainstTrustedCertificate(options: [String]) throws {
    let tools = ExternalTools()
    defer { tools.cleanUp() }
    let kek = try Certificate(der: tools.makeCertificate("KEK"))
    let other = try Certificate(der: tools.makeCertificate("other"))
    let message = Array("name guid attributes time data".utf8)
    let p7 = try SignedData(der: pkcs7(tools, signer: "KEK", message: message, options: options))
    #expect(p7.signer(of: message, trustedBy: [kek])?.der == kek.der)
    #expect(p7.signer(of: message, trustedBy: [other]) == nil)
    #expect(p7.signer(of: message, trustedBy: [other, kek])?.der == kek.der)
    var changed = message
    changed[3] ^= 1
    #expect(p7.signer(of: changed, trustedBy: [kek]) == nil)
    #expect(p7.signer(of: message + [0], trustedBy: [kek]) == nil)
}

@Test func signerChainsToTrustedIssuer() throws {
    let tools = ExternalTools()
    defer { tools.cleanUp() }
    let ca = try Certificate(der: tools.makeCertificate("CA"))
    let leaf = try Certificate(der: tools.makeIssuedCertificate("leaf", issuer: "CA"))
    let message = Array("chained".utf8)
    let p7 = try SignedData(der: pkcs7(tools, signer: "leaf", message: message, options: []))
    #expect(p7.signer(of: message, trustedBy: [ca])?.der == leaf.der)
    let stranger = try Certificate(der: tools.makeCertificate("stranger"))
    #expect(p7.signer(of: message, trustedBy: [stranger]) == nil)
}

@Test func bareSignedDataAndDamageAreHandled() throws {
    let tools = ExternalTools()
    defer { tools.cleanUp() }
    let kek = try Certificate(der: tools.makeCertificate("KEK"))
    let message = Array("m".utf8)
    let der = try pkcs7(tools, signer: "KEK", message: message, options: ["-noattr"])
    // ContentInfo → [0] → SignedData: the bare SignedData (as some tools emit) parses the same.
    var r = DERReader(der)
    var ci = DERReader(der, inside: try r.next(DERReader.sequence))
    _ = try ci.next(DERReader.oid)
    var ex = DERReader(der, inside: try ci.next(0xa0))
    let bare = ex.encoding(try ex.next(DERReader.sequence))
    #expect(try SignedData(der: bare).signer(of: message, trustedBy: [kek]) != nil)
    for n in stride(from: 0, to: der.count, by: 7) {
        #expect(throws: DERError.self) { try SignedData(der: Array(der[0..<n])) }
    }
    // A flipped byte in the signature value (the end of the structure) fails verification.
    var flipped = der
    flipped[der.count - 5] ^= 0x10
    if let p7 = try? SignedData(der: flipped) { #expect(p7.signer(of: message, trustedBy: [kek]) == nil) }
}
