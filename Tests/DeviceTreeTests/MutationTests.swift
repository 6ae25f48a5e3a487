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
}
