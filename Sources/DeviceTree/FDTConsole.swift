import Board

/// The UART families the normal world drives, each known by its `compatible` strings.
public enum UARTKind: UInt8, Equatable, Sendable {
    /// Arm PrimeCell PL011 ("arm,pl011").
    case pl011
    /// 8250/16550 and compatibles: "ns16550a", "ns16550", "ns8250", "snps,dw-apb-uart",
    /// "brcm,bcm2835-aux-uart" (the Raspberry Pi mini-UART, 32-bit registers 4 bytes apart).
    case ns16550
    /// Cadence UART ("cdns,uart-r1p12", "cdns,uart-r1p8", "xlnx,xuartps"; Xilinx Zynq, ZynqMP).
    case cadence

    public var name: StaticString {
        switch self {
        case .pl011: return "PL011"
        case .ns16550: return "ns16550"
        case .cadence: return "Cadence UART"
        }
    }
}

/// A UART the console can use: its kind, CPU physical base and register layout.
public struct UARTConfig: Equatable, Sendable {
    public var kind: UARTKind
    public var base: UInt64
    /// ns16550: registers are `1 << regShift` bytes apart (`reg-shift`, default 0).
    public var regShift: Int
    /// ns16550: access width in bytes, 1 or 4 (`reg-io-width`, default 1).
    public var regIOWidth: Int

    public init(kind: UARTKind, base: UInt64, regShift: Int = 0, regIOWidth: Int = 1) {
        self.kind = kind; self.base = base; self.regShift = regShift; self.regIOWidth = regIOWidth
    }

    /// QEMU `virt`'s UART0: the console when there is no device tree at all.
    public static let qemuVirt = UARTConfig(kind: .pl011, base: UInt64(BOARD_UART0))
}

/// The console and how it was chosen: the fallback is part of the answer, so the shell can say it.
public struct ConsoleChoice: Equatable, Sendable {
    public enum Source: Equatable, Sendable {
        /// The node `/chosen/stdout-path` names, with a compatible we drive.
        case stdoutPath
        /// No `stdout-path`, or it names nothing: the first enabled UART we drive, PL011 first,
        /// then ns16550, then Cadence.
        case fallbackNoStdoutPath
        /// `stdout-path` names a node whose `compatible` we do not drive (or whose `reg` does
        /// not translate): the same fallback.
        case fallbackUnsupported
        /// No device tree: QEMU `virt`'s PL011.
        case noDeviceTree
        /// A device tree with no UART we drive: no console output at all.
        case none
    }
    public var uart: UARTConfig?
    public var source: Source

    public init(uart: UARTConfig?, source: Source) { self.uart = uart; self.source = source }

    public static let withoutDeviceTree = ConsoleChoice(uart: .qemuVirt, source: .noDeviceTree)
}

extension FDT {
    /// The family of `node` from its `compatible` list; nil when we drive none of them.
    @inline(never) public func uartKind(of node: FDTNode) -> UARTKind? {
        if isCompatible(node, with: "arm,pl011") { return .pl011 }
        if isCompatible(node, with: "ns16550a") || isCompatible(node, with: "ns16550")
            || isCompatible(node, with: "ns8250") || isCompatible(node, with: "ns16450")
            || isCompatible(node, with: "snps,dw-apb-uart") || isCompatible(node, with: "brcm,bcm2835-aux-uart") {
            return .ns16550
        }
        if isCompatible(node, with: "cdns,uart-r1p12") || isCompatible(node, with: "cdns,uart-r1p8")
            || isCompatible(node, with: "xlnx,xuartps") {
            return .cadence
        }
        return nil
    }

    /// `node` as a UART we drive: kind, translated base, `reg-shift` and `reg-io-width`. Nil for
    /// an unknown compatible, an untranslatable `reg`, or a layout we cannot access (a shift
    /// above 4, a width other than 1 or 4).
    @inline(never) public func uartConfig(of node: FDTNode) -> UARTConfig? {
        guard let kind = uartKind(of: node), let base = translatedBase(of: node) else { return nil }
        var config = UARTConfig(kind: kind, base: base)
        if kind == .ns16550 {
            // The mini-UART's binding has no reg-shift: Linux's driver fixes 32-bit words.
            let aux = isCompatible(node, with: "brcm,bcm2835-aux-uart")
            let shift = property("reg-shift", of: node).flatMap { u32(of: $0) } ?? (aux ? 2 : 0)
            let width = property("reg-io-width", of: node).flatMap { u32(of: $0) } ?? (aux ? 4 : 1)
            guard shift <= 4, width == 1 || width == 4 else { return nil }
            config.regShift = Int(shift)
            config.regIOWidth = Int(width)
        }
        return config
    }

    /// The console: the `stdout-path` node when we drive it, else the documented fallback
    /// (ConsoleChoice.Source).
    @inline(never) public func consoleChoice(chosen: StaticString = "/chosen") -> ConsoleChoice {
        let named = stdoutNode(chosen: chosen)
        if let named, let config = uartConfig(of: named) { return ConsoleChoice(uart: config, source: .stdoutPath) }
        let source: ConsoleChoice.Source = named == nil ? .fallbackNoStdoutPath : .fallbackUnsupported
        for kind in [UARTKind.pl011, .ns16550, .cadence] {
            // The first enabled node of that kind we can drive, its configuration read once.
            var config: UARTConfig?
            _ = firstNode { node in
                guard isEnabled(node), uartKind(of: node) == kind else { return false }
                config = uartConfig(of: node)
                return config != nil
            }
            if let config { return ConsoleChoice(uart: config, source: source) }
        }
        return ConsoleChoice(uart: nil, source: .none)
    }

    /// QEMU's fw_cfg device ("qemu,fw-cfg-mmio"), only when the tree lists it.
    @inline(never) public func fwCfgBase() -> UInt64? {
        firstNode(compatible: "qemu,fw-cfg-mmio", enabledOnly: true).flatMap { translatedBase(of: $0) }
    }

    /// The MM shared buffer our monitor reserves: the `/reserved-memory` child named
    /// "mm-buffer" (any unit address). Nil when there is none, or when it is not page-aligned
    /// or smaller than a page (then the caller's default stands).
    @inline(never) public func mmBuffer() -> FDTRegion? {
        // A path component without "@" matches any unit address (node(at:)).
        guard let node = node(at: "/reserved-memory/mm-buffer"), let reg = regCells(of: node), reg.count > 0
        else { return nil }
        let r = region(0, of: reg)
        return r.base & 0xFFF == 0 && r.size >= 0x1000 ? r : nil
    }
}
