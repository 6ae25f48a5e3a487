import Foundation
import Testing
@testable import DeviceTree

private let mmBuffer = FDTReservedRegion(name: Array("mm-buffer@40100000".utf8), base: 0x4010_0000, size: 0x1_0000, noMap: true)

/// What the EL3 image does to QEMU's tree.
private func secureImageEdits(_ e: inout FDTEditor) throws(FDTError) {
    try e.addPSCI(method: .smc)
    try e.addReservedMemory(base: 0x4010_0000, size: 0x1_0000)
}

/// Every node's path-less name and property (name, value), in document order.
private func dump(_ bytes: [UInt8]) throws -> [String] {
    try withTree(bytes) { fdt in
        var lines: [String] = []
        fdt.forEachNode { node, depth in
            lines.append(String(repeating: " ", count: depth) + (text(fdt.name(of: node)) ?? ""))
            for p in fdt.properties(of: node) {
                lines.append(String(repeating: " ", count: depth + 1) + (text(fdt.name(of: p)) ?? "") + "=" + "\(fdt.value(of: p))")
            }
            return true
        }
        return lines
    }
}

/// `dtc -I dtb -O dts` on `bytes`: (exit status, dts, warnings); nil when dtc is not installed.
private func dtc(_ bytes: [UInt8]) throws -> (Int32, String, String)? {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/dtc") else { return nil }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("dt-\(UUID().uuidString).dtb")
    try Data(bytes).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/dtc")
    process.arguments = ["-I", "dtb", "-O", "dts", file.path]
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let dts = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let warnings = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, dts, warnings)
}

@Suite struct EditorTests {
    @Test func addsPSCIAndReservedMemoryToQEMUShapedTree() throws {
        var b = withRoom(buildFDT(qemuShapedTree()), 4096)
        #expect(edit(&b, secureImageEdits) == nil)
        let s = try summary(b)
        #expect(s.psci == .smc)
        #expect(s.reserved == [mmBuffer])
        #expect(s.memory == [FDTRegion(base: 0x4000_0000, size: 0x4000_0000)])
        #expect(s.consoleUART == 0x900_0000)
        try withTree(b) { fdt in
            let psci = try #require(fdt.node(at: "/psci"))
            #expect(fdt.isCompatible(psci, with: "arm,psci-1.0"))
            let reserved = try #require(fdt.node(at: "/reserved-memory"))
            #expect(fdt.addressCells(of: reserved) == 2)
            #expect(fdt.sizeCells(of: reserved) == 2)
            let ranges = try #require(fdt.property("ranges", of: reserved))
            #expect(ranges.length == 0)
        }
    }

    @Test func keepsEveryExistingNodeAndProperty() throws {
        let original = buildFDT(qemuShapedTree())
        var b = withRoom(original, 4096)
        #expect(edit(&b, secureImageEdits) == nil)
        let added = Set(try dump(b)).subtracting(try dump(original))
        #expect(Set(try dump(original)).isSubset(of: Set(try dump(b))))
        #expect(added.count == 10)  // psci + 2 properties, reserved-memory + 3, mm-buffer + 2
    }

    @Test func growsTotalSizeByWhatWasAdded() throws {
        let original = buildFDT(qemuShapedTree())
        var b = withRoom(original, 4096)
        #expect(edit(&b, secureImageEdits) == nil)
        let total = Int(read32(b, H.totalSize))
        #expect(total > original.count)
        #expect(total == Int(read32(b, H.offStrings) + read32(b, H.sizeStrings)))
        #expect(read32(b, H.offStruct) == read32(original, H.offStruct))
    }

    @Test func reusesExistingStrings() throws {
        // "compatible", "reg", "ranges" and the cell names exist already; "method" and "no-map" do not.
        let original = buildFDT(qemuShapedTree())
        var b = withRoom(original, 4096)
        #expect(edit(&b, secureImageEdits) == nil)
        let grown = Int(read32(b, H.sizeStrings)) - Int(read32(original, H.sizeStrings))
        #expect(grown == "method\0no-map\0".utf8.count)
    }

    @Test func usesSlackInsideTotalSize() throws {
        // QEMU passes its tree with totalsize = the 1 MiB slot: free space inside the blob.
        var b = withRoom(qemuVirtDTB, 0x1_0000 - qemuVirtDTB.count)
        patch32(&b, H.totalSize, 0x1_0000)
        #expect(edit(&b, secureImageEdits) == nil)
        #expect(read32(b, H.totalSize) == 0x1_0000)
        let s = try summary(b)
        #expect(s.psci == .smc)
        #expect(s.reserved == [mmBuffer])
    }

    @Test func editsRealQEMUTree() throws {
        var b = withRoom(qemuVirtDTB, 0x10_0000 - qemuVirtDTB.count)
        #expect(edit(&b, secureImageEdits) == nil)
        let s = try summary(b)
        #expect(s.psci == .smc)
        #expect(s.reserved == [mmBuffer])
        #expect(s.memory == [FDTRegion(base: 0x4000_0000, size: 0x4000_0000)])
        #expect(s.consoleUART == 0x900_0000)
        #expect(text(s.model) == "linux,dummy-virt")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/dtc")))
    func dtcAcceptsTheEditedRealTree() throws {
        var b = withRoom(qemuVirtDTB, 0x10_0000 - qemuVirtDTB.count)
        #expect(edit(&b, secureImageEdits) == nil)
        let (status, dts, warnings) = try #require(try dtc(Array(b.prefix(Int(read32(b, H.totalSize))))))
        #expect(status == 0)
        #expect(dts.contains("\tpsci {\n\t\tcompatible = \"arm,psci-1.0\";\n\t\tmethod = \"smc\";\n\t};"))
        #expect(dts.contains("""
            \treserved-memory {
            \t\t#address-cells = <0x02>;
            \t\t#size-cells = <0x02>;
            \t\tranges;

            \t\tmm-buffer@40100000 {
            \t\t\treg = <0x00 0x40100000 0x00 0x10000>;
            \t\t\tno-map;
            \t\t};
            \t};
            """))
        #expect(!warnings.contains("psci") && !warnings.contains("reserved-memory"))
    }

    @Test func updatesExistingPSCIInsteadOfAddingOne() throws {
        let psci = Node("psci", [("method", V.string("hvc")), ("compatible", V.strings("arm,psci-0.2", "arm,psci")),
                                 ("cpu_on", V.u32(0xc400_0003))])
        var b = withRoom(buildFDT(qemuShapedTree(extra: [psci])), 256)
        #expect(edit(&b) { e throws(FDTError) in try e.addPSCI(method: .smc) } == nil)
        try withTree(b) { fdt in
            #expect(fdt.children(of: fdt.root).filter { text(fdt.name(of: $0)) == "psci" }.count == 1)
            let node = try #require(fdt.node(at: "/psci"))
            #expect(fdt.strings(of: try #require(fdt.property("compatible", of: node))).map { text($0) } == ["arm,psci-1.0"])
            #expect(fdt.psciMethod() == .smc)
            #expect(fdt.property("cpu_on", of: node).map { fdt.u32(of: $0) } == 0xc400_0003)
        }
    }

    @Test func shrinkingAValueMovesTheRestDown() throws {
        var b = withRoom(buildFDT(qemuShapedTree()), 256)
        let before = Int(read32(b, H.sizeStruct))
        #expect(edit(&b) { e throws(FDTError) in
            try e.setProperty(Array("model".utf8), to: Array("v\0".utf8), of: e.fdt.root)
        } == nil)
        #expect(Int(read32(b, H.sizeStruct)) == before - 16)  // "linux,dummy-virt\0" (20) -> "v\0" (4)
        let s = try summary(b)
        #expect(text(s.model) == "v")
        #expect(s.consoleUART == 0x900_0000)
    }

    @Test func addsOnlyTheChildToExistingReservedMemory() throws {
        let reserved = Node("reserved-memory", [("#address-cells", V.u32(1)), ("#size-cells", V.u32(1)), ("ranges", V.empty)], [
            Node("fb@48000000", [("reg", V.cells(0x4800_0000, 0x1000))]),
        ])
        var b = withRoom(buildFDT(qemuShapedTree(extra: [reserved])), 256)
        #expect(edit(&b, secureImageEdits) == nil)
        try withTree(b) { fdt in
            let parent = try #require(fdt.node(at: "/reserved-memory"))
            #expect(fdt.addressCells(of: parent) == 1)
            let child = try #require(fdt.node(at: "/reserved-memory/mm-buffer@40100000"))
            #expect(fdt.property("reg", of: child)?.length == 8)  // written in the parent's 1 + 1 cells
        }
        #expect(try summary(b).reserved == [
            FDTReservedRegion(name: Array("fb@48000000".utf8), base: 0x4800_0000, size: 0x1000, noMap: false), mmBuffer,
        ])
    }

    @Test func baseTooLargeForOneCellIsUnsupported() throws {
        let reserved = Node("reserved-memory", [("#address-cells", V.u32(1)), ("#size-cells", V.u32(1)), ("ranges", V.empty)])
        let original = withRoom(buildFDT(qemuShapedTree(extra: [reserved])), 256)
        var b = original
        #expect(edit(&b) { e throws(FDTError) in try e.addReservedMemory(base: 0x1_0000_0000, size: 0x1000) } == .unsupported)
        #expect(b == original)
    }

    @Test func nameAndNoMapAreParameters() throws {
        var b = withRoom(buildFDT(qemuShapedTree()), 512)
        #expect(edit(&b) { e throws(FDTError) in
            try e.addReservedMemory(name: "shm", base: 0x8_0000_0000, size: 0x20_0000, noMap: false)
        } == nil)
        #expect(try summary(b).reserved == [
            FDTReservedRegion(name: Array("shm@800000000".utf8), base: 0x8_0000_0000, size: 0x20_0000, noMap: false),
        ])
    }

    /// The unit address is the base in lower-case hex without leading zeros ("0" for 0, all
    /// sixteen digits for the top of the space), after a name of any length.
    @Test func unitAddressIsTheBaseInHex() throws {
        var b = withRoom(buildFDT(qemuShapedTree()), 512)
        #expect(edit(&b) { e throws(FDTError) in
            try e.addReservedMemory(name: "a", base: 0, size: 0x1000)
            try e.addReservedMemory(name: "a-longer-name", base: 0xFEDC_BA98_7654_3000, size: 0x1000)
        } == nil)
        #expect(try summary(b).reserved.map(\.name) == [Array("a@0".utf8), Array("a-longer-name@fedcba9876543000".utf8)])
    }

    @Test func editingTwiceChangesNothingMore() throws {
        var once = withRoom(buildFDT(qemuShapedTree()), 1024)
        #expect(edit(&once, secureImageEdits) == nil)
        var twice = once
        #expect(edit(&twice, secureImageEdits) == nil)
        #expect(twice == once)
    }

    @Test func noRoomIsAnErrorAndLeavesTheTreeAlone() throws {
        let original = buildFDT(qemuShapedTree())
        for room in [0, 16, 64] {
            var b = withRoom(original, room)
            #expect(edit(&b) { e throws(FDTError) in try e.addPSCI() } == .noSpace)
            #expect(b == withRoom(original, room))
        }
        var b = withRoom(original, 64)
        #expect(edit(&b) { e throws(FDTError) in try e.addReservedMemory(base: 0x4010_0000, size: 0x1_0000) } == .noSpace)
        #expect(b == withRoom(original, 64))
    }

    @Test func exactlyEnoughRoom() throws {
        // Find the smallest room that works by trying; it must be within the editor's estimate.
        let original = buildFDT(qemuShapedTree())
        var needed: Int?
        for room in stride(from: 0, through: 400, by: 4) {
            var b = withRoom(original, room)
            if edit(&b, secureImageEdits) == nil { needed = room; break }
        }
        let room = try #require(needed)
        var b = withRoom(original, room)
        #expect(edit(&b, secureImageEdits) == nil)
        #expect(Int(read32(b, H.totalSize)) <= b.count)
    }

    @Test func setPropertyNeedsAValidName() throws {
        var b = withRoom(buildFDT(qemuShapedTree()), 256)
        #expect(edit(&b) { e throws(FDTError) in try e.setProperty([], to: [], of: e.fdt.root) } == .unsupported)
        #expect(edit(&b) { e throws(FDTError) in _ = try e.subnode(named: Array("a/b".utf8), of: e.fdt.root) } == .unsupported)
    }

    @Test func staleNodeIsRefused() throws {
        var b = withRoom(buildFDT(qemuShapedTree()), 512)
        #expect(edit(&b) { e throws(FDTError) in
            guard let chosen = e.fdt.node(at: "/chosen") else { throw .badToken }
            try e.setProperty(Array("model".utf8), to: Array("a much longer model name\0".utf8), of: e.fdt.root)
            try e.setProperty(Array("x".utf8), to: [], of: chosen)  // /chosen moved by 8 bytes
        } == .unsupported)
        #expect(edit(&b) { e throws(FDTError) in
            guard let chosen = e.fdt.node(at: "/chosen") else { throw .badToken }
            let fake = FDTNode(offset: chosen.offset + 4, parent: nil)
            _ = try e.subnode(named: Array("x".utf8), of: fake)
        } == .unsupported)
    }

    @Test func upgradesVersion16() throws {
        var original = buildFDT(qemuShapedTree())
        patch32(&original, H.version, 16)
        patch32(&original, H.sizeStruct, 0)
        var b = withRoom(original, 1024)
        #expect(edit(&b, secureImageEdits) == nil)
        #expect(read32(b, H.version) == 17)
        #expect(try summary(b).psci == .smc)
    }

    @Test func rejectsMalformedTrees() {
        var b = withRoom(buildFDT(qemuShapedTree()), 256)
        patch32(&b, H.magic, 0)
        #expect(edit(&b, secureImageEdits) == .badMagic)
    }

    @Test func rejectsStringsBeforeStructure() {
        // A valid but unusual layout: strings block between the reservation map and the structure.
        let strings = Array("a\0".utf8)
        let block = Tok.begin("") + Tok.prop(0, V.u32(1)) + Tok.endNode + Tok.end
        var b = Array(assemble(structBlock: [], strings: [])[0..<56]) + strings + [0, 0] + block
        patch32(&b, H.totalSize, UInt32(b.count))
        patch32(&b, H.offStrings, 56)
        patch32(&b, H.sizeStrings, 2)
        patch32(&b, H.offStruct, 60)
        patch32(&b, H.sizeStruct, UInt32(block.count))
        let tree = b
        #expect(rejection(tree) == nil)
        var buffer = withRoom(tree, 256)
        #expect(edit(&buffer, secureImageEdits) == .badLayout)
    }
}
