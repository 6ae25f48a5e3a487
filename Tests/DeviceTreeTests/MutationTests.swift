import Testing
@testable import DeviceTree
import TestSupport

private let interesting: [UInt32] = [0, 1, 2, 3, 4, 9, 16, 17, 0x7fff_ffff, 0x8000_0000, 0xffff_fffc, 0xffff_ffff, 0xd00d_feed]

/// One to four random changes: bit flips, bytes, interesting words (header fields often),
/// insertions, deletions, truncation.
private func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
    var b = input
    for _ in 0...rng.below(4) where !b.isEmpty {
        switch rng.below(7) {
        case 0:
            b[rng.below(b.count)] ^= UInt8(1) << UInt8(rng.below(8))
        case 1:
            b[rng.below(b.count)] = UInt8(truncatingIfNeeded: rng.next())
        case 2, 3:
            // A header field (first 40 bytes) half the time, else any aligned word.
            let words = rng.below(2) == 0 ? min(10, b.count / 4) : b.count / 4
            guard words > 0 else { continue }
            let at = rng.below(words) * 4
            let value = rng.below(3) == 0 ? UInt32(truncatingIfNeeded: rng.next() % UInt64(b.count + 64))
                : interesting[rng.below(interesting.count)]
            patch32(&b, at, value)
        case 4:
            b.insert(contentsOf: [UInt8](repeating: UInt8(truncatingIfNeeded: rng.next()), count: 1 + rng.below(8)),
                     at: rng.below(b.count))
        case 5:
            let at = rng.below(b.count)
            b.removeSubrange(at..<min(b.count, at + 1 + rng.below(8)))
        default:
            b = Array(b.prefix(rng.below(b.count)))
        }
    }
    return b
}

@Suite struct MutationTests {
    static let seeds: [[UInt8]] = [
        qemuVirtDTB,
        buildFDT(qemuShapedTree(stdoutPath: "serial0:115200n8", extra: [
            Node("psci", [("compatible", V.string("arm,psci-1.0")), ("method", V.string("smc"))]),
            Node("reserved-memory", [("#address-cells", V.u32(2)), ("#size-cells", V.u32(2)), ("ranges", V.empty)], [
                Node("mm-buffer@40100000", [("reg", V.reg(0x4010_0000, 0x1_0000)), ("no-map", V.empty)]),
            ]),
        ]), reservations: [(0x4800_0000, 0x1000)]),
    ]

    @Test func readerNeverTrapsOnMutatedTrees() {
        var rng = SplitMix64(seed: 0x5eed_f00d)
        var accepted = 0, rejected = 0
        for i in 0..<3000 {
            let bytes = mutate(MutationTests.seeds[i % MutationTests.seeds.count], &rng)
            if parseAll(bytes) == -1 { rejected += 1 } else { accepted += 1 }
        }
        // Both outcomes must be common, or the loop is not exercising what it claims to.
        #expect(accepted > 300)
        #expect(rejected > 300)
    }

    @Test func editorNeverTrapsAndLeavesValidTrees() throws {
        var rng = SplitMix64(seed: 0xf00d_0001)
        var edited = 0
        for i in 0..<1500 {
            let bytes = mutate(MutationTests.seeds[i % MutationTests.seeds.count], &rng)
            var buffer = withRoom(bytes, rng.below(512))
            guard edit(&buffer, { e throws(FDTError) in
                try e.addPSCI(method: .smc)
                try e.addReservedMemory(base: 0x4010_0000, size: 0x1_0000)
            }) == nil else { continue }
            edited += 1
            #expect(rejection(buffer) == nil)
            let s = try summary(buffer)
            #expect(s.psci == .smc)
            #expect(s.reserved.contains {
                $0.base == 0x4010_0000 && $0.size == 0x1_0000 && $0.noMap && $0.name == Array("mm-buffer@40100000".utf8)
            })
        }
        #expect(edited > 100)
    }

    /// The node index (`FDTIndex`) answers as the walks it replaces: the same summary, nodes,
    /// children, siblings and ancestors, on valid and mutated trees.
    @Test func indexedQueriesAgreeWithWalks() throws {
        var rng = SplitMix64(seed: 0x1dec_0001)
        var compared = 0
        for i in 0..<1500 {
            let seed = MutationTests.seeds[i % MutationTests.seeds.count]
            let bytes = i < MutationTests.seeds.count ? seed : mutate(seed, &rng)
            guard rejection(bytes) == nil else { continue }
            try withTree(bytes) { fdt in
                var walked = fdt
                walked.index = nil
                #expect(fdt.summary() == walked.summary())
                #expect(fdt.interruptController() == walked.interruptController())
                var nodes: [FDTNode] = [], depths: [Int] = [], walkedNodes: [FDTNode] = [], walkedDepths: [Int] = []
                fdt.forEachNode { n, d in nodes.append(n); depths.append(d); return true }
                walked.forEachNode { n, d in walkedNodes.append(n); walkedDepths.append(d); return true }
                #expect(nodes == walkedNodes && depths == walkedDepths)
                #expect(nodes.count == fdt.index?.entries.count)
                #expect(fdt.root == walked.root)
                // The monitor's in-place reading of the memory ranges lists what `memoryRanges` does.
                var each: [FDTRegion] = []
                fdt.forEachMemoryRange { each.append($0) }
                #expect(each == fdt.memoryRanges())
                for n in nodes {
                    #expect(fdt.firstChild(of: n) == walked.firstChild(of: n))
                    #expect(fdt.nextSibling(of: n) == walked.nextSibling(of: n))
                    // The index's END_NODE offsets are where the walks find them.
                    #expect(fdt.endOffset(of: n) == walked.endOffset(of: n) && fdt.endOffset(of: n) != nil)
                    #expect(fdt.propertiesEnd(of: n) == walked.propertiesEnd(of: n))
                    #expect(fdt.ancestors(of: n) == walked.ancestors(of: n))
                    #expect(fdt.contains(n) && walked.contains(n))
                    #expect(fdt.properties(of: n) == walked.properties(of: n))
                    // Lookups by name: whole, without the unit address, and exactly.
                    let name = fdt.name(of: n), parent = FDTNode(offset: n.parent ?? n.offset, parent: nil)
                    let bare = Array(name.prefix { $0 != UInt8(ascii: "@") })
                    for needle in [name, bare, bare + [0x40]] {
                        #expect(fdt.child(of: parent, named: needle) == walked.child(of: parent, named: needle))
                        needle.withUnsafeBytes {
                            #expect(fdt.child(of: parent, named: $0, exactly: true) == walked.child(of: parent, named: $0, exactly: true))
                        }
                    }
                }
                // An offset that is not a node's: neither answers with a node.
                let stray = FDTNode(offset: fdt.root.offset + 4, parent: fdt.root.offset)
                #expect(!fdt.contains(stray) && fdt.ancestors(of: stray) == nil)
            }
            compared += 1
        }
        #expect(compared > 150)
    }

    /// After every edit the editor's index is the one a fresh walk of the edited tree records.
    @Test func editorKeepsItsIndexCurrent() {
        var rng = SplitMix64(seed: 0x1dec_0002)
        var checked = 0
        for i in 0..<1500 {
            let seed = MutationTests.seeds[i % MutationTests.seeds.count]
            let bytes = i < MutationTests.seeds.count ? seed : mutate(seed, &rng)
            var buffer = withRoom(bytes, rng.below(2) == 0 ? 4096 : rng.below(256))
            buffer.withUnsafeMutableBytes { raw in
                guard var editor = try? FDTEditor(raw) else { return }
                for step in 0..<6 {
                    _ = try? MutationTests.indexEdit(step, &editor)
                    let fresh = try? FDT(UnsafeRawBufferPointer(raw))
                    #expect(fresh?.index == editor.fdt.index)
                }
                checked += 1
            }
        }
        #expect(checked > 150)
    }

    static func indexEdit(_ step: Int, _ e: inout FDTEditor) throws(FDTError) {
        switch step {
        case 0: try e.addPSCI(method: .smc)
        case 1: try e.addReservedMemory(base: 0x4010_0000, size: 0x1_0000)
        case 2: try e.addReservedMemory(name: "second", base: 0x4200_0000, size: 0x1000)
        case 3: try e.setChosen(bootargs: Array("quiet".utf8), initrd: FDTRegion(base: 0x4800_0000, size: 0x1000))
        case 4: try e.setChosen(bootargs: nil, initrd: nil)
        default:
            let n = try e.subnode(named: Array("a".utf8), of: e.fdt.root)
            let m = try e.subnode(named: Array("b".utf8), of: n)
            try e.setProperty(Array("x".utf8), to: [1, 2, 3], of: m)
            try e.setProperty(Array("y".utf8), to: [], of: n)
            try e.removeProperty(Array("x".utf8), of: m)
        }
    }
}
