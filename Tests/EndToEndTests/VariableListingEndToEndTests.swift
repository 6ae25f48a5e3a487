import Testing
import ABI
import Driver
import MM
import SPMC
import Variables

/// GetNextVariableName end to end, and what a caller sees after ExitBootServices.
@Suite struct VariableListingEndToEndTests {
    let hello: [UInt8] = Array("hello".utf8)

    /// GetNextVariableName walks every variable once, volatile and non-volatile, in both GUIDs,
    /// and ends with EFI_NOT_FOUND.
    @Test func listsEveryVariableToNotFound() throws {
        let m = try Machine()
        var client = try m.bootClient()
        let set: [(EFIGuid, [UInt8], UInt32)] = [
            (vendor, ucs2("BootTest"), Attr.nvBsRt), (vendor, ucs2("A"), Attr.nvBs),
            (.globalVariable, ucs2("BootOrder"), Attr.nvBsRt), (.globalVariable, ucs2("Volatile"), Attr.bsRt),
        ]
        for (guid, name, attributes) in set {
            #expect(client.setVariable(name: name, guid: guid, attributes: attributes, data: [0x42, 0]) == .success)
        }
        let listed = listAll(&client)
        #expect(listed?.count == set.count + servedKeys.count)
        #expect(Set(listed ?? []) == Set(set.map { StoredKey(guid: $0.0, name: $0.1) }).union(servedKeys))
    }

    @Test func listingAnEmptyStoreShowsOnlyTheServedSecureBootState() throws {
        let m = try Machine()
        var client = try m.bootClient()
        #expect(listAll(&client).map(Set.init) == servedKeys)
        #expect(client.getNextVariableName(nameSize: 256, name: ucs2("VendorKeys"), guid: .globalVariable).status == .notFound)
    }

    /// A name buffer too small for the next name: EFI_BUFFER_TOO_SMALL with the size needed; the
    /// same call with that size succeeds.
    @Test func listingWithASmallNameBufferReportsTheSizeNeeded() throws {
        let m = try Machine()
        var client = try m.bootClient()
        let name = ucs2("ALongerVariableName")
        // A vendor whose bytes (00 ...) sort before EFI_GLOBAL_VARIABLE's served state.
        let first = EFIGuid(0, 0, 0, (0, 0, 0, 0, 0, 0, 0, 1))
        #expect(client.setVariable(name: name, guid: first, attributes: Attr.bs, data: [1]) == .success)
        let small = client.getNextVariableName(nameSize: 8, name: [0, 0], guid: .zero)
        #expect(small.status == .bufferTooSmall)
        #expect(small.nameSize == UInt64(name.count))
        let again = client.getNextVariableName(nameSize: Int(small.nameSize), name: [0, 0], guid: .zero)
        #expect(again.status == .success)
        #expect(again.name == name && again.guid == first)
    }

    @Test func listingFromAVariableThatDoesNotExistIsInvalidParameter() throws {
        let m = try Machine()
        var client = try m.bootClient()
        #expect(client.setVariable(name: ucs2("Real"), guid: vendor, attributes: Attr.bs, data: [1]) == .success)
        #expect(client.getNextVariableName(nameSize: 64, name: ucs2("Ghost"), guid: vendor).status == .invalidParameter)
    }

    /// After EXIT_BOOT_SERVICE: BS-only variables are invisible and write-protected, only NV+BS+RT
    /// can be created, volatile RT variables are read-only, RT ones still work.
    @Test func runtimeRulesAfterExitBootServices() throws {
        let m = try Machine()
        var client = try m.bootClient()
        #expect(client.setVariable(name: ucs2("BsOnly"), guid: vendor, attributes: Attr.bs, data: [1]) == .success)
        #expect(client.setVariable(name: ucs2("NvBs"), guid: vendor, attributes: Attr.nvBs, data: [2]) == .success)
        #expect(client.setVariable(name: ucs2("Rt"), guid: vendor, attributes: Attr.nvBsRt, data: [3]) == .success)
        #expect(client.setVariable(name: ucs2("VolRt"), guid: vendor, attributes: Attr.bsRt, data: [4]) == .success)
        #expect(client.exitBootServices() == .success)
        #expect(m.world.store.atRuntime)

        #expect(client.getVariable(name: ucs2("BsOnly"), guid: vendor, dataSize: 8).status == .notFound)
        #expect(client.getVariable(name: ucs2("NvBs"), guid: vendor, dataSize: 8).status == .notFound)
        #expect(client.getVariable(name: ucs2("Rt"), guid: vendor, dataSize: 8).data == [3])
        #expect(client.getVariable(name: ucs2("VolRt"), guid: vendor, dataSize: 8).data == [4])
        #expect(Set(listStored(&client) ?? []) == [StoredKey(guid: vendor, name: ucs2("Rt")),
                                                StoredKey(guid: vendor, name: ucs2("VolRt"))])

        #expect(client.setVariable(name: ucs2("BsOnly"), guid: vendor, attributes: Attr.bs, data: [9]) == .writeProtected)
        #expect(client.setVariable(name: ucs2("NvBs"), guid: vendor, attributes: Attr.nvBs, data: [9]) == .writeProtected)
        #expect(client.setVariable(name: ucs2("VolRt"), guid: vendor, attributes: Attr.bsRt, data: [9]) == .writeProtected)
        #expect(client.setVariable(name: ucs2("NewBs"), guid: vendor, attributes: Attr.nvBs, data: [9]) == .invalidParameter)
        #expect(client.setVariable(name: ucs2("NewVol"), guid: vendor, attributes: Attr.bsRt, data: [9]) == .invalidParameter)
        #expect(client.setVariable(name: ucs2("NewRt"), guid: vendor, attributes: Attr.nvBsRt, data: [9]) == .success)
        #expect(client.setVariable(name: ucs2("Rt"), guid: vendor, attributes: Attr.nvBsRt, data: [5]) == .success)
        #expect(client.getVariable(name: ucs2("Rt"), guid: vendor, dataSize: 8).data == [5])
        #expect(client.queryVariableInfo(attributes: Attr.nvBs).status == .invalidParameter)
        #expect(client.queryVariableInfo(attributes: Attr.nvBsRt).status == .success)
        #expect(client.readyToBoot() == .unsupported)
        #expect(m.world.faults.isEmpty)
    }

    /// `exitbs`: EXIT_BOOT_SERVICE, then FFA_RXTX_UNMAP; the run-time variable path needs only
    /// direct requests and the MM buffer, so it keeps working without RX/TX.
    @Test func runtimeCallsWorkAfterRXTXUnmap() throws {
        let m = try Machine()
        var client = try m.bootClient()
        #expect(client.setVariable(name: ucs2("Rt"), guid: vendor, attributes: Attr.nvBsRt, data: hello) == .success)
        #expect(client.exitBootServices() == .success)
        #expect(m.world.smc(Registers(UInt64(FFAFunction.FFA_RXTX_UNMAP))) == .ffaSuccess())
        #expect(m.world.monitor.spmc.normalWorld.mailbox == nil)
        #expect(client.getVariable(name: ucs2("Rt"), guid: vendor, dataSize: 8).data == hello)
        #expect(client.setVariable(name: ucs2("Rt2"), guid: vendor, attributes: Attr.nvBsRt, data: [1]) == .success)
        #expect(listStored(&client)?.count == 2)
        #expect(client.queryVariableInfo(attributes: Attr.nvBsRt).status == .success)
        #expect(m.world.faults.isEmpty)
    }
}
