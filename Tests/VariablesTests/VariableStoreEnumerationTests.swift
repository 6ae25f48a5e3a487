import Testing
import MM
@testable import Variables

@Test func enumerationListsEveryVariableOnceInGuidThenNameOrderAndEndsWithNotFound() {
    var s = makeStore()
    _ = s.setVariable(name: ucs("B"), guid: storeVendor, attributes: NV | BS, data: [1])
    _ = s.setVariable(name: ucs("A"), guid: storeVendor, attributes: BS, data: [1])
    _ = s.setVariable(name: ucs("Z"), guid: storeOther, attributes: NV | BS | RT, data: [1])
    _ = s.setVariable(name: ucs("AB"), guid: storeVendor, attributes: BS, data: [1])
    let listed = enumerate(s)
    // storeOther's bytes start 01 00..., EFI_GLOBAL_VARIABLE's (the served state) 61 df...,
    // storeVendor's 78 56...
    let served = servedNames.map { _ in EFIGuid.globalVariable }
    #expect(listed.map { $0.0 } == [storeOther] + served + [storeVendor, storeVendor, storeVendor])
    #expect(listed.map { $0.1 } == [ucs("Z")] + servedNames + [ucs("A"), ucs("AB"), ucs("B")])
    let last = listed[listed.count - 1]
    #expect(s.nextVariableName(nameBuffer: last.1, guid: last.0).status == .notFound)
}

@Test func enumerationOrderDoesNotDependOnInsertionOrder() {
    var a = makeStore(), b = makeStore()
    let names = [ucs("One"), ucs("Two"), ucs("Three"), ucs("Four")]
    for n in names { _ = a.setVariable(name: n, guid: storeVendor, attributes: NV | BS, data: [1]) }
    for n in names.reversed() { _ = b.setVariable(name: n, guid: storeVendor, attributes: NV | BS, data: [1]) }
    #expect(enumerate(a).map { $0.1 } == enumerate(b).map { $0.1 })
    // and an update in the middle of an enumeration does not move anything
    _ = a.setVariable(name: ucs("One"), guid: storeVendor, attributes: NV | BS, data: [2, 2])
    #expect(enumerate(a).map { $0.1 } == enumerate(b).map { $0.1 })
}

@Test func anEmptyStoreListsOnlyTheServedStateThenEnds() {
    let s = makeStore()
    let listed = enumerate(s)
    #expect(listed.map { $0.1 } == servedNames && listed.allSatisfy { $0.0 == .globalVariable })
    #expect(s.nextVariableName(nameBuffer: ucs("VendorKeys"), guid: .globalVariable).status == .notFound)
}

@Test func aSmallNameBufferGetsTheSizeNeeded() {
    var s = makeStore()
    // storeOther sorts before everything else, the served state included
    _ = s.setVariable(name: ucs("LongName"), guid: storeOther, attributes: BS, data: [1])
    let r = s.nextVariableName(nameBuffer: [0, 0, 0, 0], guid: .zero)
    #expect(r.status == .bufferTooSmall && r.nameSize == 18 && r.name.isEmpty)
    let again = s.nextVariableName(nameBuffer: [UInt8](repeating: 0, count: 18), guid: .zero)
    #expect(again == NextVariableNameResult(status: .success, guid: storeOther, nameSize: 18, name: ucs("LongName")))
}

@Test func aPreviousNameThatIsNotAVariableIsInvalid() {
    var s = makeStore()
    _ = s.setVariable(name: ucs("A"), guid: storeVendor, attributes: BS, data: [1])
    #expect(s.nextVariableName(nameBuffer: ucs("X"), guid: storeVendor).status == .invalidParameter)
    #expect(s.nextVariableName(nameBuffer: ucs("A"), guid: storeOther).status == .invalidParameter)
}

@Test func anUnterminatedPreviousNameIsInvalid() {
    var s = makeStore()
    _ = s.setVariable(name: ucs("A"), guid: storeVendor, attributes: BS, data: [1])
    #expect(s.nextVariableName(nameBuffer: [0x41, 0], guid: storeVendor).status == .invalidParameter)
    #expect(s.nextVariableName(nameBuffer: [], guid: storeVendor).status == .invalidParameter)
    #expect(s.nextVariableName(nameBuffer: [0], guid: storeVendor).status == .invalidParameter)
    // the NUL must be within the buffer's whole characters: an odd buffer size drops the last byte
    #expect(s.nextVariableName(nameBuffer: [0x41, 0, 0], guid: storeVendor).status == .invalidParameter)
    #expect(s.nextVariableName(nameBuffer: [0x41, 0, 0, 0, 9], guid: storeVendor).status == .notFound)
}

@Test func afterExitBootServicesAHiddenPreviousNameIsInvalid() {
    var s = makeStore()
    _ = s.setVariable(name: ucs("A"), guid: storeVendor, attributes: BS, data: [1])
    _ = s.setVariable(name: ucs("B"), guid: storeVendor, attributes: NV | BS | RT, data: [1])
    _ = s.exitBootServices()
    #expect(s.nextVariableName(nameBuffer: ucs("A"), guid: storeVendor).status == .invalidParameter)
    #expect(enumerateStored(s).map { $0.1 } == [ucs("B")])
}
