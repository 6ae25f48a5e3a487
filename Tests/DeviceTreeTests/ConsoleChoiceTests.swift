import Testing
@testable import DeviceTree

/// Board-shaped trees: the console, fw_cfg and the MM buffer as each board's DTB gives them.
@Suite struct ConsoleChoiceTests {
    /// Raspberry Pi 3 (bcm2837-rpi-3-b.dts): UARTs on /soc at bus addresses 0x7e..., mapped to
    /// 0x3f... by `ranges`; stdout-path names the mini-UART through an alias.
    func raspberryPi(stdoutPath: String = "serial1:115200n8", socRanges: [UInt8]? = nil) -> [UInt8] {
        let ranges = socRanges ?? V.cells(0x7e00_0000, 0x3f00_0000, 0x100_0000, 0x4000_0000, 0x4000_0000, 0x1000)
        return buildFDT(Node("", [("#address-cells", V.u32(1)), ("#size-cells", V.u32(1))], [
            Node("aliases", [("serial0", V.string("/soc/serial@7e201000")), ("serial1", V.string("/soc/serial@7e215040"))]),
            Node("chosen", [("stdout-path", V.string(stdoutPath))]),
            Node("soc", [("compatible", V.string("simple-bus")), ("#address-cells", V.u32(1)), ("#size-cells", V.u32(1)),
                         ("ranges", ranges)], [
                Node("serial@7e201000", [("compatible", V.strings("arm,pl011", "arm,primecell")), ("reg", V.cells(0x7e20_1000, 0x200))]),
                Node("serial@7e215040", [("compatible", V.string("brcm,bcm2835-aux-uart")), ("reg", V.cells(0x7e21_5040, 0x40))]),
            ]),
            Node("memory@0", [("device_type", V.string("memory")), ("reg", V.cells(0, 0x4000_0000))]),
        ]))
    }

    /// ZynqMP (zynqmp.dtsi): the Cadence UART on /axi with an empty `ranges`.
    func zynqMP(extra: [Node] = []) -> [UInt8] {
        buildFDT(Node("", [("#address-cells", V.u32(2)), ("#size-cells", V.u32(2))], [
            Node("aliases", [("serial0", V.string("/axi/serial@ff000000"))]),
            Node("chosen", [("stdout-path", V.string("serial0:115200n8"))]),
            Node("axi", [("#address-cells", V.u32(2)), ("#size-cells", V.u32(2)), ("ranges", V.empty)], [
                Node("serial@ff000000", [("compatible", V.strings("xlnx,zynqmp-uart", "cdns,uart-r1p12")),
                                         ("reg", V.reg(0xff00_0000, 0x1000))]),
            ]),
        ] + extra))
    }

    @Test func raspberryPiMiniUARTThroughRanges() throws {
        let s = try summary(raspberryPi())
        #expect(s.console == ConsoleChoice(uart: UARTConfig(kind: .ns16550, base: 0x3f21_5040, regShift: 2, regIOWidth: 4),
                                           source: .stdoutPath))
    }

    @Test func raspberryPiPL011ThroughRanges() throws {
        let s = try summary(raspberryPi(stdoutPath: "serial0"))
        #expect(s.console == ConsoleChoice(uart: UARTConfig(kind: .pl011, base: 0x3f20_1000), source: .stdoutPath))
    }

    @Test func busWithoutRangesIsUntranslatable() throws {
        // No `ranges` at all: neither UART maps into the CPU's space, so there is no console.
        let bytes = buildFDT(Node("", [("#address-cells", V.u32(1)), ("#size-cells", V.u32(1))], [
            Node("chosen", [("stdout-path", V.string("/bus/serial@100"))]),
            Node("bus", [("#address-cells", V.u32(1)), ("#size-cells", V.u32(1))], [
                Node("serial@100", [("compatible", V.string("arm,pl011")), ("reg", V.cells(0x100, 0x100))]),
            ]),
        ]))
        #expect(try summary(bytes).console == ConsoleChoice(uart: nil, source: .none))
    }

    @Test func addressOutsideEveryRangeIsUntranslatable() throws {
        // The window covers 0x7e00_0000..+4 KiB only: the UARTs at 0x7e20_1000 and 0x7e21_5040 miss it.
        let s = try summary(raspberryPi(socRanges: V.cells(0x7e00_0000, 0x3f00_0000, 0x1000)))
        #expect(s.console.uart == nil)
    }

    @Test func nestedBusesAddTheirOffsets() throws {
        let bytes = buildFDT(Node("", [("#address-cells", V.u32(2)), ("#size-cells", V.u32(2))], [
            Node("chosen", [("stdout-path", V.string("/outer/inner/uart@10"))]),
            Node("outer", [("#address-cells", V.u32(1)), ("#size-cells", V.u32(1)),
                           ("ranges", V.cells(0, 0x1, 0x0, 0x1000_0000))], [
                Node("inner", [("#address-cells", V.u32(1)), ("#size-cells", V.u32(1)),
                               ("ranges", V.cells(0, 0x200_0000, 0x1000))], [
                    Node("uart@10", [("compatible", V.string("ns16550a")), ("reg", V.cells(0x10, 0x8))]),
                ]),
            ]),
        ]))
        #expect(try summary(bytes).console.uart == UARTConfig(kind: .ns16550, base: 0x1_0200_0010))
    }

    /// `translatedBase` (what the console and fw_cfg read) answers as `translatedReg(of:)?.first?.base`
    /// wherever every entry translates, and translates the first entry alone (as Linux's
    /// `of_iomap(node, 0)`): a UART whose second `reg` entry lies outside the bus's window is usable.
    @Test func translatedBaseIsTheFirstTranslatedRegion() throws {
        let window = V.cells(0x7e20_0000, 0x3f20_0000, 0x10000)
        let secondOutside = buildFDT(Node("", [("#address-cells", V.u32(1)), ("#size-cells", V.u32(1))], [
            Node("soc", [("#address-cells", V.u32(1)), ("#size-cells", V.u32(1)), ("ranges", window)], [
                Node("serial@7e201000", [("compatible", V.string("arm,pl011")),
                                         ("reg", V.cells(0x7e20_1000, 0x200, 0x7f00_0000, 0x100))]),
                Node("serial@7e202000", [("compatible", V.string("arm,pl011")),
                                         ("reg", V.cells(0x7e20_2000, 0x200, 0x7e20_3000, 0x100))]),
                Node("empty", [("reg", V.empty)]),
            ]),
        ]))
        for bytes in [raspberryPi(), raspberryPi(socRanges: V.cells(0x7e00_0000, 0x3f00_0000, 0x1000)), zynqMP(),
                      secondOutside, qemuVirtDTB] {
            try withFDT(bytes) { fdt in
                var checked = 0
                fdt.forEachNode { node, _ in
                    if let all = fdt.translatedReg(of: node) {
                        #expect(fdt.translatedBase(of: node) == all.first?.base)
                    } else if (fdt.reg(of: node)?.count ?? 0) < 2 {
                        #expect(fdt.translatedBase(of: node) == nil)
                    }
                    checked += 1
                    return true
                }
                #expect(checked > 3)
            }
        }
        try withFDT(secondOutside) { fdt in
            #expect(fdt.translatedBase(of: fdt.node(at: "/soc/serial@7e201000")!) == 0x3f20_1000)
            #expect(fdt.translatedReg(of: fdt.node(at: "/soc/serial@7e201000")!) == nil)
            #expect(fdt.translatedBase(of: fdt.node(at: "/soc/serial@7e202000")!) == 0x3f20_2000)
        }
    }

    /// A UART with 16,384 `reg` entries under a bus with 16,384 `ranges` entries (the only window
    /// for its first entry is the last one): its base is the first entry's, translated. Translating
    /// every entry would take 2^28 steps, and answer nil (the others lie in no window).
    @Test func aHugeRegUnderHugeRangesTranslatesItsFirstEntryOnly() throws {
        let count: UInt32 = 16_384
        var ranges: [UInt8] = []
        for k in 0..<count { ranges += V.cells(0x1000_0000 &+ k &* 0x1000, 0x2000_0000 &+ k &* 0x1000, 0x100) }
        ranges += V.cells(0x7e20_0000, 0x3f20_0000, 0x1000)
        var reg = V.cells(0x7e20_0100, 0x100)
        for k in 1..<count { reg += V.cells(0x9000_0000 &+ k &* 0x1000, 0x100) }
        let bytes = buildFDT(Node("", [("#address-cells", V.u32(1)), ("#size-cells", V.u32(1))], [
            Node("soc", [("#address-cells", V.u32(1)), ("#size-cells", V.u32(1)), ("ranges", ranges)], [
                Node("serial@7e200100", [("compatible", V.string("arm,pl011")), ("reg", reg)]),
            ]),
        ]))
        try withFDT(bytes) { fdt in
            #expect(fdt.translatedBase(of: fdt.node(at: "/soc/serial@7e200100")!) == 0x3f20_0100)
        }
    }

    @Test func zynqMPCadenceUART() throws {
        #expect(try summary(zynqMP()).console == ConsoleChoice(uart: UARTConfig(kind: .cadence, base: 0xff00_0000),
                                                              source: .stdoutPath))
    }

    @Test func designWareUARTWithShiftAndWidth() throws {
        let bytes = buildFDT(Node("", [("#address-cells", V.u32(2)), ("#size-cells", V.u32(2))], [
            Node("chosen", [("stdout-path", V.string("/serial@ff1a0000:1500000n8"))]),
            Node("serial@ff1a0000", [("compatible", V.strings("rockchip,rk3399-uart", "snps,dw-apb-uart")),
                                     ("reg", V.reg(0xff1a_0000, 0x100)), ("reg-shift", V.u32(2)), ("reg-io-width", V.u32(4))]),
        ]))
        #expect(try summary(bytes).console.uart == UARTConfig(kind: .ns16550, base: 0xff1a_0000, regShift: 2, regIOWidth: 4))
    }

    @Test func unusableRegisterLayoutFallsBack() throws {
        // A 2-byte access width is not one we make: the stdout UART is refused, the PL011 taken.
        let bytes = buildFDT(Node("", [("#address-cells", V.u32(1)), ("#size-cells", V.u32(1))], [
            Node("chosen", [("stdout-path", V.string("/serial@1000"))]),
            Node("serial@1000", [("compatible", V.string("ns16550a")), ("reg", V.cells(0x1000, 0x100)), ("reg-io-width", V.u32(2))]),
            Node("serial@2000", [("compatible", V.string("arm,pl011")), ("reg", V.cells(0x2000, 0x100))]),
        ]))
        #expect(try summary(bytes).console == ConsoleChoice(uart: UARTConfig(kind: .pl011, base: 0x2000), source: .fallbackUnsupported))
    }

    @Test func unknownStdoutCompatibleFallsBackInOrder() throws {
        // i.MX's lpuart is not driven: PL011 is preferred over ns16550, which beats Cadence.
        let bytes = buildFDT(Node("", [("#address-cells", V.u32(1)), ("#size-cells", V.u32(1))], [
            Node("chosen", [("stdout-path", V.string("/serial@5000"))]),
            Node("serial@5000", [("compatible", V.string("fsl,imx8qm-lpuart")), ("reg", V.cells(0x5000, 0x100))]),
            Node("serial@3000", [("compatible", V.string("cdns,uart-r1p8")), ("reg", V.cells(0x3000, 0x100))]),
            Node("serial@4000", [("compatible", V.string("ns16550a")), ("reg", V.cells(0x4000, 0x100)), ("status", V.string("disabled"))]),
            Node("serial@1000", [("compatible", V.string("ns16550a")), ("reg", V.cells(0x1000, 0x100))]),
        ]))
        #expect(try summary(bytes).console == ConsoleChoice(uart: UARTConfig(kind: .ns16550, base: 0x1000), source: .fallbackUnsupported))
    }

    @Test func noStdoutPathFallsBackToCadence() throws {
        let bytes = buildFDT(Node("", [("#address-cells", V.u32(1)), ("#size-cells", V.u32(1))], [
            Node("serial@3000", [("compatible", V.string("xlnx,xuartps")), ("reg", V.cells(0x3000, 0x100))]),
        ]))
        #expect(try summary(bytes).console == ConsoleChoice(uart: UARTConfig(kind: .cadence, base: 0x3000), source: .fallbackNoStdoutPath))
    }

    @Test func treeWithoutUARTHasNoConsole() throws {
        #expect(try summary(buildFDT(Node(""))).console == ConsoleChoice(uart: nil, source: .none))
        #expect(ConsoleChoice.withoutDeviceTree.uart == UARTConfig(kind: .pl011, base: 0x0900_0000))
    }

    @Test func fwCfgOnlyWhenListed() throws {
        #expect(try summary(zynqMP()).fwCfg == nil)
        let fwcfg = Node("fw-cfg@9020000", [("compatible", V.string("qemu,fw-cfg-mmio")), ("reg", V.reg(0x902_0000, 0x18))])
        #expect(try summary(zynqMP(extra: [fwcfg])).fwCfg == 0x902_0000)
        #expect(try summary(qemuVirtDTB).fwCfg == 0x902_0000)
    }

    @Test func mmBufferFromReservedMemory() throws {
        func tree(_ name: String, base: UInt64 = 0x8_4010_0000, size: UInt64 = 0x1_0000) -> [UInt8] {
            buildFDT(qemuShapedTree(extra: [
                Node("reserved-memory", [("#address-cells", V.u32(2)), ("#size-cells", V.u32(2)), ("ranges", V.empty)], [
                    Node("linux,cma", [("size", V.cells(0, 0x100_0000))]),
                    Node(name, [("reg", V.reg(base, size)), ("no-map", V.empty)]),
                ]),
            ]))
        }
        #expect(try summary(tree("mm-buffer@840100000")).mmBuffer == FDTRegion(base: 0x8_4010_0000, size: 0x1_0000))
        #expect(try summary(tree("mm-buffer")).mmBuffer == FDTRegion(base: 0x8_4010_0000, size: 0x1_0000))
        #expect(try summary(tree("mm-buffers@840100000")).mmBuffer == nil)
        #expect(try summary(tree("mm-buffer@840100000", size: 0)).mmBuffer == nil)
        #expect(try summary(tree("mm-buffer@840100000", size: 0xfff)).mmBuffer == nil)
        #expect(try summary(tree("mm-buffer@840100800", base: 0x8_4010_0800)).mmBuffer == nil)
        #expect(try summary(qemuVirtDTB).mmBuffer == nil)
    }

    @Test func ancestorsOfNestedNode() throws {
        try withTree(zynqMP()) { fdt in
            let uart = try #require(fdt.node(at: "/axi/serial@ff000000"))
            #expect(fdt.ancestors(of: uart)?.map { text(fdt.name(of: $0)) } == ["", "axi"])
            #expect(fdt.ancestors(of: fdt.root) == [])
        }
    }
}

@Suite struct SMCCCMethodTests {
    @Test func psciFirstThenOPTEE() throws {
        let optee = Node("firmware", [], [Node("optee", [("compatible", V.string("linaro,optee-tz")), ("method", V.string("smc"))])])
        let psci = Node("psci", [("compatible", V.string("arm,psci-1.0")), ("method", V.string("hvc"))])
        #expect(try summary(buildFDT(qemuShapedTree(extra: [optee]))).smccc == .smc)
        #expect(try summary(buildFDT(qemuShapedTree(extra: [optee]))).psci == nil)
        #expect(try summary(buildFDT(qemuShapedTree(extra: [psci, optee]))).smccc == .hvc)
        #expect(try summary(buildFDT(qemuShapedTree())).smccc == nil)
    }

    @Test func disabledOrMethodlessOPTEEGivesNone() throws {
        let disabled = Node("firmware", [], [Node("optee", [("compatible", V.string("linaro,optee-tz")),
                                                            ("method", V.string("smc")), ("status", V.string("disabled"))])])
        let methodless = Node("firmware", [], [Node("optee", [("compatible", V.string("linaro,optee-tz"))])])
        #expect(try summary(buildFDT(qemuShapedTree(extra: [disabled]))).smccc == nil)
        #expect(try summary(buildFDT(qemuShapedTree(extra: [methodless]))).smccc == nil)
    }
}
