/// The UTF-8 bytes of `text`, without a terminator.
func utf8(_ text: StaticString) -> [UInt8] { text.withUTF8Buffer { Array($0) } }

/// `value` in lower-case hex without leading zeros, as unit addresses are written.
func hexBytes(_ value: UInt64) -> [UInt8] {
    var digits: [UInt8] = []
    var v = value
    repeat {
        let d = UInt8(truncatingIfNeeded: v & 0xf)
        digits.append(d < 10 ? 0x30 + d : 0x57 + d)
        v >>= 4
    } while v != 0
    return digits.reversed()
}

/// Rounds up to the next multiple of 4 (FDT tokens are 32-bit aligned). Callers pass values
/// already bounded by a block size, far from `Int.max`.
@inline(__always) func align4(_ n: Int) -> Int { (n + 3) & ~3 }
