import Testing
import MM
@testable import Variables

let readOnlyProperty = VarCheckVariableProperty(property: VarCheckVariableProperty.readOnly, attributes: 0, minSize: 0, maxSize: .max)

@Test func aPropertySetIsReadBack() {
    var s = makeStore()
    let p = VarCheckVariableProperty(property: 0, attributes: NV | BS, minSize: 1, maxSize: 8)
    #expect(s.setProperty(name: ucs("A"), guid: storeVendor, property: p) == .success)
    #expect(s.property(name: ucs("A"), guid: storeVendor) == (.success, p))
    #expect(s.property(name: ucs("B"), guid: storeVendor).status == .notFound)
    #expect(s.property(name: ucs("A"), guid: storeOther).status == .notFound)
}

@Test func aReadOnlyVariableIsWriteProtectedAtOnce() {
    var s = makeStore()
    _ = s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS, data: [1])
    _ = s.setProperty(name: ucs("A"), guid: storeVendor, property: readOnlyProperty)
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS, data: [2]) == .writeProtected)
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS, data: []) == .writeProtected)
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: 0, data: []) == .writeProtected)
    #expect(s.getVariable(name: ucs("A"), guid: storeVendor, dataSize: 8).data == [1])
}

@Test func propertyAttributesAndSizesAreEnforced() {
    var s = makeStore()
    _ = s.setProperty(name: ucs("A"), guid: storeVendor,
                      property: VarCheckVariableProperty(property: 0, attributes: NV | BS | RT, minSize: 2, maxSize: 4))
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS, data: [1, 2]) == .invalidParameter)
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS | RT, data: [1]) == .invalidParameter)
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS | RT, data: [1, 2, 3, 4, 5]) == .invalidParameter)
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS | RT, data: [1, 2]) == .success)
    // deleting is not a size or attribute matter
    #expect(s.setVariable(name: ucs("A"), guid: storeVendor, attributes: 0, data: []) == .success)
}

@Test func propertiesCannotBeSetAfterReadyToBootOrExitBootServices() {
    var a = makeStore()
    _ = a.readyToBoot()
    #expect(a.setProperty(name: ucs("A"), guid: storeVendor, property: readOnlyProperty) == .accessDenied)
    var b = makeStore()
    _ = b.setProperty(name: ucs("A"), guid: storeVendor, property: readOnlyProperty)
    _ = b.exitBootServices()
    #expect(b.setProperty(name: ucs("A"), guid: storeVendor, property: .zero) == .accessDenied)
    #expect(b.property(name: ucs("A"), guid: storeVendor) == (.success, readOnlyProperty))
}

@Test func aPropertyNeedsRevisionOneAndAName() {
    var s = makeStore()
    let wrongRevision = VarCheckVariableProperty(revision: 2, property: 1, attributes: 0, minSize: 0, maxSize: 1)
    #expect(s.setProperty(name: ucs("A"), guid: storeVendor, property: wrongRevision) == .invalidParameter)
    #expect(s.setProperty(name: [0, 0], guid: storeVendor, property: readOnlyProperty) == .invalidParameter)
    #expect(s.setProperty(name: [0x41, 0], guid: storeVendor, property: readOnlyProperty) == .invalidParameter)
    #expect(s.property(name: [0, 0], guid: storeVendor).status == .invalidParameter)
}

@Test func propertiesAreBoundedInRAMAndReplacingCostsNothing() {
    var s = makeStore()  // 256 bytes: entries of 38 bytes ("A?" names, 6 bytes + 32)
    var stored = 0
    for i in 0..<20 {
        let st = s.setProperty(name: [0x41, 0, UInt8(0x30 + i), 0, 0, 0], guid: storeVendor, property: readOnlyProperty)
        if st == .success { stored += 1 } else { #expect(st == .outOfResources) }
    }
    #expect(stored == 256 / 38)
    #expect(s.setProperty(name: [0x41, 0, 0x30, 0, 0, 0], guid: storeVendor, property: .init(property: 0, attributes: 0, minSize: 0, maxSize: 1)) == .success)
}
