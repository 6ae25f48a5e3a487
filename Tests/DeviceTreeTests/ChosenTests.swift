import Testing
@testable import DeviceTree

/// `booti`'s edit: /chosen bootargs and linux,initrd-start/-end, on QEMU's real tree after the
/// secure image's own edits.
@Suite struct ChosenTests {
    func securedQEMUTree() -> [UInt8] {
        var b = withRoom(qemuVirtDTB, 0x10_0000 - qemuVirtDTB.count)
        #expect(edit(&b) { e throws(FDTError) in
            try e.addPSCI(method: .smc)
            try e.addReservedMemory(base: 0x4010_0000, size: 0x1_0000)
        } == nil)
        return b
    }

    func chosen(_ b: [UInt8], _ name: String) throws -> [UInt8]? {
        try withTree(b) { fdt in
            let node = try #require(fdt.node(at: "/chosen"))
            return fdt.property(Array(name.utf8), of: node).map { fdt.value(of: $0) }
        }
    }

    @Test func writesBootargsAndInitrdAndKeepsTheRest() throws {
        var b = securedQEMUTree()
        let before = try summary(b)
        #expect(edit(&b) { e throws(FDTError) in
            try e.setChosen(bootargs: Array("console=ttyAMA0 rdinit=/init".utf8),
                            initrd: FDTRegion(base: 0x4400_0000, size: 0x1C_3478))
        } == nil)
        #expect(try chosen(b, "bootargs") == Array("console=ttyAMA0 rdinit=/init".utf8) + [0])
        #expect(try chosen(b, "linux,initrd-start") == be64(0x4400_0000))
        #expect(try chosen(b, "linux,initrd-end") == be64(0x441C_3478))
        let after = try summary(b)
        #expect(after.reserved == before.reserved)   // /reserved-memory kept
        #expect(after.psci == .smc)
        #expect(after.stdoutPath == before.stdoutPath)
        #expect(after.memory == before.memory)
    }

    @Test func withoutInitrdStaleInitrdPropertiesGo() throws {
        var b = securedQEMUTree()
        #expect(edit(&b) { e throws(FDTError) in
            try e.setChosen(bootargs: nil, initrd: FDTRegion(base: 0x4400_0000, size: 0x1000))
            try e.setChosen(bootargs: Array("quiet".utf8), initrd: nil)
        } == nil)
        #expect(try chosen(b, "linux,initrd-start") == nil)
        #expect(try chosen(b, "linux,initrd-end") == nil)
        #expect(try chosen(b, "bootargs") == Array("quiet".utf8) + [0])
        #expect(try summary(b).stdoutPath == Array("/pl011@9000000".utf8))
    }

    @Test func noBootargsKeepsTheTreesOwn() throws {
        var b = securedQEMUTree()
        #expect(edit(&b) { e throws(FDTError) in try e.setChosen(bootargs: Array("from qemu".utf8), initrd: nil) } == nil)
        #expect(edit(&b) { e throws(FDTError) in try e.setChosen(bootargs: nil, initrd: nil) } == nil)
        #expect(try chosen(b, "bootargs") == Array("from qemu".utf8) + [0])
    }

    /// The NUL is written as the first byte of the value's padding: every length modulo 4,
    /// growing and shrinking a value already there, leaves the value and the tree after it whole.
    @Test func bootargsOfEveryLengthModuloFour() throws {
        var b = securedQEMUTree()
        for text in ["abc", "abcd", "ab", "a", "abcdefg", "", "abcdefghijkl"] {
            #expect(edit(&b) { e throws(FDTError) in try e.setChosen(bootargs: Array(text.utf8), initrd: nil) } == nil)
            #expect(try chosen(b, "bootargs") == Array(text.utf8) + [0])
            #expect(try summary(b).stdoutPath == Array("/pl011@9000000".utf8))
        }
    }

    @Test func createsChosenWhenMissing() throws {
        var b = withRoom(buildFDT(Node("", [("#address-cells", V.u32(2)), ("#size-cells", V.u32(2))])), 512)
        #expect(edit(&b) { e throws(FDTError) in
            try e.setChosen(bootargs: Array("a".utf8), initrd: FDTRegion(base: 0x1_0000_0000, size: 0x10))
        } == nil)
        #expect(try chosen(b, "linux,initrd-end") == be64(0x1_0000_0010))
    }

    @Test func refusesWhenTheBufferIsFull() throws {
        var b = buildFDT(qemuShapedTree())   // no room after the tree
        #expect(edit(&b) { e throws(FDTError) in
            try e.setChosen(bootargs: [UInt8](repeating: 0x61, count: 256), initrd: nil)
        } == .noSpace)
        #expect(throws: Never.self) { try summary(b) }   // still a valid tree
    }

    @Test func removePropertyShrinksTheStructureBlock() throws {
        var b = securedQEMUTree()
        #expect(edit(&b) { e throws(FDTError) in try e.setChosen(bootargs: Array("x".utf8), initrd: nil) } == nil)
        let structSize = read32(b, 36)
        #expect(edit(&b) { e throws(FDTError) in
            guard let node = e.fdt.node(at: "/chosen") else { throw .badNesting }
            try e.removeProperty(Array("bootargs".utf8), of: node)
        } == nil)
        #expect(read32(b, 36) == structSize - 16)    // token, len, nameoff, "x\0" padded to 4
        #expect(try chosen(b, "bootargs") == nil)
    }
}
