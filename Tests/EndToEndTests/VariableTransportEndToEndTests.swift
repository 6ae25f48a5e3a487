import Testing
import ABI
import Driver
import MM
import SPMC
import Variables

/// The MM transport end to end: GET_PAYLOAD_SIZE first, the doorbell and its cache maintenance,
/// local size checks, the buffer offset, and the run-time choice of FF-A or the volatile store.
@Suite struct VariableTransportEndToEndTests {
    let hello: [UInt8] = Array("hello".utf8)

    /// GET_PAYLOAD_SIZE went first, at offset 0 of the buffer, and its answer less 2 bounds
    /// every request.
    @Test func initializeAsksThePayloadSizeFirst() throws {
        let m = try Machine()
        let client = try m.bootClient()
        #expect(!client.transport.isVolatile)
        #expect(client.maximumPayload == m.world.partition.handler.payloadSize - 2)
        #expect(m.world.partition.handler.payloadSize >= 72)
        #expect(m.world.partition.served.map { $0.x3 } == [0])
        #expect(m.world.partition.served.map { $0.code } == [.success])
        // The buffer holds the partition's answer: function 11 echoed, EFI_SUCCESS.
        let answer = m.ram.read(Board.mmBuffer, count: 48) ?? []
        #expect(loadLE(width: 8, from: answer, at: 24) == 11)
        #expect(loadLE(width: 8, from: answer, at: 32) == 0)
        #expect(loadLE(width: 8, from: answer, at: 40) == UInt64(m.world.partition.handler.payloadSize))
        #expect(m.world.faults.isEmpty)
    }

    /// The doorbell path: write, clean to PoC, FFA_MSG_SEND_DIRECT_REQ_64 with x3 = 0, invalidate,
    /// read, each over the message and nothing else.
    @Test func doorbellIsBracketedByCacheMaintenanceByVA() throws {
        let m = try Machine()
        var client = try m.bootClient()
        m.log.events = []
        #expect(client.setVariable(name: ucs2("BootTest"), guid: vendor, attributes: Attr.nvBsRt, data: hello) == .success)
        let n = 40 + 36 + ucs2("BootTest").count + hello.count
        #expect(m.log.events == [.write(offset: 0, count: n), .clean(offset: 0, length: n), .doorbell(x3: 0),
                                 .invalidate(offset: 0, length: n), .read(offset: 0, count: n)])
    }

    /// A request the payload cannot carry is refused before any doorbell.
    @Test func oversizedRequestsAreRefusedLocally() throws {
        let m = try Machine()
        var client = try m.bootClient()
        let calls = m.world.normalCalls.count
        let big = [UInt8](repeating: 7, count: client.maximumPayload)
        #expect(client.setVariable(name: ucs2("Big"), guid: vendor, attributes: Attr.bs, data: big) == .invalidParameter)
        #expect(client.setVariable(name: [0, 0], guid: vendor, attributes: Attr.bs, data: [1]) == .invalidParameter)
        #expect(m.world.normalCalls.count == calls)
    }

    /// The largest value the payload allows goes through, and comes back whole.
    @Test func largestValueFitsThePayload() throws {
        let m = try Machine()
        var client = try m.bootClient()
        let name = ucs2("Big")
        let room = client.maximumPayload - 36 - name.count
        let limit = m.world.store.persistence.maximumVariableSize - name.count
        let data = (0..<min(room, limit)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        #expect(client.setVariable(name: name, guid: vendor, attributes: Attr.nvBsRt, data: data) == .success)
        let read = client.getVariable(name: name, guid: vendor, dataSize: data.count)
        #expect(read.status == .success && read.data == data)
    }

    /// Messages placed at a non-zero offset of the buffer: x3 names it, the partition serves it
    /// there.
    @Test func messagesAtAnOffsetInTheBuffer() throws {
        let m = try Machine()
        var client = try m.bootClient(offset: 0x1000)
        #expect(client.setVariable(name: ucs2("BootTest"), guid: vendor, attributes: Attr.nvBsRt, data: hello) == .success)
        #expect(client.getVariable(name: ucs2("BootTest"), guid: vendor, dataSize: 8).data == hello)
        #expect(m.world.partition.served.allSatisfy { $0.x3 == 0x1000 && $0.code == .success })
        #expect(m.ram.read(Board.mmBuffer, count: 0x1000) == [UInt8](repeating: 0, count: 0x1000))
    }

    /// A secure world without the MM partition: FF-A works, the UUID is unknown, so the client
    /// runs over the volatile store, with the same rules.
    @Test func noMMPartitionFallsBackToTheVolatileStore() throws {
        let config = SPMCConfig(partitions: [], nonSecureMemory: Board.spmcConfig.nonSecureMemory,
                                secureMemory: SPMCConfig.qemuVirtSecureMemory, mmBuffer: SPMCConfig.qemuVirtMMBuffer)
        let m = Machine(persistence: InMemoryPersistence(), config: config)
        var d = try m.startedDriver()
        #expect(throws: FFADriverError.ffa(.invalidParameters)) { _ = try d.partitions(uuid: .mmVariable, buffers: m.buffers) }
        try d.unmapRXTX()
        var client = try m.bootClient()
        #expect(client.transport.isVolatile)
        #expect(client.setVariable(name: ucs2("BootTest"), guid: vendor, attributes: Attr.nvBsRt, data: hello) == .success)
        #expect(client.getVariable(name: ucs2("BootTest"), guid: vendor, dataSize: 8).data == hello)
        #expect(client.setVariable(name: ucs2("X"), guid: vendor, attributes: Attr.rt, data: [1]) == .invalidParameter)
        #expect(m.world.partition.served.isEmpty)
        #expect(m.world.faults.isEmpty)
    }

    /// The same client over the in-memory store: the transport and the handler do not care.
    @Test func worksOverInMemoryPersistenceToo() throws {
        let m = Machine(persistence: InMemoryPersistence())
        var client = try m.bootClient()
        #expect(client.setVariable(name: ucs2("BootTest"), guid: vendor, attributes: Attr.nvBsRt, data: hello) == .success)
        #expect(client.getVariable(name: ucs2("BootTest"), guid: vendor, dataSize: 8).data == hello)
        #expect(m.world.store.persistence.variables.count == 1)
    }
}
