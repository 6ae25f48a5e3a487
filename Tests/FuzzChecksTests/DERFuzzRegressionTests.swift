import Foundation
import Testing
import FuzzChecks

/// The DER target's committed seeds (openssl-made certificate and signatures) and every
/// truncation and single-byte change of one of them pass every check of `DERFuzz`.
func derSeeds() throws -> [[UInt8]] {
    let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/Corpus/DERFuzzer")
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    return try names.map { [UInt8](try Data(contentsOf: dir.appendingPathComponent($0))) }
}

@Test func derSeedsAndTheirDamagePassTheChecks() throws {
    let seeds = try derSeeds()
    #expect(seeds.count >= 5)
    for s in seeds { #expect(DERFuzz.check(s) == nil) }
    let certificate = seeds[0]
    for n in stride(from: 0, to: certificate.count, by: 13) { #expect(DERFuzz.check(Array(certificate[0..<n])) == nil) }
    for i in stride(from: 0, to: certificate.count, by: 17) {
        var changed = certificate
        changed[i] ^= 0x5a
        #expect(DERFuzz.check(changed) == nil, "byte \(i)")
    }
    #expect(DERFuzz.check([]) == nil)
    #expect(DERFuzz.check([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]) == nil)
}
