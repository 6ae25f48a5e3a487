/// What the SPMC writes outside the saved registers: descriptors into the normal world's RX
/// buffer (only ranges it checked) and a partition's characters for the secure console. The
/// image writes real memory and the UART; host tests use fakes.
public protocol PhysicalMemory {
    /// Writes `bytes` at physical address `pa`; false if the platform could not.
    mutating func write(_ bytes: [UInt8], at pa: UInt64) -> Bool
    /// Writes one little-endian 64-bit word at the 8-byte aligned `pa`.
    mutating func write64(_ value: UInt64, at pa: UInt64) -> Bool
    /// One character of FFA_CONSOLE_LOG for the secure console.
    mutating func console(_ byte: UInt8)
}

extension PhysicalMemory {
    public mutating func write64(_ value: UInt64, at pa: UInt64) -> Bool {
        var bytes = [UInt8](repeating: 0, count: 8)
        for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
        return write(bytes, at: pa)
    }

    public mutating func console(_ byte: UInt8) {}
}
