import Hardware

/// 8250/16550-compatible UART register block (ns16550a, snps,dw-apb-uart, the bcm2835
/// mini-UART): registers `1 << regShift` bytes apart, accessed 8 or 32 bits wide. The loader
/// has set the baud rate; we only move bytes.
public struct NS16550 {
    public let base: UInt64
    let shift: UInt64
    let wide: Bool

    public init(base: UInt64, regShift: Int, regIOWidth: Int) {
        self.base = base; shift = UInt64(regShift); wide = regIOWidth == 4
    }

    static let RBR: UInt64 = 0      // receive buffer (read) / transmit holding (write)
    static let LSR: UInt64 = 5      // line status
    static let LSR_DR: UInt32 = 1 << 0      // data ready
    static let LSR_THRE: UInt32 = 1 << 5    // transmit holding register empty

    func load(_ register: UInt64) -> UInt32 {
        let a = base + register << shift
        return wide ? hw_mmio_read32(a) : UInt32(hw_mmio_read8(a))
    }

    func store(_ register: UInt64, _ v: UInt8) {
        let a = base + register << shift
        if wide { hw_mmio_write32(a, UInt32(v)) } else { hw_mmio_write8(a, v) }
    }

    public func write(_ byte: UInt8) {
        while load(NS16550.LSR) & NS16550.LSR_THRE == 0 {}
        store(NS16550.RBR, byte)
    }

    public func read() -> UInt8? {
        if load(NS16550.LSR) & NS16550.LSR_DR == 0 { return nil }
        return UInt8(truncatingIfNeeded: load(NS16550.RBR))
    }
}
