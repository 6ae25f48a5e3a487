import ABI
import MM
import Variables
@testable import Driver

/// What happened, in order, across the shared memory, the cache and the conduit.
enum Event: Equatable {
    case write(offset: Int, count: Int)
    case clean(offset: Int, length: Int)
    case call(Registers)
    case invalidate(offset: Int, length: Int)
    case read(offset: Int, count: Int)
}

final class EventLog {
    var events: [Event] = []
}

/// The shared buffer in host memory; shared by reference with a fake secure side.
final class SharedBytes {
    var bytes: [UInt8]
    init(size: Int) { bytes = [UInt8](repeating: 0, count: size) }
}

struct FakeSharedMemory: SharedMemory {
    let storage: SharedBytes
    let log: EventLog
    var size: Int { storage.bytes.count }

    mutating func write(_ bytes: [UInt8], at offset: Int) {
        log.events.append(.write(offset: offset, count: bytes.count))
        storage.bytes.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
    }

    func read(at offset: Int, count: Int) -> [UInt8] {
        log.events.append(.read(offset: offset, count: count))
        return Array(storage.bytes[offset..<(offset + count)])
    }
}

struct RecordingCache: CacheMaintenance {
    let log: EventLog
    mutating func cleanToPoC(offset: Int, length: Int) { log.events.append(.clean(offset: offset, length: length)) }
    mutating func invalidate(offset: Int, length: Int) { log.events.append(.invalidate(offset: offset, length: length)) }
}

/// A conduit standing in for the SPMC and the MM partition: DIRECT_REQ_64 to 0x8001 runs the
/// real MMVariableHandler over the message at offset x3 of the shared buffer.
final class FakeSecureWorld {
    var handler = MMVariableHandler(store: VariableStore(persistence: InMemoryPersistence()))
    let shared: SharedBytes
    let log: EventLog
    /// Replaces the normal answer when set (to inject faults).
    var override: ((Registers) -> Registers?)?

    init(shared: SharedBytes, log: EventLog) { self.shared = shared; self.log = log }

    func answer(_ call: Registers) -> Registers {
        log.events.append(.call(call))
        if let o = override, let forced = o(call) { return forced }
        guard call.w(0) == FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64, call.w(1) == 0x8001 else { return .ffaError(.invalidParameters) }
        let offset = Int(call.x3)
        let request = Array(shared.bytes[offset...])
        let (response, code) = handler.handle(request: request)
        if code == .success { shared.bytes.replaceSubrange(offset..<(offset + response.count), with: response) }
        return Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64), 0x8001 << 16, 0, code.register)
    }
}

typealias TestFFATransport = FFAMMTransport<RecordingConduit, FakeSharedMemory, RecordingCache>

/// An FF-A MM transport over a probed driver whose conduit is `world`.
func ffaTransport(world: FakeSecureWorld, offset: Int = 0) throws -> TestFFATransport {
    var driver = try probed()
    driver.conduit.respond = { world.answer($0) }
    return FFAMMTransport(driver: driver, memory: FakeSharedMemory(storage: world.shared, log: world.log),
                          cache: RecordingCache(log: world.log), partitionID: 0x8001, offset: offset)
}

/// Records each message and answers with a closure.
struct ScriptedTransport: MMTransport {
    var bufferSize: Int = 0x10000
    var sent: [[UInt8]] = []
    var respond: ([UInt8]) throws(MMTransportError) -> [UInt8]

    mutating func communicate(_ request: [UInt8]) throws(MMTransportError) -> [UInt8] {
        sent.append(request)
        return try respond(request)
    }
}

/// A whole response message for `function` with `status` and `payload`.
func response(_ function: SMMVariableFunction, _ status: EFIStatus, _ payload: [UInt8] = []) -> [UInt8] {
    SMMVariableFrame.frame(function: function.rawValue, returnStatus: status, payload: payload)
}

func payloadSizeAnswer(_ size: UInt64) -> [UInt8] {
    response(.getPayloadSize, .success, GetPayloadSizeMessage(variablePayloadSize: size).encoded)
}

/// A client over a scripted transport, initialised with GET_PAYLOAD_SIZE = `payloadSize`.
func scriptedClient(payloadSize: UInt64 = 0x1000, bufferSize: Int = 0x10000,
                    then: @escaping ([UInt8]) -> [UInt8]) -> VariableClient<ScriptedTransport> {
    var first = true
    var c = VariableClient(transport: ScriptedTransport(bufferSize: bufferSize) { request throws(MMTransportError) in
        if first { first = false; return payloadSizeAnswer(payloadSize) }
        return then(request)
    })
    _ = c.initialize()
    c.transport.sent.removeAll()
    return c
}

// Little-endian writers for expected bytes, independent of MM's encoders.
func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }

/// gEfiSmmVariableProtocolGuid as stored in HeaderGuid (docs/mm-protocol.md).
let smmVariableGuidBytes: [UInt8] = [0x33, 0xd5, 0x32, 0xed, 0xe6, 0x99, 0x09, 0x42, 0x9c, 0xc0, 0x2d, 0x72, 0xcd, 0xd9, 0x98, 0xa7]
/// EFI_GLOBAL_VARIABLE as stored.
let globalGuidBytes: [UInt8] = [0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93, 0xd2, 0x11, 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c]
/// EFI_NOT_READY, the ReturnStatus every request carries until the partition writes it.
let sentinel = le64(0x8000_0000_0000_0006)

/// Both headers of a request: HeaderGuid, MessageLength = 16 + payload, Function, ReturnStatus.
func headers(function: UInt64, payloadCount: Int) -> [UInt8] {
    smmVariableGuidBytes + le64(UInt64(16 + payloadCount)) + le64(function) + sentinel
}

let boot = UCS2.fromASCII("Boot")  // 10 bytes with the NUL
