/// The UTF-8 bytes of `text`, without a terminator.
func utf8(_ text: StaticString) -> [UInt8] { text.withUTF8Buffer { Array($0) } }

/// Rounds up to the next multiple of 4 (FDT tokens are 32-bit aligned). Callers pass values
/// already bounded by a block size, far from `Int.max`.
@inline(__always) func align4(_ n: Int) -> Int { (n + 3) & ~3 }
