import Testing
@testable import DeviceTree

@Suite struct PlatformTests {
    @Test func memorySkipsDisabledSecureRAM() throws {
        #expect(try summary(buildFDT(qemuShapedTree())).memory == [FDTRegion(base: 0x4000_0000, size: 0x4000_0000)])
    }

    @Test func memoryFromSeveralNodesAndEntries() throws {
        let b = buildFDT(Node("", [("#address-cells", V.u32(2)), ("#size-cells", V.u32(2))], [
            Node("memory@40000000", [("device_type", V.string("memory")),
                                     ("reg", V.reg(0x4000_0000, 0x1000_0000) + V.reg(0x6000_0000, 0x1000_0000))]),
            Node("ram@80000000", [("device_type", V.string("memory")), ("reg", V.reg(0x8000_0000, 0x100))]),
            Node("uart", [("device_type", V.string("serial")), ("reg", V.reg(0x900_0000, 0x1000))]),
        ]))
        #expect(try summary(b).memory == [
            FDTRegion(base: 0x4000_0000, size: 0x1000_0000), FDTRegion(base: 0x6000_0000, size: 0x1000_0000),
            FDTRegion(base: 0x8000_0000, size: 0x100),
        ])
    }

    @Test func memoryWithMalformedRegIsSkipped() throws {
        let b = buildFDT(Node("", [], [
            Node("memory@0", [("device_type", V.string("memory")), ("reg", V.cells(1, 2))]),
        ]))
        #expect(try summary(b).memory == [])
    }

    @Test func consoleFromStdoutPath() throws {
        let s = try summary(buildFDT(qemuShapedTree()))
        #expect(s.consoleUART == 0x900_0000)
        #expect(text(s.stdoutPath) == "/pl011@9000000")
    }

    @Test func consoleFromStdoutPathWithOptions() throws {
        let s = try summary(buildFDT(qemuShapedTree(stdoutPath: "/pl011@9040000:115200n8")))
        #expect(s.consoleUART == 0x904_0000)
        #expect(text(s.stdoutPath) == "/pl011@9040000")
    }

    @Test func consoleFromAlias() throws {
        #expect(try summary(buildFDT(qemuShapedTree(stdoutPath: "serial1:115200n8"))).consoleUART == 0x904_0000)
    }

    @Test func consoleFromSecureChosen() throws {
        try withTree(buildFDT(qemuShapedTree())) { #expect($0.consoleUART(chosen: "/secure-chosen") == 0x904_0000) }
    }

    @Test func unknownAliasFallsBackToFirstEnabledPL011() throws {
        #expect(try summary(buildFDT(qemuShapedTree(stdoutPath: "serial7"))).consoleUART == 0x900_0000)
    }

    @Test func missingStdoutPathFallsBackToFirstEnabledPL011() throws {
        let b = buildFDT(Node("", [], [
            Node("uart@1000", [("compatible", V.string("ns16550a")), ("reg", V.cells(0, 0x1000, 0x100))]),
            Node("pl011@2000", [("compatible", V.strings("arm,pl011", "arm,primecell")), ("reg", V.cells(0, 0x2000, 0x100))]),
        ]))
        #expect(try summary(b).consoleUART == 0x2000)
    }

    @Test func noConsole() throws {
        #expect(try summary(buildFDT(Node(""))).consoleUART == nil)
    }

    @Test func psciAbsent() throws {
        #expect(try summary(buildFDT(qemuShapedTree())).psci == nil)
    }

    @Test func psciMethodFromNode() throws {
        for (method, expected) in [("smc", PSCIMethod.smc), ("hvc", .hvc)] {
            let psci = Node("psci", [("compatible", V.strings("arm,psci-1.0", "arm,psci-0.2")), ("method", V.string(method))])
            #expect(try summary(buildFDT(qemuShapedTree(extra: [psci]))).psci == expected)
        }
    }

    @Test func psciMethodFromCompatibleElsewhere() throws {
        let firmware = Node("firmware", [], [Node("psci-node", [("compatible", V.string("arm,psci-0.2")), ("method", V.string("hvc"))])])
        #expect(try summary(buildFDT(qemuShapedTree(extra: [firmware]))).psci == .hvc)
    }

    @Test func psciUnknownMethod() throws {
        let psci = Node("psci", [("compatible", V.string("arm,psci-1.0")), ("method", V.string("svc"))])
        #expect(try summary(buildFDT(qemuShapedTree(extra: [psci]))).psci == nil)
    }

    @Test func reservedMemoryChildren() throws {
        let reserved = Node("reserved-memory", [("#address-cells", V.u32(2)), ("#size-cells", V.u32(2)), ("ranges", V.empty)], [
            Node("mm-buffer@40100000", [("reg", V.reg(0x4010_0000, 0x1_0000)), ("no-map", V.empty)]),
            Node("cma", [("size", V.cells(0, 0x100_0000)), ("reusable", V.empty)]),  // no reg: skipped
            Node("fb@48000000", [("reg", V.reg(0x4800_0000, 0x80_0000))]),
        ])
        #expect(try summary(buildFDT(qemuShapedTree(extra: [reserved]))).reserved == [
            FDTReservedRegion(name: Array("mm-buffer@40100000".utf8), base: 0x4010_0000, size: 0x1_0000, noMap: true),
            FDTReservedRegion(name: Array("fb@48000000".utf8), base: 0x4800_0000, size: 0x80_0000, noMap: false),
        ])
    }

    @Test func modelAndCompatible() throws {
        let s = try summary(buildFDT(Node("", [("model", V.string("board")), ("compatible", V.strings("a,b", "c,d"))])))
        #expect(text(s.model) == "board")
        #expect(s.compatible.map { text($0) } == ["a,b", "c,d"])
    }

    /// What `dt` prints in place (`modelText`, `nameText`, `stdoutPathText`) is what the copying
    /// readers return.
    @Test func textInPlaceIsWhatTheCopiesHold() throws {
        // Against literals too: the copying readers are built on the same ranges.
        let board = buildFDT(Node("", [("model", V.string("board"))],
                                  [Node("chosen", [("stdout-path", V.string("/pl011@9000000"))]), Node("uart@9000000", [])]))
        try withTree(board) { fdt in
            #expect(fdt.modelText().map { Array($0) } == Array("board".utf8))
            #expect(fdt.stdoutPathText().map { Array($0) } == Array("/pl011@9000000".utf8))
            var names: [[UInt8]] = []
            fdt.forEachNode { node, _ in names.append(Array(fdt.nameText(of: node))); return true }
            #expect(names == [[], Array("chosen".utf8), Array("uart@9000000".utf8)])
        }
        for bytes in [qemuVirtDTB, board] {
            try withTree(bytes) { fdt in
                #expect(fdt.modelText().map { Array($0) } == fdt.model())
                #expect(fdt.stdoutPathText().map { Array($0) } == fdt.stdoutPath())
                fdt.forEachNode { node, _ in
                    #expect(Array(fdt.nameText(of: node)) == fdt.name(of: node))
                    return true
                }
            }
        }
        try withTree(buildFDT(Node("", []))) { fdt in
            #expect(fdt.modelText() == nil)
            #expect(fdt.nameText(of: FDTNode(offset: 3, parent: nil)).isEmpty)
        }
    }

    @Test func realQEMUVirtTree() throws {
        let s = try summary(qemuVirtDTB)
        #expect(s.version == 17)
        #expect(text(s.model) == "linux,dummy-virt")
        #expect(s.compatible.map { text($0) } == ["linux,dummy-virt"])
        #expect(s.memory == [FDTRegion(base: 0x4000_0000, size: 0x4000_0000)])
        #expect(s.consoleUART == 0x900_0000)
        #expect(s.psci == nil)  // secure=on: QEMU leaves PSCI to the firmware
        #expect(s.reserved == [])
        #expect(s.reservationMap == [])
    }

    @Test func realQEMUVirtTreeSecureConsole() throws {
        try withTree(qemuVirtDTB) { #expect($0.consoleUART(chosen: "/secure-chosen") == 0x904_0000) }
    }

    @Test func parseAllAcceptsTheRealTree() {
        #expect(parseAll(qemuVirtDTB) > 0)
        #expect(parseAll(Array(qemuVirtDTB.prefix(100))) == -1)
    }
}
