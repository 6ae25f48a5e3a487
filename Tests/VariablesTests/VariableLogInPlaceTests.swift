import Testing
import MM
@testable import Variables
import TestSupport

// The index keeps an entry per variable (no arrays): names and values are read from the flash.

private let vendor = EFIGuid(0x1234_5678, 0x9abc, 0xdef0, (1, 2, 3, 4, 5, 6, 7, 8))

private func ucs2(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    for c in s.utf8 { out.append(c); out.append(0) }
    return out + [0, 0]
}

private func variable(_ name: String, _ data: [UInt8], guid: EFIGuid = vendor) -> StoredVariable {
    StoredVariable(guid: guid, name: ucs2(name), attributes: 7, data: data)
}

/// Clears the bits of `mask` (0 bits) in the byte at `offset`: what a damaged cell reads as.
private func clearBits(_ f: RAMFlash, at offset: Int, keeping mask: UInt8) throws {
    let g = f
    var word = f.read(offset: offset & ~3, count: 4)  // programming a 0 bit back to 1 is a misuse
    word[offset & 3] &= mask
    try g.program(offset: offset & ~3, bytes: word)
}

@Test func valuesAreReadFromTheFlashNotFromACopy() throws {
    let f = RAMFlash(blockCount: 4, eraseBlockSize: 4096)
    var log = try FlashVariableLog(flash: f, maximumVariableSize: 512)
    try log.put(variable("Answer", [0xFF, 0x2A]))
    let e = log.entries[0]
    #expect(e.nameCount == 14 && e.dataCount == 2 && e.attributes == 7)
    try clearBits(f, at: log.dataOffset(e), keeping: 0x0F)
    #expect(log.variable(guid: vendor, name: ucs2("Answer"))?.data == [0x0F, 0x2A])
    // GetVariable's path: size and attributes from the entry, the bytes copied from the flash.
    let held = ucs2("Answer").withUnsafeBytes { log.heldValue(guid: vendor, rawName: $0) }
    #expect(held?.attributes == 7 && held?.count == 2)
    var out = [UInt8](repeating: 0, count: 4)
    out.withUnsafeMutableBytes { log.copyValue(held!, to: $0, at: 1) }
    #expect(out == [0, 0x0F, 0x2A, 0])
    #expect(ucs2("Answe").withUnsafeBytes { log.heldValue(guid: vendor, rawName: $0) } == nil)
    #expect(ucs2("Answer").withUnsafeBytes { log.heldValue(guid: .globalVariable, rawName: $0) } == nil)
}

@Test func aReclaimRefusesToCopyARecordDamagedSinceMount() throws {
    let f = RAMFlash(blockCount: 4, eraseBlockSize: 4096)
    var log = try FlashVariableLog(flash: f, maximumVariableSize: 512)
    try log.put(variable("Kept", [1, 2, 3, 4]))
    try clearBits(f, at: log.dataOffset(log.entries[0]), keeping: 0x00)  // its body checksum fails now
    var failure: PersistenceError? = nil
    for i in 0..<2000 {
        do { try log.put(variable("Churn", [UInt8(truncatingIfNeeded: i), 0, 0, 0] + [UInt8](repeating: 9, count: 100))) } catch {
            failure = error
            break
        }
    }
    #expect(failure == .deviceError && log.hasFailed && log.statistics.reclaims == 1)
    // The damaged record was not copied on: the next mount finds it damaged in its old block.
    let again = try FlashVariableLog(flash: f, maximumVariableSize: 512)
    #expect(again.statistics.damagedRecords == 1)
    #expect(again.variables.map(\.name) == [ucs2("Churn")])
    #expect(f.misuses == 0)
}

@Test func aReclaimCopiesRecordsByteForByte() throws {
    let f = RAMFlash(blockCount: 4, eraseBlockSize: 4096)
    var log = try FlashVariableLog(flash: f, maximumVariableSize: 512)
    let kept = [variable("Kept", [1, 2, 3]), variable("AlsoKept", [], guid: .globalVariable)]
    for v in kept { try log.put(v) }
    for i in 0..<200 { try log.put(variable("Churn", [UInt8(truncatingIfNeeded: i)] + [UInt8](repeating: 9, count: 100))) }
    #expect(log.statistics.reclaims >= 2)
    let expected = kept + [variable("Churn", [199] + [UInt8](repeating: 9, count: 100))]
    #expect(powerCutSameVariables(log.variables, expected))
    #expect(powerCutSameVariables(try FlashVariableLog(flash: f, maximumVariableSize: 512).variables, expected))
    #expect(f.misuses == 0)
}

/// Every key the log lists after `after`, in its order, by GetNextVariableName's steps.
private func listing(_ log: FlashVariableLog<RAMFlash>) -> [StoredVariable] {
    var out: [StoredVariable] = []
    var after: (guid: EFIGuid, name: [UInt8])? = nil
    while let v = log.firstVariable(after: after, where: { _ in true }) {
        out.append(v)
        after = (v.guid, v.name)
    }
    return out
}

private func sorted(_ vs: [StoredVariable]) -> [StoredVariable] {
    vs.sorted { VariableKey.precedes($0.guid, $0.name, $1.guid, $1.name) }
}

@Test func theMountSortsNamesSharingLongPrefixes() throws {
    let f = RAMFlash(blockCount: 4, eraseBlockSize: 0x4000)
    var log = try FlashVariableLog(flash: f, maximumVariableSize: 512)
    var all: [StoredVariable] = []
    var rng = SplitMix64(seed: 12)
    for i in 0..<60 {
        let stem = ["AVeryLongCommonPrefixForNames", "AVeryLongCommonPrefix", "B", "AVeryLongCommonPrefixForNamesX"][i % 4]
        let v = variable(stem + String(rng.next() % 1000), [UInt8(i)], guid: i % 3 == 0 ? .globalVariable : vendor)
        guard !all.contains(where: { $0.guid == v.guid && $0.name == v.name }) else { continue }
        try log.put(v)
        all.append(v)
    }
    let mounted = try FlashVariableLog(flash: f, maximumVariableSize: 512)
    #expect(listing(mounted) == sorted(all))
    // Kept in order by later changes: removes (the last entry moves into the hole) and inserts.
    var changed = mounted
    for v in all.prefix(10) { try changed.remove(guid: v.guid, name: v.name) }
    try changed.put(variable("AVeryLongCommonPrefixForNames", [1]))
    let now = Array(all.dropFirst(10)) + [variable("AVeryLongCommonPrefixForNames", [1])]
    #expect(listing(changed) == sorted(now))
    #expect(powerCutSameVariables(changed.variables, now))
}

@Test func nameCopiesGrowPastTheirFirstRoom() {
    var names = VariableLogNameCopies(byteCount: 8, count: 3)
    defer { names.free() }
    let inputs: [[UInt8]] = [[1, 2, 3], Array(1...70), [9]]
    // Each from an 8-aligned buffer with room to the next 8 bytes, as the mount's.
    let source = UnsafeMutableRawBufferPointer.allocate(byteCount: 80, alignment: 8)
    defer { source.deallocate() }
    for (i, n) in inputs.enumerated() {
        source.copyBytes(from: n)
        names.add(UnsafeRawBufferPointer(rebasing: source[0..<n.count]), for: i)
    }
    for (i, n) in inputs.enumerated() {
        let at = Int(names.nameAt[i])
        #expect(at % 8 == 0)
        #expect(Array(UnsafeRawBufferPointer(rebasing: names.bytes[at..<(at + n.count)])) == n)
    }
}

@Test func aRecordLongerThanTheMountsBufferStillMounts() throws {
    let f = RAMFlash(blockCount: 4, eraseBlockSize: 4096)
    var log = try FlashVariableLog(flash: f, maximumVariableSize: 1024)
    let big = variable("Big", [UInt8](repeating: 0xA5, count: 900))
    try log.put(big)
    // Mounted with a smaller maximum: the record is longer than the buffer the mount reads bodies into.
    let small = try FlashVariableLog(flash: f, maximumVariableSize: 64)
    #expect(small.variables == [big] && small.statistics.damagedRecords == 0)
}
