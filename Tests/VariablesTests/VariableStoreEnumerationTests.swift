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
    // storeOther's bytes start 01 00..., storeVendor's 78 56...
    #expect(listed.map { $0.0 } == [storeOther, storeVendor, storeVendor, storeVendor])
    #expect(listed.map { $0.1 } == [ucs("Z"), ucs("A"), ucs("AB"), ucs("B")])
    let last = listed[3]
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

@Test func anEmptyStoreEndsAtOnce() {
    let s = makeStore()
    #expect(s.nextVariableName(nameBuffer: [0, 0], guid: .zero).status == .notFound)
}

@Test func aSmallNameBufferGetsTheSizeNeeded() {
    var s = makeStore()
    _ = s.setVariable(name: ucs("LongName"), guid: storeVendor, attributes: BS, data: [1])
    let r = s.nextVariableName(nameBuffer: [0, 0, 0, 0], guid: .zero)
    #expect(r.status == .bufferTooSmall && r.nameSize == 18 && r.name.isEmpty)
    let again = s.nextVariableName(nameBuffer: [UInt8](repeating: 0, count: 18), guid: .zero)
    #expect(again == NextVariableNameResult(status: .success, guid: storeVendor, nameSize: 18, name: ucs("LongName")))
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
    #expect(enumerate(s).map { $0.1 } == [ucs("B")])
}
