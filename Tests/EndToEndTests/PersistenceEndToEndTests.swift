import Testing
import ABI
import Driver
import MM
import Variables

/// Reboots: a new SPMC, partition and store mount the flash bytes the last run left; RAM (and so
/// every volatile variable and the boot phase) is gone.
@Suite struct PersistenceEndToEndTests {
    let hello: [UInt8] = Array("hello".utf8)

    @Test func nonVolatileVariableSurvivesARebootAndVolatileDoesNot() throws {
        let first = try Machine()
        var client = try first.bootClient()
        #expect(client.setVariable(name: ucs2("BootTest"), guid: vendor, attributes: Attr.nvBsRt, data: hello) == .success)
        #expect(client.setVariable(name: ucs2("Temp"), guid: vendor, attributes: Attr.bsRt, data: [1]) == .success)

        let second = try first.rebooted()
        var again = try second.bootClient()
        #expect(again.getVariable(name: ucs2("BootTest"), guid: vendor, dataSize: 16)
                == VariableReadResult(status: .success, attributes: Attr.nvBsRt, dataSize: 5, data: hello))
        #expect(again.getVariable(name: ucs2("Temp"), guid: vendor, dataSize: 16).status == .notFound)
        #expect(listStored(&again) == [StoredKey(guid: vendor, name: ucs2("BootTest"))])
        #expect(second.world.faults.isEmpty)
    }

    @Test func deleteAndAppendSurviveReboots() throws {
        let first = try Machine()
        var client = try first.bootClient()
        #expect(client.setVariable(name: ucs2("Keep"), guid: vendor, attributes: Attr.nvBs, data: [1]) == .success)
        #expect(client.setVariable(name: ucs2("Drop"), guid: vendor, attributes: Attr.nvBs, data: [2]) == .success)

        let second = try first.rebooted()
        var c2 = try second.bootClient()
        #expect(c2.setVariable(name: ucs2("Keep"), guid: vendor, attributes: Attr.nvBs | Attr.append, data: [3]) == .success)
        #expect(c2.setVariable(name: ucs2("Drop"), guid: vendor, attributes: Attr.nvBs, data: []) == .success)

        let third = try second.rebooted()
        var c3 = try third.bootClient()
        #expect(c3.getVariable(name: ucs2("Keep"), guid: vendor, dataSize: 8).data == [1, 3])
        #expect(c3.getVariable(name: ucs2("Drop"), guid: vendor, dataSize: 8).status == .notFound)
    }

    /// A variable created at run time persists, and the next boot starts at boot time again, so
    /// BS-only variables are visible and writable once more.
    @Test func runtimeWritesPersistAndTheNextBootIsBootTimeAgain() throws {
        let first = try Machine()
        var client = try first.bootClient()
        #expect(client.setVariable(name: ucs2("NvBs"), guid: vendor, attributes: Attr.nvBs, data: [1]) == .success)
        #expect(client.exitBootServices() == .success)
        #expect(client.setVariable(name: ucs2("FromOS"), guid: vendor, attributes: Attr.nvBsRt, data: [2]) == .success)

        let second = try first.rebooted()
        #expect(!second.world.store.atRuntime)
        var c2 = try second.bootClient()
        #expect(c2.getVariable(name: ucs2("FromOS"), guid: vendor, dataSize: 8).data == [2])
        #expect(c2.getVariable(name: ucs2("NvBs"), guid: vendor, dataSize: 8).data == [1])
        #expect(c2.setVariable(name: ucs2("NvBs"), guid: vendor, attributes: Attr.nvBs, data: [3]) == .success)
    }

    /// Many writes to one variable force the log to reclaim blocks; the last value is what the
    /// next boot reads.
    @Test func lastOfManyWritesSurvives() throws {
        let first = try Machine()
        var client = try first.bootClient()
        let value = [UInt8](repeating: 0x5a, count: 4000)
        var last: [UInt8] = []
        for i in 0..<300 {
            last = value + [UInt8(truncatingIfNeeded: i)]
            #expect(client.setVariable(name: ucs2("Counter"), guid: vendor, attributes: Attr.nvBsRt, data: last) == .success)
        }
        #expect(first.world.store.persistence.statistics.reclaims > 0)
        var c2 = try first.rebooted().bootClient()
        #expect(c2.getVariable(name: ucs2("Counter"), guid: vendor, dataSize: 8192).data == last)
    }
}

/// Filling the store: every write QueryVariableInfo says fits succeeds until nothing is left,
/// the next one is EFI_OUT_OF_RESOURCES, a delete makes room again, and all of it survives a reboot.
@Suite struct StoreFullEndToEndTests {
    @Test func nonVolatileStoreFillsUpHonestly() throws {
        let m = try Machine()
        var client = try m.bootClient()
        var written = 0
        for i in 0..<64 {
            let info = client.queryVariableInfo(attributes: Attr.nvBsRt)
            let name = UCS2.fromASCII(bytes: Array("Fill\(i)".utf8))
            let size = min(Int(info.maximumVariableSize) - name.count, 0x4000)
            guard size > 0 else { break }
            #expect(client.setVariable(name: name, guid: vendor, attributes: Attr.nvBsRt,
                                       data: [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: size)) == .success)
            written += 1
        }
        let full = client.queryVariableInfo(attributes: Attr.nvBsRt)
        #expect(written > 10)
        #expect(full.maximumVariableSize == 0)
        #expect(client.setVariable(name: ucs2("Over"), guid: vendor, attributes: Attr.nvBsRt, data: [1]) == .outOfResources)

        #expect(client.setVariable(name: ucs2("Fill0"), guid: vendor, attributes: Attr.nvBsRt, data: []) == .success)
        #expect(client.queryVariableInfo(attributes: Attr.nvBsRt).remainingVariableStorageSize > full.remainingVariableStorageSize)
        #expect(client.setVariable(name: ucs2("Over"), guid: vendor, attributes: Attr.nvBsRt, data: [1]) == .success)

        var after = try m.rebooted().bootClient()
        #expect(listStored(&after)?.count == written)
        #expect(after.getVariable(name: ucs2("Over"), guid: vendor, dataSize: 4).data == [1])
        #expect(after.getVariable(name: ucs2("Fill0"), guid: vendor, dataSize: 4).status == .notFound)
    }
}
