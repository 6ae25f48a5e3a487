import Testing
import MM
@testable import Variables

/// A store with one variable of each kind, then ExitBootServices.
func runtimeStore() -> VariableStore<InMemoryPersistence> {
    var s = makeStore()
    _ = s.setVariable(name: ucs("NvBs"), guid: storeVendor, attributes: NV | BS, data: [1])
    _ = s.setVariable(name: ucs("NvBsRt"), guid: storeVendor, attributes: NV | BS | RT, data: [2])
    _ = s.setVariable(name: ucs("Bs"), guid: storeVendor, attributes: BS, data: [3])
    _ = s.setVariable(name: ucs("BsRt"), guid: storeVendor, attributes: BS | RT, data: [4])
    #expect(s.exitBootServices() == .success)
    return s
}

@Test func afterExitBootServicesOnlyRuntimeVariablesAreVisible() {
    let s = runtimeStore()
    #expect(s.getVariable(name: ucs("NvBs"), guid: storeVendor, dataSize: 8).status == .notFound)
    #expect(s.getVariable(name: ucs("Bs"), guid: storeVendor, dataSize: 8).status == .notFound)
    #expect(s.getVariable(name: ucs("NvBsRt"), guid: storeVendor, dataSize: 8).data == [2])
    #expect(s.getVariable(name: ucs("BsRt"), guid: storeVendor, dataSize: 8).data == [4])
    #expect(enumerateStored(s).map { $0.1 } == [ucs("BsRt"), ucs("NvBsRt")])
}

@Test func afterExitBootServicesWritingANonRuntimeVariableIsWriteProtected() {
    var s = runtimeStore()
    #expect(s.setVariable(name: ucs("NvBs"), guid: storeVendor, attributes: NV | BS, data: [9]) == .writeProtected)
    #expect(s.setVariable(name: ucs("NvBs"), guid: storeVendor, attributes: 0, data: []) == .writeProtected)
    #expect(s.setVariable(name: ucs("Bs"), guid: storeVendor, attributes: BS, data: [9]) == .writeProtected)
}

@Test func afterExitBootServicesVolatileRuntimeVariablesAreReadOnly() {
    var s = runtimeStore()
    #expect(s.setVariable(name: ucs("BsRt"), guid: storeVendor, attributes: BS | RT, data: [9]) == .writeProtected)
    #expect(s.setVariable(name: ucs("BsRt"), guid: storeVendor, attributes: BS | RT, data: []) == .writeProtected)
    #expect(s.setVariable(name: ucs("BsRt"), guid: storeVendor, attributes: BS | RT | APPEND, data: [1]) == .writeProtected)
}

@Test func afterExitBootServicesOnlyNonVolatileBootRuntimeVariablesCanBeCreated() {
    var s = runtimeStore()
    #expect(s.setVariable(name: ucs("New1"), guid: storeVendor, attributes: BS | RT, data: [1]) == .invalidParameter)
    #expect(s.setVariable(name: ucs("New2"), guid: storeVendor, attributes: NV | BS, data: [1]) == .invalidParameter)
    #expect(s.setVariable(name: ucs("New3"), guid: storeVendor, attributes: BS, data: [1]) == .invalidParameter)
    #expect(s.setVariable(name: ucs("New4"), guid: storeVendor, attributes: NV | BS | RT, data: [1]) == .success)
}

@Test func afterExitBootServicesNonVolatileRuntimeVariablesCanBeUpdatedAndDeleted() {
    var s = runtimeStore()
    #expect(s.setVariable(name: ucs("NvBsRt"), guid: storeVendor, attributes: NV | BS | RT | APPEND, data: [7]) == .success)
    #expect(s.getVariable(name: ucs("NvBsRt"), guid: storeVendor, dataSize: 8).data == [2, 7])
    #expect(s.setVariable(name: ucs("NvBsRt"), guid: storeVendor, attributes: 0, data: []) == .success)
    #expect(s.getVariable(name: ucs("NvBsRt"), guid: storeVendor, dataSize: 8).status == .notFound)
}

@Test func readyToBootAfterExitBootServicesIsUnsupported() {
    var s = runtimeStore()
    #expect(s.readyToBoot() == .unsupported)
    #expect(s.exitBootServices() == .success)  // a second one changes nothing
    var fresh = makeStore()
    #expect(fresh.readyToBoot() == .success && fresh.readyToBoot() == .success)
    #expect(fresh.readyToBootSignalled && !fresh.atRuntime)
}
