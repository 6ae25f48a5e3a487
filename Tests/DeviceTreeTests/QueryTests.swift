import Testing
@testable import DeviceTree

private let virt = buildFDT(qemuShapedTree())

private func names(_ fdt: FDT, _ nodes: [FDTNode]) -> [String] { nodes.map { text(fdt.name(of: $0)) ?? "" } }

@Suite struct QueryTests {
    @Test func rootHasEmptyNameAndNoParent() throws {
        try withTree(virt) { fdt in
            #expect(fdt.name(of: fdt.root).isEmpty)
            #expect(fdt.root.parent == nil)
            #expect(fdt.node(at: "/") == fdt.root)
        }
    }

    @Test func childrenInOrder() throws {
        try withTree(virt) { fdt in
            #expect(names(fdt, fdt.children(of: fdt.root)) == [
                "memory@40000000", "platform-bus@c000000", "pl011@9040000", "secram@e000000",
                "pl011@9000000", "cpus", "aliases", "secure-chosen", "chosen",
            ])
        }
    }

    @Test func propertiesInOrder() throws {
        try withTree(virt) { fdt in
            let memory = try #require(fdt.node(at: "/memory@40000000"))
            #expect(fdt.properties(of: memory).map { text(fdt.name(of: $0)) } == ["reg", "device_type"])
        }
    }

    @Test func pathWithUnitAddress() throws {
        try withTree(virt) { fdt in
            let node = try #require(fdt.node(at: "/platform-bus@c000000/dev@1000"))
            #expect(text(fdt.name(of: node)) == "dev@1000")
            #expect(node.parent == fdt.node(at: "/platform-bus@c000000")?.offset)
        }
    }

    @Test func pathWithoutUnitAddressMatchesFirst() throws {
        try withTree(virt) { fdt in
            #expect(fdt.node(at: "/pl011") == fdt.node(at: "/pl011@9040000"))
            #expect(fdt.node(at: "/memory") == fdt.node(at: "/memory@40000000"))
        }
    }

    @Test func pathMismatches() throws {
        try withTree(virt) { fdt in
            #expect(fdt.node(at: "/pl011@9000001") == nil)
            #expect(fdt.node(at: "/pl01") == nil)
            #expect(fdt.node(at: "chosen") == nil)  // relative
            #expect(fdt.node(at: "") == nil)
            #expect(fdt.node(at: "/chosen/nothing") == nil)
            #expect(fdt.node(at: "/memory@40000000@") == nil)
        }
    }

    @Test func pathToleratesRepeatedAndTrailingSlashes() throws {
        try withTree(virt) { fdt in
            #expect(fdt.node(at: "//cpus//cpu@0/") == fdt.node(at: "/cpus/cpu@0"))
        }
    }

    @Test func propertyByName() throws {
        try withTree(virt) { fdt in
            let chosen = try #require(fdt.node(at: "/chosen"))
            let p = try #require(fdt.property("stdout-path", of: chosen))
            #expect(text(fdt.string(of: p)) == "/pl011@9000000")
            #expect(fdt.property("stdout", of: chosen) == nil)
            #expect(fdt.property(Array("kaslr-seed".utf8), of: chosen) != nil)
        }
    }

    @Test func propertyNameIsNotMatchedByPrefix() throws {
        try withTree(virt) { fdt in
            #expect(fdt.property("#size", of: fdt.root) == nil)
            #expect(fdt.property("#size-cells-x", of: fdt.root) == nil)
        }
    }

    @Test func valueAccessors() throws {
        try withTree(virt) { fdt in
            let uart = try #require(fdt.node(at: "/pl011@9000000"))
            let clocks = try #require(fdt.property("clock-names", of: uart))
            #expect(fdt.strings(of: clocks).map { text($0) } == ["uartclk", "apb_pclk"])
            let interrupts = try #require(fdt.property("interrupts", of: uart))
            #expect(fdt.value(of: interrupts) == V.cells(0, 1, 4))
            #expect(fdt.u32(of: interrupts) == nil)  // three cells, not one
            let sizeCells = try #require(fdt.property("#size-cells", of: fdt.root))
            #expect(fdt.u32(of: sizeCells) == 2)
        }
    }

    @Test func cellDefaults() throws {
        try withTree(virt) { fdt in
            let chosen = try #require(fdt.node(at: "/chosen"))
            #expect(fdt.addressCells(of: chosen) == 2)
            #expect(fdt.sizeCells(of: chosen) == 1)
            let cpus = try #require(fdt.node(at: "/cpus"))
            #expect(fdt.addressCells(of: cpus) == 1)
            #expect(fdt.sizeCells(of: cpus) == 0)
        }
    }

    @Test func regWithTwoCells() throws {
        try withTree(virt) { fdt in
            let memory = try #require(fdt.node(at: "/memory"))
            #expect(fdt.reg(of: memory) == [FDTRegion(base: 0x4000_0000, size: 0x4000_0000)])
        }
    }

    @Test func regWithOneCellFromParent() throws {
        try withTree(virt) { fdt in
            let dev = try #require(fdt.node(at: "/platform-bus/dev@1000"))
            #expect(fdt.reg(of: dev) == [FDTRegion(base: 0x1000, size: 0x100)])
        }
    }

    @Test func regWithZeroSizeCells() throws {
        try withTree(virt) { fdt in
            let cpu = try #require(fdt.node(at: "/cpus/cpu@0"))
            #expect(fdt.reg(of: cpu) == [FDTRegion(base: 0, size: 0)])
        }
    }

    @Test func regWithSeveralEntries() throws {
        let b = buildFDT(Node("", [("#address-cells", V.u32(2)), ("#size-cells", V.u32(2))], [
            Node("intc", [("reg", V.reg(0x800_0000, 0x1_0000) + V.reg(0x80a_0000, 0xf6_0000))]),
        ]))
        try withTree(b) { fdt in
            let intc = try #require(fdt.node(at: "/intc"))
            #expect(fdt.reg(of: intc) == [
                FDTRegion(base: 0x800_0000, size: 0x1_0000), FDTRegion(base: 0x80a_0000, size: 0xf6_0000),
            ])
        }
    }

    @Test func regWithDefaultCells() throws {
        let b = buildFDT(Node("", [], [Node("x", [("reg", V.cells(1, 2, 3))])]))  // defaults: 2 + 1 cells
        try withTree(b) { fdt in
            let x = try #require(fdt.node(at: "/x"))
            #expect(fdt.reg(of: x) == [FDTRegion(base: 0x1_0000_0002, size: 3)])
        }
    }

    @Test func regOfPartialEntryIsNil() throws {
        let bad = buildFDT(Node("", [], [Node("x", [("reg", V.cells(1, 2, 3, 4))])]))
        try withTree(bad) { fdt in
            let x = try #require(fdt.node(at: "/x"))
            #expect(fdt.reg(of: x) == nil)
        }
    }

    @Test func regWithUnusableCellCountsIsNil() throws {
        let b = buildFDT(Node("", [("#address-cells", V.u32(3))], [Node("x", [("reg", V.cells(1, 2, 3, 4))])]))
        try withTree(b) { fdt in
            let x = try #require(fdt.node(at: "/x"))
            #expect(fdt.reg(of: x) == nil)
        }
        let zero = buildFDT(Node("", [("#address-cells", V.u32(0))], [Node("x", [("reg", V.cells(1))])]))
        try withTree(zero) { fdt in
            let x = try #require(fdt.node(at: "/x"))
            #expect(fdt.reg(of: x) == nil)
        }
    }

    @Test func compatibleListMembership() throws {
        try withTree(virt) { fdt in
            let uart = try #require(fdt.node(at: "/pl011@9000000"))
            #expect(fdt.isCompatible(uart, with: "arm,pl011"))
            #expect(fdt.isCompatible(uart, with: "arm,primecell"))
            #expect(!fdt.isCompatible(uart, with: "arm,pl01"))
            #expect(!fdt.isCompatible(uart, with: "arm,pl011x"))
            #expect(fdt.isCompatible(uart, withPrefix: "arm,prime"))
            #expect(!fdt.isCompatible(fdt.root, with: "arm,pl011"))
        }
    }

    @Test func compatibleWithUnterminatedTailIgnoresTail() throws {
        let b = buildFDT(Node("", [], [Node("x", [("compatible", V.string("a,b") + Array("c,d".utf8))])]))
        try withTree(b) { fdt in
            let x = try #require(fdt.node(at: "/x"))
            #expect(fdt.isCompatible(x, with: "a,b"))
            #expect(!fdt.isCompatible(x, with: "c,d"))
        }
    }

    @Test func status() throws {
        let b = buildFDT(Node("", [], [
            Node("a"), Node("b", [("status", V.string("okay"))]), Node("c", [("status", V.string("ok"))]),
            Node("d", [("status", V.string("disabled"))]), Node("e", [("status", Array("okay".utf8))]),
        ]))
        try withTree(b) { fdt in
            let enabled = fdt.children(of: fdt.root).map { fdt.isEnabled($0) }
            #expect(enabled == [true, true, true, false, false])
        }
    }

    @Test func firstNodeInDocumentOrder() throws {
        try withTree(virt) { fdt in
            let any = try #require(fdt.firstNode(compatible: "arm,pl011"))
            #expect(text(fdt.name(of: any)) == "pl011@9040000")
            let enabled = try #require(fdt.firstNode(compatible: "arm,pl011", enabledOnly: true))
            #expect(text(fdt.name(of: enabled)) == "pl011@9000000")
            let deep = try #require(fdt.firstNode(compatible: "arm,arm-v8"))
            #expect(deep.parent == fdt.node(at: "/cpus")?.offset)
        }
    }

    @Test func nopsAreSkipped() throws {
        let strings = Array("a\0".utf8)
        let block = Tok.nop + Tok.begin("") + Tok.nop + Tok.prop(0, V.u32(7)) + Tok.nop + Tok.begin("c") + Tok.nop
            + Tok.endNode + Tok.nop + Tok.begin("d") + Tok.endNode + Tok.endNode + Tok.nop + Tok.end
        try withTree(assemble(structBlock: block, strings: strings)) { fdt in
            let a = try #require(fdt.property("a", of: fdt.root))
            #expect(fdt.u32(of: a) == 7)
            #expect(names(fdt, fdt.children(of: fdt.root)) == ["c", "d"])
        }
    }

    @Test func memoryReservationBlock() throws {
        let b = buildFDT(Node(""), reservations: [(0x4800_0000, 0x1000), (0x5000_0000, 0x2000)])
        try withTree(b) { fdt in
            #expect(fdt.reservationMap() == [FDTRegion(base: 0x4800_0000, size: 0x1000),
                                             FDTRegion(base: 0x5000_0000, size: 0x2000)])
        }
    }

    @Test func withFDTReportsTheError() {
        #expect(throws: FDTError.badMagic) { try withFDT([UInt8](repeating: 0, count: 64)) { _ in 0 } }
    }
}
