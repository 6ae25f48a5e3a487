import Testing
import MM
@testable import Variables

@Test func nonVolatileFiguresComeFromThePersistence() {
    var s = makeStore(capacity: 4096, maxNV: 512)
    #expect(s.queryVariableInfo(attributes: NV | BS | RT)
            == VariableInfoResult(status: .success, maximumVariableStorageSize: 4096,
                                  remainingVariableStorageSize: 4096, maximumVariableSize: 512))
    _ = s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS, data: [UInt8](repeating: 0, count: 100))
    let after = s.queryVariableInfo(attributes: NV | BS)
    #expect(after.remainingVariableStorageSize == UInt64(4096 - (32 + 4 + 100)))
    #expect(after.remainingVariableStorageSize == UInt64(s.persistence.remaining))
}

@Test func volatileFiguresComeFromTheRAMBudget() {
    var s = makeStore()
    #expect(s.queryVariableInfo(attributes: BS)
            == VariableInfoResult(status: .success, maximumVariableStorageSize: 1024,
                                  remainingVariableStorageSize: 1024, maximumVariableSize: 256))
    _ = s.setVariable(name: ucs("A"), guid: storeVendor, attributes: BS | RT, data: [1, 2])
    #expect(s.queryVariableInfo(attributes: BS | RT).remainingVariableStorageSize == UInt64(1024 - 38))
}

@Test func theMaximumVariableSizeShrinksToWhatStillFits() {
    var s = makeStore(capacity: 300, maxNV: 512)
    #expect(s.queryVariableInfo(attributes: NV | BS).maximumVariableSize == 300 - 32)
    _ = s.setVariable(name: ucs("A"), guid: storeVendor, attributes: NV | BS, data: [UInt8](repeating: 0, count: 250))
    // 14 bytes left: less than one entry's overhead
    #expect(s.queryVariableInfo(attributes: NV | BS).remainingVariableStorageSize == 14)
    #expect(s.queryVariableInfo(attributes: NV | BS).maximumVariableSize == 0)
}

@Test func queryAttributesAreCheckedAsEDK2Does() {
    var s = makeStore()
    #expect(s.queryVariableInfo(attributes: 0).status == .invalidParameter)
    #expect(s.queryVariableInfo(attributes: NV | BS | AW).status == .unsupported)
    #expect(s.queryVariableInfo(attributes: ENHANCED).status == .unsupported)
    #expect(s.queryVariableInfo(attributes: NV).status == .invalidParameter)
    #expect(s.queryVariableInfo(attributes: NV | RT).status == .invalidParameter)
    #expect(s.queryVariableInfo(attributes: BS | HR).status == .invalidParameter)
    #expect(s.queryVariableInfo(attributes: NV | BS | AT).status == .success)  // authenticated variables are kept
    #expect(s.queryVariableInfo(attributes: NV | BS | RT | HR).status == .unsupported)
    #expect(s.queryVariableInfo(attributes: BS | APPEND).status == .success)
    _ = s.exitBootServices()
    #expect(s.queryVariableInfo(attributes: NV | BS).status == .invalidParameter)
    #expect(s.queryVariableInfo(attributes: NV | BS | RT).status == .success)
}

/// Bits the spec does not define, alone or among defined ones, are an invalid combination
/// (U-Boot's efi_selftest checks bit 30); APPEND_WRITE alone selects no storage.
@Test func queryRejectsUndefinedBits() {
    var s = makeStore()
    for bit in [8, 9, 16, 30, 31] as [UInt32] {
        #expect(s.queryVariableInfo(attributes: BS | 1 << bit).status == .invalidParameter)
        #expect(s.queryVariableInfo(attributes: NV | BS | RT | 1 << bit).status == .invalidParameter)
        #expect(s.queryVariableInfo(attributes: 1 << bit).status == .invalidParameter)
    }
    #expect(s.queryVariableInfo(attributes: NV | BS | AW | 1 << 30).status == .unsupported)
    #expect(s.queryVariableInfo(attributes: APPEND).status == .unsupported)
    #expect(s.queryVariableInfo(attributes: NV | HR).status == .invalidParameter)
    #expect(s.queryVariableInfo(attributes: NV | AT).status == .invalidParameter)
    #expect(s.queryVariableInfo(attributes: BS | AT).status == .success)
    #expect(s.queryVariableInfo(attributes: NV | BS | ENHANCED).status == .unsupported)
    #expect(s.queryVariableInfo(attributes: RT | ENHANCED).status == .invalidParameter)
    _ = s.exitBootServices()
    #expect(s.queryVariableInfo(attributes: BS).status == .invalidParameter)
    #expect(s.queryVariableInfo(attributes: BS | RT | 1 << 30).status == .invalidParameter)
}
