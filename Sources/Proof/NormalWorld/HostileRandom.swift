/// The hostile test's pseudo-random numbers: xorshift64*, so a seed replays the same calls.
struct HostileRandom {
    var state: UInt64

    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }

    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }

    /// A number in 0..<n (0 when n is 0).
    mutating func below(_ n: UInt64) -> UInt64 { n == 0 ? 0 : next() % n }

    /// An index into a collection of `count` elements.
    mutating func index(_ count: Int) -> Int { Int(below(UInt64(max(count, 1)))) }

    mutating func chance(percent: UInt64) -> Bool { below(100) < percent }

    /// A 64-bit value that is often an edge: 0, all ones, a top bit, a small number.
    mutating func edgy() -> UInt64 {
        switch below(8) {
        case 0: return 0
        case 1: return UInt64.max
        case 2: return 1 << 63
        case 3: return UInt64.max - below(64)
        case 4: return below(0x100)
        case 5: return UInt64(UInt32.max) - below(16)
        default: return next()
        }
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        for i in 0..<count { out[i] = UInt8(truncatingIfNeeded: next()) }
        return out
    }
}
