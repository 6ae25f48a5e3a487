import Testing
import ABI
import Driver
import MM
import SPMC
import SecureMonitor
import TestSupport
import Variables

/// Faults end to end: flash that fails under a write, a partition that never started.
@Suite struct FaultEndToEndTests {
    /// Power is cut during a SetVariable, after each number of flash operations in turn: the
    /// client hears EFI_DEVICE_ERROR, the store refuses further non-volatile changes, and the next
    /// boot reads the old value or the new one, nothing else; an acknowledged write is always there.
    @Test func powerCutDuringASet() throws {
        let old: [UInt8] = [1, 1, 1, 1], new: [UInt8] = [2, 2, 2, 2, 2, 2]
        var cuts = 0
        for operations in 0..<8 {
            let m = try Machine()
            var client = try m.bootClient()
            #expect(client.setVariable(name: ucs2("Key"), guid: vendor, attributes: Attr.nvBsRt, data: old) == .success)

            m.flash.cutPower(afterOperations: operations, seed: UInt64(operations) &* 0x9E37_79B9)
            let status = client.setVariable(name: ucs2("Key"), guid: vendor, attributes: Attr.nvBsRt, data: new)
            #expect(status == .success || status == .deviceError)
            if status == .deviceError {
                cuts += 1
                #expect(client.setVariable(name: ucs2("Other"), guid: vendor, attributes: Attr.nvBsRt, data: [3]) == .deviceError)
                // Volatile variables do not touch the flash and still work.
                #expect(client.setVariable(name: ucs2("Vol"), guid: vendor, attributes: Attr.bs, data: [4]) == .success)
            }

            var after = try m.rebooted().bootClient()
            let read = after.getVariable(name: ucs2("Key"), guid: vendor, dataSize: 16)
            #expect(read.status == .success)
            #expect(status == .success ? read.data == new : (read.data == old || read.data == new))
        }
        // The early cut points do land inside the write.
        #expect(cuts > 0)
    }

    /// The partition could not mount its store and ended its initialisation with FFA_ERROR. The
    /// SPMC still lists it, so the normal world chooses FF-A; every direct request is then
    /// ABORTED, which the client reports as EFI_DEVICE_ERROR from GET_PAYLOAD_SIZE.
    @Test func partitionThatFailedToStart() throws {
        let m = Machine(persistence: InMemoryPersistence(), mountFails: true)
        #expect(m.world.bootOutcome == .partitionInitialised(id: 0x8001, succeeded: false))
        var d = try m.startedDriver()
        let found = try d.partitions(uuid: .mmVariable, buffers: m.buffers)
        #expect(found.map(\.id) == [0x8001])
        #expect(throws: FFADriverError.ffa(.aborted)) { _ = try d.sendDirectRequest(to: 0x8001, payload: [0]) }
        var client = VariableClient(transport: FFAMMTransport(driver: d, memory: SharedBufferView(ram: m.ram, log: m.log),
                                                              cache: RecordingCache(log: m.log), partitionID: 0x8001))
        #expect(client.initialize() == .deviceError)
        #expect(client.getVariable(name: ucs2("BootTest"), guid: vendor, dataSize: 8).status == .notReady)
        #expect(m.world.partition.served.isEmpty)
        #expect(m.world.faults.isEmpty)
    }

    /// The partition faults while it serves a SetVariable and its vectors call FFA_ABORT: the
    /// client hears EFI_DEVICE_ERROR at once (no hang), every later request is ABORTED, and the
    /// rest of FF-A still answers the normal world.
    @Test func partitionThatAbortsDuringARequest() throws {
        let m = Machine(persistence: InMemoryPersistence())
        var client = try m.bootClient()
        #expect(client.setVariable(name: ucs2("Before"), guid: vendor, attributes: Attr.nvBsRt, data: [1]) == .success)
        m.world.partition.faultsOnNextRequest = true
        #expect(client.setVariable(name: ucs2("During"), guid: vendor, attributes: Attr.nvBsRt, data: [2]) == .deviceError)
        #expect(m.world.monitor.spmc.partitions[0].runtime == .aborted)
        #expect(client.getVariable(name: ucs2("Before"), guid: vendor, dataSize: 8).status == .deviceError)
        #expect(m.world.normalCalls.last?.1 == .ffaError(.aborted))
        // The rest of FF-A answers as before.
        #expect(m.world.smc(Registers(UInt64(FFAFunction.FFA_ID_GET))).x0 == UInt64(FFAFunction.FFA_SUCCESS_32))
        #expect(m.world.faults.isEmpty)
    }
}
