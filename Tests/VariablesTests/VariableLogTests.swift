import Testing
import MM
@testable import Variables
import TestSupport

private let vendor = EFIGuid(0x1234_5678, 0x9abc, 0xdef0, (1, 2, 3, 4, 5, 6, 7, 8))

/// UCS-2LE with NUL for an ASCII name.
private func ucs2(_ s: StaticString) -> [UInt8] {
    var out: [UInt8] = []
    s.withUTF8Buffer { for c in $0 { out.append(c); out.append(0) } }
    return out + [0, 0]
}

private func variable(_ name: StaticString, _ data: [UInt8], guid: EFIGuid = .globalVariable) -> StoredVariable {
    StoredVariable(guid: guid, name: ucs2(name), attributes: 7, data: data)
}

private func smallFlash() -> RAMFlash { RAMFlash(blockCount: 4, eraseBlockSize: 4096) }

private func mount(_ f: RAMFlash, max: Int = 512) throws -> FlashVariableLog<RAMFlash> {
    try FlashVariableLog(flash: f, maximumVariableSize: max)
}

private func same(_ a: [StoredVariable], _ b: [StoredVariable]) -> Bool { powerCutSameVariables(a, b) }

@Test func mountingABlankRegionFormatsIt() throws {
    let f = smallFlash()
    let log = try mount(f)
    #expect(log.variables.isEmpty && log.usedBytes == 0 && log.remaining == log.capacity)
    let header = VariableLogBlockHeader(decoding: f.read(offset: 0, count: 32), eraseBlockSize: 4096, blockCount: 4)
    #expect(header?.sequence == 1)
    #expect(f.erases == 0 && f.programs == 1)
    // A second mount finds the log and writes nothing.
    _ = try mount(f)
    #expect(f.programs == 1)
}

@Test func mountingGarbageFormatsIt() throws {
    let f = RAMFlash(bytes: [UInt8](repeating: 0x5A, count: 4 * 4096), eraseBlockSize: 4096)
    let log = try mount(f)
    #expect(log.variables.isEmpty)
    #expect(f.erases == 1 && f.misuses == 0)
    #expect(VariableLogBlockHeader(decoding: f.read(offset: 0, count: 32), eraseBlockSize: 4096, blockCount: 4) != nil)
}

@Test func putThenRemountReadsItBack() throws {
    let f = smallFlash()
    var log = try mount(f)
    let a = variable("Boot0000", [1, 2, 3])
    let b = variable("Boot0000", [4, 5], guid: vendor)
    try log.put(a)
    try log.put(b)
    #expect(log.variable(guid: .globalVariable, name: a.name) == a)
    let again = try mount(f)
    #expect(same(again.variables, [a, b]))
    #expect(again.usedBytes == log.usedBytes)
    #expect(f.misuses == 0)
}

@Test func updateReplacesTheValueAcrossRemount() throws {
    let f = smallFlash()
    var log = try mount(f)
    try log.put(variable("Timeout", [5, 0]))
    try log.put(variable("Timeout", [9, 0, 1]))
    #expect(log.variables == [variable("Timeout", [9, 0, 1])])
    #expect(try mount(f).variables == [variable("Timeout", [9, 0, 1])])
}

@Test func attributesAndEmptyDataAreKept() throws {
    let f = smallFlash()
    var log = try mount(f)
    let v = StoredVariable(guid: vendor, name: ucs2("X"), attributes: 0x0000_0047, data: [])
    try log.put(v)
    #expect(try mount(f).variables == [v])
}

@Test func removeThenRemountForgetsIt() throws {
    let f = smallFlash()
    var log = try mount(f)
    try log.put(variable("A", [1]))
    try log.put(variable("B", [2]))
    try log.remove(guid: .globalVariable, name: ucs2("A"))
    #expect(log.variables == [variable("B", [2])])
    #expect(try mount(f).variables == [variable("B", [2])])
}

@Test func removingAMissingVariableWritesNothing() throws {
    let f = smallFlash()
    var log = try mount(f)
    let before = f.programs
    try log.remove(guid: .globalVariable, name: ucs2("Nope"))
    #expect(f.programs == before)
}

@Test func putOfTheDurableValueWritesNothing() throws {
    let f = smallFlash()
    var log = try mount(f)
    try log.put(variable("A", [1]))
    let before = f.programs
    try log.put(variable("A", [1]))
    #expect(f.programs == before)
}

@Test func aPutProgramsOnlyItsRecordAndTwoStateWords() throws {
    let f = smallFlash()
    var log = try mount(f)
    try log.put(variable("A", [1, 2, 3, 4]))
    let (p0, b0) = (f.programs, f.programmedBytes)
    try log.put(variable("A", [5, 6, 7, 8, 9]))
    let fp = log.footprint(of: variable("A", [5, 6, 7, 8, 9]))
    #expect(f.programs - p0 == 3)                 // record, commit word, old record's obsolete word
    #expect(f.programmedBytes - b0 == fp + 8)
    let p1 = f.programs
    try log.remove(guid: .globalVariable, name: ucs2("A"))
    #expect(f.programs - p1 == 1 && f.erases == 0)
}

@Test func figuresAreConsistent() throws {
    let f = smallFlash()
    var log = try mount(f)
    // 4 blocks, one spare: 3 * (4096 - 32 header - 3 * 56 marks - 560 largest footprint).
    #expect(log.maximumVariableSize == 512)
    #expect(log.capacity == 3 * (4096 - 32 - 168 - 560))
    let v = variable("A", [1, 2, 3])
    #expect(log.footprint(of: v) == 44 + v.name.count + 3 + 1 + 4)
    try log.put(v)
    #expect(log.remaining == log.capacity - log.footprint(of: v))
}

@Test func realGeometryFigures() throws {
    // The store's real place: the last 1 MiB of flash0, 4 blocks of 256 KiB.
    let f = RAMFlash(blockCount: 4, eraseBlockSize: 256 * 1024)
    let log = try FlashVariableLog(flash: f)
    #expect(log.maximumVariableSize == 0x8000)
    #expect(log.capacity == 3 * (262_144 - 32 - 168 - (44 + 0x8000 + 4)))
}

@Test func maximumVariableSizeIsBoundedByTheBlock() throws {
    let log = try FlashVariableLog(flash: smallFlash(), maximumVariableSize: 1 << 20)
    #expect(log.maximumVariableSize == 1900)
    #expect(2 * log.footprint(of: StoredVariable(guid: .zero, name: [], attributes: 0, data: [UInt8](repeating: 0, count: 1900))) <= 4096 - 32 - 168)
}

@Test func unusableGeometryIsADeviceError() {
    #expect(throws: PersistenceError.deviceError) { try FlashVariableLog(flash: RAMFlash(blockCount: 1, eraseBlockSize: 4096)) }
    #expect(throws: PersistenceError.deviceError) { try FlashVariableLog(flash: RAMFlash(blockCount: 4, eraseBlockSize: 256)) }
    #expect(throws: PersistenceError.deviceError) { try FlashVariableLog(flash: RAMFlash(blockCount: 4, eraseBlockSize: 4098)) }
    #expect(throws: PersistenceError.deviceError) { try FlashVariableLog(flash: RAMFlash(blockCount: 0, eraseBlockSize: 0)) }
}

@Test func tooLargeVariableIsFullAndChangesNothing() throws {
    let f = smallFlash()
    var log = try mount(f)
    try log.put(variable("A", [1]))
    let big = variable("A", [UInt8](repeating: 1, count: 512))
    #expect(throws: PersistenceError.full) { try log.put(big) }
    #expect(log.variables == [variable("A", [1])])
    #expect(try mount(f).variables == [variable("A", [1])])
}

@Test func fullStoreRefusesAndKeepsTheOldValue() throws {
    let f = smallFlash()
    var log = try mount(f)
    var i = 0
    var names: [[UInt8]] = []
    // Fill with 400-byte variables until one is refused.
    while true {
        var name = ucs2("V")
        name.insert(UInt8(0x41 + i % 26), at: 2); name.insert(0, at: 3)
        name.insert(UInt8(0x41 + i / 26), at: 4); name.insert(0, at: 5)
        let v = StoredVariable(guid: vendor, name: name, attributes: 7, data: [UInt8](repeating: UInt8(i), count: 400))
        if log.footprint(of: v) > log.remaining {
            #expect(throws: PersistenceError.full) { try log.put(v) }
            break
        }
        try log.put(v)
        names.append(name)
        i += 1
    }
    #expect(names.count >= 16)
    // Growing an existing variable past the remaining space fails too, and keeps its value.
    let old = log.variables[0]
    let grown = StoredVariable(guid: old.guid, name: old.name, attributes: 7, data: [UInt8](repeating: 0xEE, count: 500))
    #expect(log.footprint(of: grown) > log.remaining)
    #expect(throws: PersistenceError.full) { try log.put(grown) }
    #expect(log.variables[0] == old)
    let remounted = try mount(f)
    #expect(same(remounted.variables, log.variables))
    // Removing always works on a full store, and makes room again.
    var log2 = remounted
    try log2.remove(guid: old.guid, name: old.name)
    try log2.put(grown)
    #expect(same(try mount(f).variables, log2.variables))
    #expect(f.misuses == 0)
}

@Test func everythingUpToRemainingFits() throws {
    // Fill exactly to `remaining` with mixed sizes, through many reclaims.
    for seed in UInt64(1)...5 {
        let f = smallFlash()
        var log = try mount(f)
        var r = SplitMix64(seed: seed)
        var k = 0
        while log.remaining >= 48 {
            var name = ucs2("N")
            name.insert(UInt8(0x30 + k % 10), at: 2); name.insert(0, at: 3)
            name.insert(UInt8(0x30 + k / 10 % 10), at: 4); name.insert(0, at: 5)
            name.insert(UInt8(0x30 + k / 100), at: 6); name.insert(0, at: 7)
            let limit = min(log.remaining - VariableLogFormat.footprint(nameCount: name.count, dataCount: 0), 512 - name.count)
            let size = r.below(2) == 0 ? limit : r.below(limit + 1)
            let v = StoredVariable(guid: vendor, name: name, attributes: 7, data: [UInt8](repeating: UInt8(k & 0xFF), count: size))
            try log.put(v)
            // Churn an earlier variable to make dead space and force reclaims.
            if k > 0 && r.below(2) == 0 {
                let j = r.below(log.variables.count)
                var w = log.variables[j]
                w.data = w.data.map { $0 ^ 0xFF }
                if log.footprint(of: w) <= log.remaining { try log.put(w) }
            }
            k += 1
        }
        #expect(log.remaining < 48)
        #expect(same(try mount(f).variables, log.variables))
        #expect(f.misuses == 0)
    }
}
