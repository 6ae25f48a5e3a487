import Foundation
import Testing
import TestSupport
@testable import Crypto

@Test func selfSignedCertificateParsesAndVerifies() throws {
    let tools = ExternalTools()
    defer { tools.cleanUp() }
    let der = try tools.makeCertificate("PK", bits: 3072)
    let cert = try Certificate(der: der)
    let text = String(decoding: try tools.run(["openssl", "x509", "-in", "PK.crt", "-modulus", "-noout"]), as: UTF8.self)
    #expect(cert.modulus == unhex(String(text.split(separator: "=")[1].trimmingCharacters(in: .whitespacesAndNewlines))))
    #expect(cert.exponent == 65537)
    #expect(cert.issuer == cert.subject)
    #expect(cert.isSigned(by: cert))
    let other = try Certificate(der: tools.makeCertificate("other"))
    #expect(!cert.isSigned(by: other))
    #expect(!other.isSigned(by: cert))
}

@Test func issuedCertificateVerifiesUnderItsIssuer() throws {
    let tools = ExternalTools()
    defer { tools.cleanUp() }
    let ca = try Certificate(der: tools.makeCertificate("CA"))
    let leaf = try Certificate(der: tools.makeIssuedCertificate("leaf", issuer: "CA"))
    #expect(leaf.isSigned(by: ca))
    #expect(!leaf.isSigned(by: leaf))
    #expect(leaf.serial == [7])
}

/// Every truncation and any trailing byte is refused; no prefix parses.
@Test func truncatedOrExtendedCertificatesAreRefused() throws {
    let tools = ExternalTools()
    defer { tools.cleanUp() }
    let der = try tools.makeCertificate("c")
    for n in 0..<der.count {
        #expect(throws: DERError.self) { try Certificate(der: Array(der[0..<n])) }
    }
    #expect(throws: DERError.trailingData) { try Certificate(der: der + [0]) }
}

@Test func derLengthsAreStrict() throws {
    // Long form with a leading zero, long form for a short length, indefinite, too many bytes.
    for bad: [UInt8] in [[0x04, 0x82, 0x00, 0x01, 0xaa], [0x04, 0x81, 0x01, 0xaa], [0x30, 0x80, 0x00, 0x00],
                         [0x04, 0x85, 1, 0, 0, 0, 0]] {
        #expect(throws: DERError.badLength) { _ = try DERReader(bad).peek() }
    }
    #expect(throws: DERError.badTag) { _ = try DERReader([0x1f, 0x01, 0x00]).peek() }
    #expect(throws: DERError.truncated) { _ = try DERReader([0x04, 0x02, 0xaa]).peek() }
    #expect(throws: DERError.truncated) { _ = try DERReader([0x04]).peek() }
    var ok = DERReader([0x04, 0x81, 0x80] + [UInt8](repeating: 1, count: 128))
    #expect(try ok.next(DERReader.octetString).valueStart == 3)
    // INTEGER: negative and non-minimal encodings are refused.
    var neg = DERReader([0x02, 0x01, 0x80])
    #expect(throws: DERError.unexpected) { _ = try neg.unsignedInteger() }
    var padded = DERReader([0x02, 0x02, 0x00, 0x01])
    #expect(throws: DERError.unexpected) { _ = try padded.unsignedInteger() }
}
