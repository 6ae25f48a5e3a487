/// Rounds up to the next multiple of 4 (FDT tokens are 32-bit aligned). Callers pass values
/// already bounded by a block size, far from `Int.max`: a wrapping add, no overflow check.
@inline(__always) func align4(_ n: Int) -> Int { (n &+ 3) & ~3 }
