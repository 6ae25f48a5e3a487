import Testing
import ABI
import MM
import Variables
@testable import Driver

/// A shared buffer at a fixed host address, as the image maps it: the client builds and reads
/// messages in place (`SharedMemory.bytes`), and the fake partition serves them in place too.
final class PinnedBytes {
    let buffer: UnsafeMutableRawBufferPointer
    init(size: Int) {
        buffer = .allocate(byteCount: size, alignment: 16)
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
    }
    deinit { buffer.deallocate() }
}

struct PinnedSharedMemory: SharedMemory {
    let storage: PinnedBytes
    let log: EventLog
    var size: Int { storage.buffer.count }
    var bytes: UnsafeMutableRawBufferPointer? { storage.buffer }

    mutating func write(_ bytes: [UInt8], at offset: Int) {
        log.events.append(.write(offset: offset, count: bytes.count))
        for (i, b) in bytes.enumerated() { storage.buffer[offset + i] = b }
    }

    func read(at offset: Int, count: Int) -> [UInt8] {
        log.events.append(.read(offset: offset, count: count))
        return Array(storage.buffer[offset..<(offset + count)])
    }
}

/// The partition's in-place path (`MMDoorbell` with a scratch copy) over the pinned buffer.
final class InPlaceSecureWorld {
    var handler = MMVariableHandler(store: VariableStore(persistence: InMemoryPersistence()))
    let shared: PinnedBytes
    let log: EventLog
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 0x10000, alignment: 16)

    init(shared: PinnedBytes, log: EventLog) { self.shared = shared; self.log = log }
    deinit { scratch.deallocate() }

    struct Window: MMSharedWindow {
        let shared: PinnedBytes
        mutating func read(_ offset: Int, count: Int) -> [UInt8] { Array(shared.buffer[offset..<(offset + count)]) }
        mutating func write(_ bytes: [UInt8], at offset: Int) { for (i, b) in bytes.enumerated() { shared.buffer[offset + i] = b } }
    }

    func answer(_ call: Registers) -> Registers {
        log.events.append(.call(call))
        guard call.w(0) == FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64, call.w(1) == 0x8001 else { return .ffaError(.invalidParameters) }
        var window = Window(shared: shared)
        let r = MMDoorbell.serve(x3: call.x3, bufferBase: 0x4010_0000, bufferSize: shared.buffer.count, window: &window,
                                 handler: &handler, scratch: scratch)
        return Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64), 0x8001 << 16, 0, r.code.register)
    }
}

func inPlaceTransport(world: InPlaceSecureWorld, offset: Int = 0) throws -> FFAMMTransport<RecordingConduit, PinnedSharedMemory, RecordingCache> {
    var driver = try probed()
    driver.conduit.respond = { world.answer($0) }
    return FFAMMTransport(driver: driver, memory: PinnedSharedMemory(storage: world.shared, log: world.log),
                          cache: RecordingCache(log: world.log), partitionID: 0x8001, offset: offset)
}

@Test func inPlaceTransportRunsTheVariableServices() throws {
    let world = InPlaceSecureWorld(shared: PinnedBytes(size: 0x10000), log: EventLog())
    var client = VariableClient(transport: try inPlaceTransport(world: world, offset: 0x40))
    checkVariableServices(&client)
    // Built and read in place: GetVariable, SetVariable and QueryVariableInfo write and read
    // nothing through the array interface; every doorbell is still cleaned before and
    // invalidated after.
    let events = world.log.events
    for (i, e) in events.enumerated() {
        if case .call = e {
            if case .clean = events[i - 1] {} else { Issue.record("no clean before the doorbell") }
            if case .invalidate = events[i + 1] {} else { Issue.record("no invalidate after the doorbell") }
        }
    }
}

@Test func inPlaceGetVariableWritesIntoTheCallersBuffer() throws {
    let world = InPlaceSecureWorld(shared: PinnedBytes(size: 0x10000), log: EventLog())
    var client = VariableClient(transport: try inPlaceTransport(world: world))
    #expect(client.initialize() == .success)
    let name = UCS2.fromASCII("InPlace")
    #expect(client.setVariable(name: name, guid: .globalVariable, attributes: 7, data: [9, 8, 7]) == .success)
    world.log.events.removeAll()
    var value: UInt64 = 0
    let r = withUnsafeMutableBytes(of: &value) { client.getVariable(name: name, guid: .globalVariable, into: $0) }
    #expect(r.status == .success && r.dataSize == 3 && r.attributes == 7 && r.data.isEmpty)
    #expect(value == 0x07_08_09)
    #expect(!world.log.events.contains { if case .write = $0 { return true }; if case .read = $0 { return true }; return false })
    // A buffer too small: the size needed, nothing written.
    var small: UInt16 = 0
    let t = withUnsafeMutableBytes(of: &small) { client.getVariable(name: name, guid: .globalVariable, into: $0) }
    #expect(t.status == .bufferTooSmall && t.dataSize == 3 && small == 0)
    // The served secure-boot state: one byte, no stored array.
    var secureBoot: UInt8 = 0xFF
    let s = withUnsafeMutableBytes(of: &secureBoot) { client.getVariable(name: UCS2.fromASCII("SecureBoot"), guid: .globalVariable, into: $0) }
    #expect(s.status == .success && s.dataSize == 1 && secureBoot == 0)
}

@Test func inPlaceResponsesAreCheckedAsArrayOnes() throws {
    // A partition that answers GET_VARIABLE success with DataSize beyond its payload.
    let world = InPlaceSecureWorld(shared: PinnedBytes(size: 0x10000), log: EventLog())
    var client = VariableClient(transport: try inPlaceTransport(world: world))
    #expect(client.initialize() == .success)
    #expect(client.setVariable(name: UCS2.fromASCII("X"), guid: .globalVariable, attributes: 7, data: [1]) == .success)
    var driver = try probed()
    driver.conduit.respond = { call in
        let r = world.answer(call)
        // DataSize (payload +16) raised past what the payload holds.
        world.shared.buffer.mmPut64(0x100, at: MMMessageView.payloadOffset + AccessVariableLayout.dataSize)
        return r
    }
    client.transport.driver = driver
    var value: UInt64 = 0
    let r = withUnsafeMutableBytes(of: &value) { client.getVariable(name: UCS2.fromASCII("X"), guid: .globalVariable, into: $0) }
    #expect(r.status == .deviceError)
}
