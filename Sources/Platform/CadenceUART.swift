import Hardware

/// Cadence UART register block (Zynq UG585 / ZynqMP UG1085, "UART"): control, channel status
/// and the FIFO. The loader has set the baud rate; `enable` only makes sure the transmitter
/// and receiver are on (QEMU's model starts with both disabled).
public struct CadenceUART {
    public let base: UInt64
    public init(base: UInt64) { self.base = base }

    static let CR: UInt64 = 0x00            // control
    static let SR: UInt64 = 0x2C            // channel status
    static let FIFO: UInt64 = 0x30          // transmit and receive FIFO
    static let CR_RXEN: UInt32 = 1 << 2, CR_RXDIS: UInt32 = 1 << 3
    static let CR_TXEN: UInt32 = 1 << 4, CR_TXDIS: UInt32 = 1 << 5
    static let SR_RXEMPTY: UInt32 = 1 << 1
    static let SR_TXFULL: UInt32 = 1 << 4

    public func enable() {
        let cr = hw_mmio_read32(base + CadenceUART.CR) & ~(CadenceUART.CR_RXDIS | CadenceUART.CR_TXDIS)
        hw_mmio_write32(base + CadenceUART.CR, cr | CadenceUART.CR_RXEN | CadenceUART.CR_TXEN)
    }

    public func write(_ byte: UInt8) {
        while hw_mmio_read32(base + CadenceUART.SR) & CadenceUART.SR_TXFULL != 0 {}
        hw_mmio_write32(base + CadenceUART.FIFO, UInt32(byte))
    }

    public func read() -> UInt8? {
        if hw_mmio_read32(base + CadenceUART.SR) & CadenceUART.SR_RXEMPTY != 0 { return nil }
        return UInt8(truncatingIfNeeded: hw_mmio_read32(base + CadenceUART.FIFO))
    }
}
