import Testing
import MM
@testable import Variables
import TestSupport

// The store's limits beyond the flash (variable count, RAM of the index) and a mount that stays
// linear and bounded whatever the flash holds (issue 10, "A full variable store bricks the
// machine").

/// "V<i>" in UCS-2LE with NUL.
private func numberedName(_ i: Int) -> [UInt8] {
    var digits: [UInt8] = []
    var n = i
    repeat { digits.insert(0x30 + UInt8(n % 10), at: 0); n /= 10 } while n > 0
    var out: [UInt8] = [0x56, 0]
    for d in digits { out += [d, 0] }
    return out + [0, 0]
}

private func numbered(_ i: Int, data: [UInt8] = [0x78]) -> StoredVariable {
    StoredVariable(guid: .globalVariable, name: numberedName(i), attributes: 7, data: data)
}

/// A flash that counts its reads, to show the mount's cost.
private final class ReadCounter { var calls = 0; var bytes = 0 }
private struct CountingFlash: Flash {
    var inner: RAMFlash
    let counter = ReadCounter()
    var size: Int { inner.size }
    var eraseBlockSize: Int { inner.eraseBlockSize }
    var programGranule: Int { inner.programGranule }
    func read(offset: Int, count: Int) -> [UInt8] {
        counter.calls += 1; counter.bytes += count
        return inner.read(offset: offset, count: count)
    }
    mutating func program(offset: Int, bytes: [UInt8]) throws(FlashError) { try inner.program(offset: offset, bytes: bytes) }
    mutating func erase(block: Int) throws(FlashError) { try inner.erase(block: block) }
}

/// The real region's geometry: 4 blocks of 256 KiB.
private func realFlash() -> RAMFlash { RAMFlash(blockCount: 4, eraseBlockSize: 0x4_0000) }
private let roomy = VariableLogLimits(maximumVariableCount: 1 << 20, indexCapacity: 1 << 40)

/// Puts `numbered(i)` for i = 0, 1, … until the log refuses one; returns how many it took.
private func fill<F: Flash>(_ log: inout FlashVariableLog<F>, upTo n: Int, data: [UInt8] = [0x78]) -> Int {
    for i in 0..<n {
        let v = numbered(i, data: data)
        let fits = log.footprint(of: v) <= log.remaining
        do { try log.put(v) } catch {
            #expect(error == .full && !fits)
            return i
        }
    }
    return n
}

@Test func theVariableCountIsLimitedAndWhatWasAcceptedMounts() throws {
    let f = RAMFlash(blockCount: 4, eraseBlockSize: 4096)
    let limits = VariableLogLimits(maximumVariableCount: 10)
    var log = try FlashVariableLog(flash: f, maximumVariableSize: 512, limits: limits)
    #expect(fill(&log, upTo: 20) == 10)
    #expect(log.remaining == 0 && log.variables.count == 10)
    // At the count, updates of held variables still work; new ones are refused.
    try log.put(numbered(3, data: [1, 2, 3]))
    #expect(throws: PersistenceError.full) { try log.put(numbered(10)) }
    try log.remove(guid: .globalVariable, name: numberedName(0))
    #expect(log.remaining > 0)
    try log.put(numbered(11))
    let again = try FlashVariableLog(flash: f, maximumVariableSize: 512, limits: limits)
    #expect(powerCutSameVariables(again.variables, log.variables) && again.statistics.droppedRecords == 0)
}

@Test func theIndexRAMIsLimitedAndWhatWasAcceptedMounts() throws {
    let f = RAMFlash(blockCount: 4, eraseBlockSize: 4096)
    // Room for 8 variables of 4-byte names and 100 data bytes (each costs 360 bytes of RAM).
    let limits = VariableLogLimits(maximumVariableCount: 1000, indexCapacity: 8 * 360 + 100)
    var log = try FlashVariableLog(flash: f, maximumVariableSize: 512, limits: limits)
    let data = [UInt8](repeating: 7, count: 100)
    let n = fill(&log, upTo: 100, data: data)
    #expect(n >= 7 && n <= 8)
    #expect(log.indexBytes <= limits.indexCapacity && log.usedBytes < log.capacity)
    #expect(log.remaining < log.footprint(of: numbered(99, data: data)))
    let again = try FlashVariableLog(flash: f, maximumVariableSize: 512, limits: limits)
    #expect(powerCutSameVariables(again.variables, log.variables) && again.statistics.droppedRecords == 0)
}

@Test func queryFiguresReflectTheLimits() throws {
    let f = RAMFlash(blockCount: 4, eraseBlockSize: 4096)
    var log = try FlashVariableLog(flash: f, maximumVariableSize: 512,
                                   limits: VariableLogLimits(maximumVariableCount: 2))
    #expect(log.remaining == log.capacity)
    try log.put(numbered(0)); try log.put(numbered(1))
    let store = VariableStore(persistence: log)
    let info = store.queryVariableInfo(attributes: NV | BS)
    #expect(info.status == .success && info.remainingVariableStorageSize == 0 && info.maximumVariableSize == 0)
}

/// A store filled through the log itself, as `setenv` V0…V13999 does: the count limit refuses
/// at 4096, and the whole store mounts again with the default limits.
@Test func aStoreFilledToTheCountMountsWithinItsLimits() throws {
    let f = realFlash()
    var log = try FlashVariableLog(flash: f)
    #expect(fill(&log, upTo: 14_000) == VariableLogLimits().maximumVariableCount)
    let again = try FlashVariableLog(flash: f)
    #expect(again.variables.count == 4096 && again.statistics.droppedRecords == 0)
    #expect(again.indexBytes <= again.limits.indexCapacity)
    #expect(again.variable(guid: .globalVariable, name: numberedName(4095)) == numbered(4095))
}

/// A store that holds far more than the limits allow (as a flash we did not write could, here
/// 10,800 small variables written with no limits): mount keeps the limits, reads each byte of the
/// log at most a few times, makes the excess obsolete once, and the next mount agrees.
@Test func aCraftedFullStoreMountsInBoundedMemoryAndLinearTime() throws {
    let f = realFlash()
    var writer = try FlashVariableLog(flash: f, limits: roomy)
    let written = fill(&writer, upTo: 20_000)
    #expect(written > 10_000)  // the flash was the limit (about 10,800, as in the issue)

    let counting = CountingFlash(inner: f)
    let log = try FlashVariableLog(flash: counting)
    #expect(log.variables.count == 4096 && log.statistics.droppedRecords == written - 4096)
    #expect(log.indexBytes <= log.limits.indexCapacity)
    // Linear: two walks of the used space and one record's worth past its end, in a few reads
    // per record (the header in each walk, then name and data straight into their arrays).
    #expect(counting.counter.bytes <= 3 * f.size)
    #expect(counting.counter.calls <= 4 * written + 2 * f.size / 512 + 16)
    // The excess is gone for good: a later mount with room to spare does not bring it back.
    let roomier = try FlashVariableLog(flash: f, limits: roomy)
    #expect(powerCutSameVariables(roomier.variables, log.variables) && roomier.statistics.droppedRecords == 0)
    #expect(f.misuses == 0)
}

/// GetNextVariableName's order comes from the index: after random puts and removes, and after a
/// remount, it lists what a linear scan of every variable lists, in the same order.
@Test func theKeyOrderListingMatchesALinearScan() throws {
    let f = RAMFlash(blockCount: 4, eraseBlockSize: 4096)
    var log = try FlashVariableLog(flash: f, maximumVariableSize: 256, limits: VariableLogLimits(maximumVariableCount: 40))
    var random = SplitMix64(seed: 11)
    for _ in 0..<400 {
        let k = random.below(60)
        let guid = k % 3 == 0 ? EFIGuid.globalVariable : EFIGuid(UInt32(k % 3), 0, 0, (0, 0, 0, 0, 0, 0, 0, 0))
        if random.below(4) == 0 {
            try log.remove(guid: guid, name: numberedName(k))
        } else {
            try? log.put(StoredVariable(guid: guid, name: numberedName(k), attributes: 7, data: [UInt8(k)]))
        }
    }
    func listing(_ p: some VariablePersistence, indexed: Bool) -> [StoredVariable] {
        var out: [StoredVariable] = []
        var previous: (guid: EFIGuid, name: [UInt8])? = nil
        while true {
            let next = indexed ? p.firstVariable(after: previous, where: { $0.data.first! % 2 == 0 })
                               : InMemoryListing(variables: p.variables).firstVariable(after: previous, where: { $0.data.first! % 2 == 0 })
            guard let v = next else { return out }
            out.append(v)
            previous = (v.guid, v.name)
        }
    }
    let expected = listing(log, indexed: false)
    #expect(expected.count > 5)
    #expect(listing(log, indexed: true) == expected)
    #expect(listing(try FlashVariableLog(flash: f, maximumVariableSize: 256, limits: VariableLogLimits(maximumVariableCount: 40)),
                    indexed: true) == expected)
}

/// Only the protocol's default (linear) implementation.
private struct InMemoryListing: VariablePersistence {
    var variables: [StoredVariable]
    var capacity: Int { 0 }
    var remaining: Int { 0 }
    var maximumVariableSize: Int { 0 }
    func footprint(of variable: StoredVariable) -> Int { 0 }
    mutating func put(_ variable: StoredVariable) throws(PersistenceError) {}
    mutating func remove(guid: EFIGuid, name: [UInt8]) throws(PersistenceError) {}
}

/// Reclaims still work on a store at its count: removing makes room, and churn through reclaims
/// keeps every variable.
@Test func aStoreAtItsCountKeepsWorkingThroughReclaims() throws {
    let f = RAMFlash(blockCount: 4, eraseBlockSize: 4096)
    var log = try FlashVariableLog(flash: f, maximumVariableSize: 256,
                                   limits: VariableLogLimits(maximumVariableCount: 20))
    #expect(fill(&log, upTo: 40) == 20)
    for round in 0..<300 {
        try log.put(numbered(round % 20, data: [UInt8](repeating: UInt8(truncatingIfNeeded: round), count: 40)))
    }
    #expect(log.statistics.reclaims > 0)
    let again = try FlashVariableLog(flash: f, maximumVariableSize: 256, limits: VariableLogLimits(maximumVariableCount: 20))
    #expect(powerCutSameVariables(again.variables, log.variables))
    // Lookups through the hash index agree with the array after swaps and removes.
    for i in 0..<20 where i % 3 == 0 { try log.remove(guid: .globalVariable, name: numberedName(i)) }
    for i in 0..<20 {
        let held = log.variables.contains { $0.name == numberedName(i) }
        #expect((log.variable(guid: .globalVariable, name: numberedName(i)) != nil) == held)
        #expect(held == (i % 3 != 0))
    }
}
