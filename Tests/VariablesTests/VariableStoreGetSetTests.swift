import Testing
import MM
@testable import Variables

@Test func aVariableSetIsReadBackWithItsAttributes() {
    var s = makeStore()
    #expect(s.setVariable(name: ucs("Boot0001"), guid: storeVendor, attributes: NV | BS | RT, data: [1, 2, 3]) == .success)
    let r = s.getVariable(name: ucs("Boot0001"), guid: storeVendor, dataSize: 16)
    #expect(r == VariableReadResult(status: .success, attributes: NV | BS | RT, dataSize: 3, data: [1, 2, 3]))
    #expect(s.persistence.variables.count == 1)  // non-volatile goes through P
}

@Test func volatileVariablesStayOutOfPersistence() {
    var s = makeStore()
    #expect(s.setVariable(name: ucs("V"), guid: storeVendor, attributes: BS | RT, data: [9]) == .success)
    #expect(s.persistence.variables.isEmpty)
    #expect(s.getVariable(name: ucs("V"), guid: storeVendor, dataSize: 1).data == [9])
}

@Test func getMissingIsNotFound() {
    let s = makeStore()
    #expect(s.getVariable(name: ucs("Nope"), guid: storeVendor, dataSize: 8).status == .notFound)
}

@Test func getIsKeyedByGuidToo() {
    var s = makeStore()
    _ = s.setVariable(name: ucs("A"), guid: storeVendor, attributes: BS, data: [1])
    #expect(s.getVariable(name: ucs("A"), guid: storeOther, dataSize: 8).status == .notFound)
}

@Test func getEmptyNameIsNotFoundAndUnterminatedIsInvalid() {
    let s = makeStore()
    #expect(s.getVariable(name: [0, 0], guid: storeVendor, dataSize: 8).status == .notFound)
    #expect(s.getVariable(name: [0x41, 0], guid: storeVendor, dataSize: 8).status == .invalidParameter)
    #expect(s.getVariable(name: [], guid: storeVendor, dataSize: 8).status == .invalidParameter)
}

@Test func getTooSmallGivesTheSizeAndAttributes() {
    var s = makeStore()
    _ = s.setVariable(name: ucs("A"), guid: storeVendor, attributes: BS | RT, data: [1, 2, 3, 4])
    #expect(s.getVariable(name: ucs("A"), guid: storeVendor, dataSize: 3)
            == VariableReadResult(status: .bufferTooSmall, attributes: BS | RT, dataSize: 4))
    #expect(s.getVariable(name: ucs("A"), guid: storeVendor, dataSize: 0).status == .bufferTooSmall)
}

@Test func namesEndAtTheirFirstNul() {
    var s = makeStore()
    _ = s.setVariable(name: ucs("A") + [0x42, 0, 0, 0], guid: storeVendor, attributes: BS, data: [1])
    #expect(s.getVariable(name: ucs("A"), guid: storeVendor, dataSize: 1).status == .success)
}

@Test func unknownAttributeBitsAreInvalid() {
    var s = makeStore()
    for bad: UInt32 in [0x100, 0x8000_0000, ENHANCED] {
        #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS | RT | bad, data: [1]) == .invalidParameter)
    }
}

@Test func runtimeWithoutBootServiceIsInvalidOrUnsupportedWithAW() {
    var s = makeStore()
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: RT, data: [1]) == .invalidParameter)
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | RT, data: [1]) == .invalidParameter)
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | RT | AW, data: [1]) == .unsupported)
}

@Test func nonVolatileAloneIsInvalid() {
    var s = makeStore()
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV, data: [1]) == .invalidParameter)
}

@Test func authenticatedWritesAreRefusedAsEDK2WithoutAuthSupport() {
    var s = makeStore()
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS | RT | AT, data: [UInt8](repeating: 0, count: 40)) == .invalidParameter)
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS | RT | AW, data: [1]) == .invalidParameter)
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS | RT | AW | AT, data: [1]) == .invalidParameter)
    #expect(s.persistence.variables.isEmpty)
}

@Test func hardwareErrorRecordsAreRefused() {
    var s = makeStore()
    #expect(s.setVariable(name: ucs("HwErrRec0001"), guid: storeVendor, attributes: NV | BS | RT | HR, data: [1]) == .invalidParameter)
}

@Test func emptyOrUnterminatedNamesAreInvalid() {
    var s = makeStore()
    #expect(s.setVariable(name: [0, 0], guid: storeVendor, attributes: BS, data: [1]) == .invalidParameter)
    #expect(s.setVariable(name: [0x41, 0], guid: storeVendor, attributes: BS, data: [1]) == .invalidParameter)
}

@Test func nameAndDataOverTheMaximumSizeAreInvalid() {
    var s = makeStore(maxNV: 64)
    let name = ucs("A")  // 4 bytes
    #expect(s.setVariable(name: name, guid: storeVendor, attributes: NV | BS, data: [UInt8](repeating: 1, count: 61)) == .invalidParameter)
    #expect(s.setVariable(name: name, guid: storeVendor, attributes: NV | BS, data: [UInt8](repeating: 1, count: 60)) == .success)
    // volatile: limits.maximumVolatileVariableSize = 256
    #expect(s.setVariable(name: name, guid: storeOther, attributes: BS, data: [UInt8](repeating: 1, count: 253)) == .invalidParameter)
    #expect(s.setVariable(name: name, guid: storeOther, attributes: BS, data: [UInt8](repeating: 1, count: 252)) == .success)
}

@Test func rewritingWithOtherAttributesIsInvalid() {
    var s = makeStore()
    _ = s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS | RT, data: [1])
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS, data: [2]) == .invalidParameter)
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: BS | RT, data: [2]) == .invalidParameter)
    #expect(s.getVariable(name: ucs("A"), guid: storeVendor, dataSize: 8).data == [1])
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS | RT, data: [3]) == .success)
    #expect(s.getVariable(name: ucs("A"), guid: storeVendor, dataSize: 8).data == [3])
}

@Test func deleteByDataSizeZero() {
    var s = makeStore()
    _ = s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS, data: [1])
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS, data: []) == .success)
    #expect(s.getVariable(name: ucs("A"), guid: storeVendor, dataSize: 8).status == .notFound)
    #expect(s.persistence.variables.isEmpty)
}

@Test func deleteByNoAccessAttributesEvenWithData() {
    var s = makeStore()
    _ = s.setVariable(name: ucs("A"), guid: storeVendor, attributes: BS | RT, data: [1])
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: 0, data: [5, 5]) == .success)
    #expect(s.getVariable(name: ucs("A"), guid: storeVendor, dataSize: 8).status == .notFound)
    #expect(s.queryVariableInfo(attributes: BS).remainingVariableStorageSize == 1024)  // RAM given back
}

@Test func deletingAMissingVariableIsNotFound() {
    var s = makeStore()
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS, data: []) == .notFound)
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: 0, data: [1]) == .notFound)
}

@Test func appendWriteAppendsAndKeepsTheAttributes() {
    var s = makeStore()
    _ = s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS, data: [1, 2])
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS | APPEND, data: [3]) == .success)
    #expect(s.getVariable(name: ucs("A"), guid: storeVendor, dataSize: 8) == VariableReadResult(status: .success, attributes: NV | BS, dataSize: 3, data: [1, 2, 3]))
}

@Test func appendWriteOfNothingIsANoOpEvenWhenMissing() {
    var s = VariableStore(persistence: ScriptedPersistence())
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS | APPEND, data: []) == .success)
    #expect(s.getVariable(name: ucs("A"), guid: storeVendor, dataSize: 8).status == .notFound)
    _ = s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS, data: [1])
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS | APPEND, data: []) == .success)
    #expect(s.getVariable(name: ucs("A"), guid: storeVendor, dataSize: 8).data == [1])
    #expect(s.persistence.puts == 1)
}

@Test func appendWriteCreatesAMissingVariable() {
    var s = makeStore()
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: BS | APPEND, data: [7]) == .success)
    #expect(s.getVariable(name: ucs("A"), guid: storeVendor, dataSize: 8).attributes == BS)
}

@Test func appendingPastTheMaximumSizeIsInvalid() {
    var s = makeStore(maxNV: 64)
    _ = s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS, data: [UInt8](repeating: 1, count: 50))
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS | APPEND, data: [UInt8](repeating: 2, count: 11)) == .invalidParameter)
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS | APPEND, data: [UInt8](repeating: 2, count: 10)) == .success)
}

@Test func aFullVolatileBudgetIsOutOfResources() {
    var s = makeStore()  // 1024 bytes of RAM, 32 per entry overhead
    var created = 0
    for i in 0..<20 {
        let name: [UInt8] = [0x41, 0, UInt8(0x41 + i), 0, 0, 0]
        let st = s.setVariable(name: name, guid: storeVendor, attributes: BS, data: [UInt8](repeating: 0, count: 200))
        if st == .success { created += 1 } else { #expect(st == .outOfResources) }
    }
    #expect(created == 4)  // 4 × 238 = 952 ≤ 1024 < 5 × 238
}

@Test func aFullMediumIsOutOfResources() {
    var s = makeStore(capacity: 100, maxNV: 512)
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS, data: [UInt8](repeating: 0, count: 70)) == .outOfResources)
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS, data: [UInt8](repeating: 0, count: 60)) == .success)
}

@Test func aFailingMediumIsDeviceErrorAndKeepsTheOldValue() {
    var s = VariableStore(persistence: ScriptedPersistence())
    _ = s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS, data: [1])
    s.persistence.failWith = .deviceError
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS, data: [2]) == .deviceError)
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS, data: []) == .deviceError)
    s.persistence.failWith = .full
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS, data: [2]) == .outOfResources)
    #expect(s.getVariable(name: ucs("A"), guid: storeVendor, dataSize: 8).data == [1])
}

@Test func rewritingTheSameValueWritesNothing() {
    var s = VariableStore(persistence: ScriptedPersistence())
    _ = s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS, data: [1])
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS, data: [1]) == .success)
    #expect(s.persistence.puts == 1)
}

@Test func variablesAlreadyOnTheMediumAreServed() throws {
    var p = InMemoryPersistence()
    try p.put(StoredVariable(guid: storeVendor, name: ucs("Old"), attributes: NV | BS | RT, data: [4]))
    try p.put(StoredVariable(guid: storeVendor, name: [0x41, 0], attributes: NV | BS, data: [5]))  // damaged name
    let s = VariableStore(persistence: p)
    #expect(s.getVariable(name: ucs("Old"), guid: storeVendor, dataSize: 1).data == [4])
    #expect(enumerateStored(s).count == 1)
}
