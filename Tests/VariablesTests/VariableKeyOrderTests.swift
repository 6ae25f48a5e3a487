import Testing
import MM
@testable import Variables
import TestSupport

/// `VariableKey.precedes` compares names eight bytes a step: it must order them exactly as a
/// byte-by-byte comparison does, whatever the lengths and wherever the first difference lies.
@Test func nameOrderByWordsMatchesByteOrder() {
    func byBytes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        for i in 0..<min(a.count, b.count) where a[i] != b[i] { return a[i] < b[i] }
        return a.count < b.count
    }
    var random = SplitMix64(seed: 0x0DE5)
    let g = EFIGuid(lo: 1, hi: 2)
    for _ in 0..<5000 {
        // Shared prefixes of every length, then a differing tail from a small alphabet.
        let prefix = random.bytes(random.below(24))
        let a = prefix + (0..<random.below(12)).map { _ in UInt8(0x7E + random.below(4)) }
        let b = prefix + (0..<random.below(12)).map { _ in UInt8(0x7E + random.below(4)) }
        #expect(VariableKey.precedes(g, a, g, b) == byBytes(a, b), "\(a) vs \(b)")
        #expect(VariableKey.precedes(g, b, g, a) == byBytes(b, a), "\(b) vs \(a)")
    }
}
