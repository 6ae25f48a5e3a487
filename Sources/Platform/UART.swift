/// The console's UART, whichever family the device tree named, or none (output dropped,
/// input never arrives) when it named nothing we drive.
public enum UART {
    case pl011(PL011)
    case ns16550(NS16550)
    case cadence(CadenceUART)
    case none

    @inline(never)
    public func write(_ byte: UInt8) {
        switch self {
        case .pl011(let u): u.write(byte)
        case .ns16550(let u): u.write(byte)
        case .cadence(let u): u.write(byte)
        case .none: break
        }
    }

    @inline(never)
    public func read() -> UInt8? {
        switch self {
        case .pl011(let u): return u.read()
        case .ns16550(let u): return u.read()
        case .cadence(let u): return u.read()
        case .none: return nil
        }
    }

    /// The register block's base, for mapping it; nil without a UART.
    public var base: UInt64? {
        switch self {
        case .pl011(let u): return u.base
        case .ns16550(let u): return u.base
        case .cadence(let u): return u.base
        case .none: return nil
        }
    }
}
