import Testing
import MM
@testable import Variables

@Test func inMemoryPersistenceAccountsEveryByte() throws {
    var p = InMemoryPersistence(capacity: 200, maximumVariableSize: 100, entryOverhead: 10)
    let a = StoredVariable(guid: storeVendor, name: ucs("A"), attributes: 7, data: [1, 2])
    try p.put(a)
    #expect(p.remaining == 200 - 16 && p.footprint(of: a) == 16 && p.capacity == 200 && p.maximumVariableSize == 100)
    var bigger = a
    bigger.data = [UInt8](repeating: 0, count: 50)
    try p.put(bigger)  // replaces, does not add
    #expect(p.variables == [bigger] && p.remaining == 200 - 64)
    #expect(throws: PersistenceError.full) {
        try p.put(StoredVariable(guid: storeOther, name: ucs("B"), attributes: 7, data: [UInt8](repeating: 0, count: 130)))
    }
    try p.remove(guid: storeVendor, name: ucs("A"))
    try p.remove(guid: storeVendor, name: ucs("A"))  // missing: nothing happens
    #expect(p.variables.isEmpty && p.remaining == 200)
}
