import Testing
import MM
@testable import Variables
import TestSupport

// A listing step builds no name (`VariableStore.nextKey`): the served names are spelt on the
// stack, a volatile's is compared where the store holds it, the flash log's read from the flash
// (onto the stack up to 1 KiB, past that into an array). Checked here against a plain model:
// every visible key, sorted by GUID bytes then name bytes.

private func ascii(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    for c in s.utf8 { out.append(c); out.append(0) }
    return out + [0, 0]
}

private func byKey(_ a: (EFIGuid, [UInt8]), _ b: (EFIGuid, [UInt8])) -> Bool {
    if a.0 != b.0 { return withUnsafeBytes(of: a.0) { x in withUnsafeBytes(of: b.0) { y in x.lexicographicallyPrecedes(y) } } }
    return a.1.lexicographicallyPrecedes(b.1)
}

private func flashStore() throws -> VariableStore<FlashVariableLog<RAMFlash>> {
    let log = try FlashVariableLog(flash: RAMFlash(blockCount: 4, eraseBlockSize: 16384), maximumVariableSize: 4096)
    return VariableStore(persistence: log)
}

@Test func aListingInterleavesServedVolatileAndStoredNamesInKeyOrder() throws {
    var s = try flashStore()
    // Under EFI_GLOBAL_VARIABLE, names with no rule on either side of the served ones, some
    // volatile, some on the flash; under a vendor GUID, both kinds and a name longer than 1 KiB.
    let long = ascii(String(repeating: "L", count: 600))  // 1,202 bytes
    var expected: [(EFIGuid, [UInt8])] = servedNames.map { (.globalVariable, $0) }
    for (name, guid, attributes) in [
        (ascii("Aa"), EFIGuid.globalVariable, BS | RT), (ascii("Ab"), .globalVariable, NV | BS | RT),
        (ascii("SecureBootZ"), .globalVariable, BS | RT), (ascii("SecureBoot0"), .globalVariable, NV | BS | RT),
        (ascii("Zz"), .globalVariable, NV | BS | RT), (ascii("Vendor"), .globalVariable, BS | RT),
        (ascii("B"), storeVendor, BS), (ascii("A"), storeVendor, NV | BS), (ascii("AB"), storeVendor, BS | RT),
        (long, storeVendor, NV | BS | RT), (ascii("C"), storeOther, NV | BS),
    ] {
        #expect(s.setVariable(name: name, guid: guid, attributes: attributes, data: [1]) == .success, "\(name.count)")
        expected.append((guid, name))
    }
    expected.sort(by: byKey)
    let listed = enumerate(s, bufferSize: 1300)
    #expect(listed.count == expected.count)
    #expect(zip(listed, expected).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 })
    // The same from each listed key, with the previous name 1 byte into the buffer's storage
    // (the message's name need not be aligned): each step answers the next in the model.
    for (k, key) in expected.enumerated() {
        let buffer = [0x55] + key.1 + [UInt8](repeating: 0, count: 1300 - key.1.count)
        let r = buffer.withUnsafeBytes { s.nextVariableName(rawNameBuffer: UnsafeRawBufferPointer(rebasing: $0[1...]), guid: key.0) }
        if k + 1 < expected.count {
            #expect(r.status == .success && r.guid == expected[k + 1].0 && r.name == expected[k + 1].1, "after \(k)")
        } else {
            #expect(r.status == .notFound)
        }
    }
    // A buffer too small for the long name: its size, not its bytes, and the GUID as sent.
    let before = expected[expected.firstIndex { $0.1 == long }! - 1]
    let small = s.nextVariableName(nameBuffer: before.1 + [UInt8](repeating: 0, count: 64), guid: before.0)
    #expect(small.status == .bufferTooSmall && small.nameSize == UInt64(long.count) && small.guid == before.0 && small.name.isEmpty)
    // After ExitBootServices only RT variables are listed, the served ones among them.
    _ = s.exitBootServices()
    let runtime = enumerate(s, bufferSize: 1300)
    #expect(runtime.map { $0.1 } == expected.filter { e in
        servedNames.contains(e.1) || [ascii("Aa"), ascii("Ab"), ascii("SecureBootZ"), ascii("SecureBoot0"), ascii("Zz"),
                                      ascii("Vendor"), ascii("AB"), long].contains(e.1)
    }.map { $0.1 })
}

@Test func theFlashLogListsFromItsIndexWithoutTheValues() throws {
    var log = try FlashVariableLog(flash: RAMFlash(blockCount: 4, eraseBlockSize: 4096), maximumVariableSize: 512)
    for n in ["Delta", "Alpha", "Charlie", "Bravo"] {
        try log.put(StoredVariable(guid: storeVendor, name: ascii(n), attributes: NV | BS, data: [UInt8](repeating: 7, count: 100)))
    }
    var names: [[UInt8]] = []
    var key = log.firstKey(after: nil, where: { _, _, _ in true })
    while let k = key {
        var name = [UInt8](repeating: 0xEE, count: k.nameCount + 2)
        name.withUnsafeMutableBytes { log.copyName(of: k, to: $0, at: 1) }
        #expect(name.first == 0xEE && name.last == 0xEE)  // exactly `nameCount` bytes copied
        names.append(Array(name[1...k.nameCount]))
        key = names.last!.withUnsafeBytes { log.firstKey(after: (k.guid, $0), where: { _, _, _ in true }) }
    }
    #expect(names == ["Alpha", "Bravo", "Charlie", "Delta"].map(ascii))
    // `include` sees each candidate's name, and can pass over one; `key(_:precedes:_:)` orders it.
    let skipped = try #require(log.firstKey(after: nil, where: { _, attributes, name in
        attributes == NV | BS && !name.elementsEqual(ascii("Alpha"))
    }))
    var name = [UInt8](repeating: 0, count: skipped.nameCount)
    name.withUnsafeMutableBytes { log.copyName(of: skipped, to: $0, at: 0) }
    #expect(name == ascii("Bravo"))
    #expect(ascii("Charlie").withUnsafeBytes { log.key(skipped, precedes: storeVendor, $0) })
    #expect(!ascii("Alpha").withUnsafeBytes { log.key(skipped, precedes: storeVendor, $0) })
}
