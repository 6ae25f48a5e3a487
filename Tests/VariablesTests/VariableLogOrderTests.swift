import Testing
import MM
@testable import Variables
import TestSupport

/// The mount sorts the key order once (`rebuildOrder`, a merge sort of its own). For stores of
/// many sizes (powers of two and not), with three GUIDs and names that share prefixes, written in
/// random order and in key order, the order after a remount is the sorted order of the keys, and
/// GetNextVariableName lists them so.
@Test(arguments: [0, 1, 2, 3, 5, 16, 17, 100, 257])
func theMountsKeyOrderIsTheSortedOrder(count: Int) throws {
    var random = SplitMix64(seed: UInt64(count) + 5)
    var keys: [(guid: EFIGuid, name: [UInt8])] = []
    while keys.count < count {
        let guid = EFIGuid(UInt32(random.below(3)), 0, 0, (0, 0, 0, 0, 0, 0, 0, 0))
        var name: [UInt8] = []
        for _ in 0...random.below(4) { name += [UInt8(0x41 + random.below(3)), 0] }
        name += [0, 0]
        if keys.contains(where: { $0.guid == guid && $0.name == name }) { continue }
        keys.append((guid, name))
    }
    let sorted = keys.sorted { a, b in VariableKey.precedes(a.guid, a.name, b.guid, b.name) }
    for written in [keys, sorted, sorted.reversed()] {
        let f = RAMFlash(blockCount: 4, eraseBlockSize: 32768)
        var log = try FlashVariableLog(flash: f, maximumVariableSize: 256)
        for (i, k) in written.enumerated() {
            try log.put(StoredVariable(guid: k.guid, name: k.name, attributes: 7, data: [UInt8(truncatingIfNeeded: i)]))
        }
        let mounted = try FlashVariableLog(flash: f, maximumVariableSize: 256)
        let order = mounted.order.map { mounted.stored(Int($0)) }
        #expect(order.count == count)
        #expect(order.map(\.guid) == sorted.map(\.guid) && order.map(\.name) == sorted.map(\.name))
        var listed = 0
        var previous: (guid: EFIGuid, name: [UInt8])? = nil
        while let v = mounted.firstVariable(after: previous, where: { _ in true }) {
            #expect(v.guid == sorted[listed].guid && v.name == sorted[listed].name)
            listed += 1
            previous = (v.guid, v.name)
        }
        #expect(listed == count)
    }
}
