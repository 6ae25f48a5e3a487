/// SplitMix64: the one small deterministic generator of the tests, fuzz drivers and power-cut
/// trials. A fixed seed gives the same sequence on every run, so a failure replays exactly.
public struct SplitMix64 {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<n`; 0 when `n <= 0`, without a draw.
    public mutating func below(_ n: Int) -> Int {
        n <= 0 ? 0 : Int(truncatingIfNeeded: next() % UInt64(n))
    }

    public mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }

    /// `n` bytes, one draw each.
    public mutating func bytes(_ n: Int) -> [UInt8] { (0..<max(n, 0)).map { _ in byte() } }
}
