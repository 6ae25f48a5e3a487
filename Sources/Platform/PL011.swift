import Hardware

/// Arm PrimeCell UART (PL011) register block, and the two things we want from it.
public struct PL011 {
    public let base: UInt64
    public init(base: UInt64) { self.base = base }

    static let DR: UInt64 = 0x000      // data
    static let FR: UInt64 = 0x018      // flags
    static let FR_RXFE: UInt32 = 1 << 4
    static let FR_TXFF: UInt32 = 1 << 5

    public func write(_ byte: UInt8) {
        while hw_mmio_read32(base &+ PL011.FR) & PL011.FR_TXFF != 0 {}
        hw_mmio_write32(base &+ PL011.DR, UInt32(byte))
    }

    /// The next received byte, or nil when the receive FIFO is empty.
    public func read() -> UInt8? {
        if hw_mmio_read32(base &+ PL011.FR) & PL011.FR_RXFE != 0 { return nil }
        return UInt8(truncatingIfNeeded: hw_mmio_read32(base &+ PL011.DR))
    }
}
