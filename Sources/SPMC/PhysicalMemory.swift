/// Writes into normal-world physical memory (the caller's RX buffer). The image writes real
/// memory through it; host tests use a fake. Only called for ranges the SPMC has checked.
public protocol PhysicalMemory {
    /// Writes `bytes` at physical address `pa`; false if the platform could not.
    mutating func write(_ bytes: [UInt8], at pa: UInt64) -> Bool
}
