import Testing
import ABI
import Driver
import MM
import SPMC
import Variables

/// UEFI variable services from the real MM client, through the real FF-A driver, SPMC and MM
/// partition handler, to the flash log in RAM: get, set, delete, append, attributes, query.
@Suite struct VariableServicesEndToEndTests {
    let hello: [UInt8] = Array("hello".utf8)

    @Test func setThenGetNonVolatile() throws {
        let m = try Machine()
        var client = try m.bootClient()
        #expect(client.setVariable(name: ucs2("BootTest"), guid: vendor, attributes: Attr.nvBsRt, data: hello) == .success)
        let read = client.getVariable(name: ucs2("BootTest"), guid: vendor, dataSize: 64)
        #expect(read == VariableReadResult(status: .success, attributes: Attr.nvBsRt, dataSize: 5, data: hello))
        // It reached the flash log, not only RAM.
        #expect(m.world.store.persistence.variables == [StoredVariable(guid: vendor, name: ucs2("BootTest"),
                                                                     attributes: Attr.nvBsRt, data: hello)])
        #expect(m.world.faults.isEmpty)
    }

    @Test func setThenGetVolatile() throws {
        let m = try Machine()
        var client = try m.bootClient()
        #expect(client.setVariable(name: ucs2("Temp"), guid: vendor, attributes: Attr.bs, data: [1, 2, 3]) == .success)
        #expect(client.getVariable(name: ucs2("Temp"), guid: vendor, dataSize: 3).data == [1, 2, 3])
        #expect(m.world.store.persistence.variables.isEmpty)
    }

    @Test func getOfAMissingVariableIsNotFound() throws {
        let m = try Machine()
        var client = try m.bootClient()
        #expect(client.getVariable(name: ucs2("Nothing"), guid: vendor, dataSize: 16).status == .notFound)
        #expect(client.getVariable(name: ucs2("BootTest"), guid: .globalVariable, dataSize: 16).status == .notFound)
    }

    /// EFI_BUFFER_TOO_SMALL carries the size needed and the attributes (UEFI 2.7+).
    @Test func getWithASmallBufferReportsTheSizeNeeded() throws {
        let m = try Machine()
        var client = try m.bootClient()
        #expect(client.setVariable(name: ucs2("BootTest"), guid: vendor, attributes: Attr.nvBsRt, data: hello) == .success)
        for size in [0, 1, 4] {
            let read = client.getVariable(name: ucs2("BootTest"), guid: vendor, dataSize: size)
            #expect(read == VariableReadResult(status: .bufferTooSmall, attributes: Attr.nvBsRt, dataSize: 5))
        }
        #expect(client.getVariable(name: ucs2("BootTest"), guid: vendor, dataSize: 5).status == .success)
    }

    /// QueryVariableInfo's figures are the store's own, and the remaining space shrinks by what a
    /// new variable takes.
    @Test func queryVariableInfoTellsTheTruth() throws {
        let m = try Machine()
        var client = try m.bootClient()
        let before = client.queryVariableInfo(attributes: Attr.nvBsRt)
        let truth = m.world.store.queryVariableInfo(attributes: Attr.nvBsRt)
        #expect(before == truth)
        #expect(before.status == .success && before.maximumVariableStorageSize > 0)
        #expect(before.remainingVariableStorageSize <= before.maximumVariableStorageSize)

        let variable = StoredVariable(guid: vendor, name: ucs2("BootTest"), attributes: Attr.nvBsRt, data: hello)
        #expect(client.setVariable(name: variable.name, guid: vendor, attributes: Attr.nvBsRt, data: hello) == .success)
        let after = client.queryVariableInfo(attributes: Attr.nvBsRt)
        let cost = UInt64(m.world.store.persistence.footprint(of: variable))
        #expect(after.remainingVariableStorageSize == before.remainingVariableStorageSize - cost)
        #expect(after.maximumVariableStorageSize == before.maximumVariableStorageSize)

        let volatile = client.queryVariableInfo(attributes: Attr.bs)
        #expect(volatile == m.world.store.queryVariableInfo(attributes: Attr.bs))
        #expect(client.queryVariableInfo(attributes: 0).status == .invalidParameter)
        #expect(client.queryVariableInfo(attributes: Attr.rt).status == .invalidParameter)
    }

    @Test func appendWriteAddsToTheValue() throws {
        let m = try Machine()
        var client = try m.bootClient()
        #expect(client.setVariable(name: ucs2("Log"), guid: vendor, attributes: Attr.nvBsRt, data: [0xa, 0xb]) == .success)
        #expect(client.setVariable(name: ucs2("Log"), guid: vendor, attributes: Attr.nvBsRt | Attr.append, data: [0xc, 0xd]) == .success)
        let read = client.getVariable(name: ucs2("Log"), guid: vendor, dataSize: 16)
        #expect(read.data == [0xa, 0xb, 0xc, 0xd])
        #expect(read.attributes == Attr.nvBsRt)
        // Appending nothing to a variable that does not exist does nothing, successfully.
        #expect(client.setVariable(name: ucs2("None"), guid: vendor, attributes: Attr.nvBsRt | Attr.append, data: []) == .success)
        #expect(client.getVariable(name: ucs2("None"), guid: vendor, dataSize: 16).status == .notFound)
    }

    @Test func deleteByEmptyDataThenNotFound() throws {
        let m = try Machine()
        var client = try m.bootClient()
        #expect(client.setVariable(name: ucs2("BootTest"), guid: vendor, attributes: Attr.nvBsRt, data: hello) == .success)
        #expect(client.setVariable(name: ucs2("BootTest"), guid: vendor, attributes: Attr.nvBsRt, data: []) == .success)
        #expect(client.getVariable(name: ucs2("BootTest"), guid: vendor, dataSize: 16).status == .notFound)
        #expect(m.world.store.persistence.variables.isEmpty)
        // Deleting it again: there is nothing to delete.
        #expect(client.setVariable(name: ucs2("BootTest"), guid: vendor, attributes: Attr.nvBsRt, data: []) == .notFound)
    }

    @Test func deleteByZeroAttributes() throws {
        let m = try Machine()
        var client = try m.bootClient()
        #expect(client.setVariable(name: ucs2("Gone"), guid: vendor, attributes: Attr.bs, data: [1]) == .success)
        #expect(client.setVariable(name: ucs2("Gone"), guid: vendor, attributes: 0, data: []) == .success)
        #expect(client.getVariable(name: ucs2("Gone"), guid: vendor, dataSize: 16).status == .notFound)
    }

    @Test func attributeRulesReachTheClient() throws {
        let m = try Machine()
        var client = try m.bootClient()
        // RT without BS, NV alone, unknown bits, authenticated writes.
        for attributes: UInt32 in [Attr.rt, Attr.nv, 0x100, Attr.nvBsRt | 0x20] {
            #expect(client.setVariable(name: ucs2("X"), guid: vendor, attributes: attributes, data: [1]) == .invalidParameter)
        }
        #expect(client.setVariable(name: ucs2("X"), guid: vendor, attributes: Attr.nvBsRt, data: [1]) == .success)
        // The same variable with other attributes.
        #expect(client.setVariable(name: ucs2("X"), guid: vendor, attributes: Attr.nvBs, data: [2]) == .invalidParameter)
        #expect(client.getVariable(name: ucs2("X"), guid: vendor, dataSize: 4).data == [1])
    }
}
