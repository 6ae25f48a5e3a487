import Testing
@testable import Crypto

func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
}

// FIPS 180-2 Appendix B and NIST's SHA examples (csrc.nist.gov, "SHA256.pdf").
@Test func nistOneBlock() {
    #expect(hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
}

@Test func nistTwoBlocks() {
    let m = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
    #expect(hex(SHA256.hash(m)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
}

@Test func nistMillionA() {
    var h = SHA256()
    let chunk = [UInt8](repeating: 0x61, count: 1000)
    for _ in 0..<1000 { h.update(chunk) }
    #expect(hex(h.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
}

@Test func emptyAndLongerMessage() {
    #expect(hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    let m = Array("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu".utf8)
    #expect(hex(SHA256.hash(m)) == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
}

/// Every split of a message into two pieces hashes like the whole (the 55/56/64-byte padding edges).
@Test func streamingMatchesOneShot() {
    for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 200] {
        let m = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = SHA256.hash(m)
        for cut in stride(from: 0, through: length, by: max(1, length / 7)) {
            var h = SHA256()
            h.update(m, from: 0, to: cut)
            h.update(m, from: cut, to: length)
            #expect(h.finalize() == whole, "length \(length) cut \(cut)")
        }
    }
}
