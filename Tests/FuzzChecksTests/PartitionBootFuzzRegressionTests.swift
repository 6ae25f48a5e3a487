import Foundation
import Testing
import FuzzChecks

/// Edge inputs of the partition's boot information and manifest checks, and the committed seeds
/// (Fuzz/Corpus/DeviceTreeFuzzer/seed-09: the manifest; seed-10: it inside boot information).
@Test func partitionBootEdgeInputs() throws {
    #expect(PartitionBootFuzz.check([]) == nil)
    // A header alone that promises more than it has, and one with 2^32-1 descriptors.
    let header: [UInt8] = [0xFA, 0x0F, 0, 0, 2, 0, 1, 0, 0x40, 0, 0, 0, 32, 0, 0, 0, 1, 0, 0, 0, 32, 0, 0, 0] + [UInt8](repeating: 0, count: 8)
    #expect(PartitionBootFuzz.check(header) == nil)
    var many = header + [UInt8](repeating: 0, count: 32)
    many[16...19] = [0xFF, 0xFF, 0xFF, 0xFF]
    #expect(PartitionBootFuzz.check(many) == nil)
    let root = #filePath.components(separatedBy: "/Tests/FuzzChecksTests/").first!
    for seed in ["seed-09", "seed-10"] {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: root + "/Fuzz/Corpus/DeviceTreeFuzzer/" + seed)))
        #expect(PartitionBootFuzz.check(bytes) == nil)
        #expect(DeviceTreeFuzz.check(bytes) == nil)
    }
}
