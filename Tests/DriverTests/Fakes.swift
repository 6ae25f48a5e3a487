import ABI
@testable import Driver

/// Records every call; answers from a script in order, or from a closure when one is set.
/// An exhausted script answers a full 64-bit -1, as firmware does for an unknown SMC.
struct RecordingConduit: Conduit {
    var calls: [Registers] = []
    var script: [Registers]
    var respond: ((Registers) -> Registers)?

    init(_ script: [Registers] = [], respond: ((Registers) -> Registers)? = nil) {
        self.script = script
        self.respond = respond
    }

    mutating func call(_ regs: Registers) -> Registers {
        calls.append(regs)
        if let respond { return respond(regs) }
        if script.isEmpty { return Registers(~0) }
        return script.removeFirst()
    }
}

/// RX/TX buffers in host memory: fixed addresses, RX contents set by the test.
struct FakeBuffers: RXTXBuffers {
    var txAddress: UInt64 = 0x4020_0000
    var rxAddress: UInt64 = 0x4021_0000
    var capacity: Int = 0x1_0000
    var rx: [UInt8] = []

    func readRX(offset: Int, count: Int) -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= rx.count else { return [] }
        return Array(rx[offset..<min(rx.count, offset + count)])
    }
}

func r(_ f: UInt32, _ x1: UInt64 = 0, _ x2: UInt64 = 0, _ x3: UInt64 = 0, _ x4: UInt64 = 0,
       _ x5: UInt64 = 0, _ x6: UInt64 = 0, _ x7: UInt64 = 0) -> Registers {
    Registers(UInt64(f), x1, x2, x3, x4, x5, x6, x7)
}

let success = Registers.ffaSuccess()
func failure(_ e: FFAError) -> Registers { .ffaError(e) }

/// The three answers of a successful probe.
func probeAnswers(smccc: UInt32 = 0x1_0002, version: UInt32 = 0x1_0002, id: UInt64 = 0) -> [Registers] {
    [Registers(UInt64(smccc)), Registers(UInt64(version)), .ffaSuccess(id)]
}

/// The three calls of a probe.
let probeCalls: [Registers] = [
    r(SMCCC.SMCCC_VERSION),
    r(FFAFunction.FFA_VERSION, 0x1_0002),
    r(FFAFunction.FFA_ID_GET),
]

/// A driver probed at `version` (SMCCC `smccc`), its call log cleared, `then` scripted next.
func probed(version: UInt32 = 0x1_0002, smccc: UInt32 = 0x1_0002, then: [Registers] = []) throws -> FFADriver<RecordingConduit> {
    var d = FFADriver(conduit: RecordingConduit(probeAnswers(smccc: smccc, version: version) + then))
    try d.probe()
    d.conduit.calls.removeAll()
    return d
}

/// A probed driver with the RX/TX pair mapped at 4 KiB, call log cleared.
func mapped(version: UInt32 = 0x1_0002, smccc: UInt32 = 0x1_0002, then: [Registers] = []) throws -> FFADriver<RecordingConduit> {
    var d = try probed(version: version, smccc: smccc, then: [.ffaSuccess(0), success] + then)
    try d.mapRXTX(FakeBuffers())
    d.conduit.calls.removeAll()
    return d
}

/// Descriptor bytes in the v1.0 (8) or v1.1+ (24 or more) layout.
func descriptorBytes(_ infos: [PartitionInfo], stride: Int) -> [UInt8] {
    var out: [UInt8] = []
    for p in infos {
        var d = p.encoded(for: stride == 8 ? .v1_0 : .v1_2)
        while d.count < stride { d.append(0xEE) }
        out += d
    }
    return out
}

let mmInfo = PartitionInfo(id: 0x8001, executionContexts: 1,
                           properties: PartitionInfo.Property.receivesDirectRequests | PartitionInfo.Property.aarch64,
                           uuid: .mmVariable)
let otherUUID = UUID(octets: [0x37, 0x8d, 0xae, 0xdc, 0xf0, 0x6b, 0x44, 0x46,
                              0x83, 0x14, 0x40, 0xab, 0x93, 0x3c, 0x87, 0xa3])
let otherInfo = PartitionInfo(id: 0x8002, executionContexts: 4, properties: 0x301, uuid: otherUUID)

func ascii(_ s: StaticString) -> [UInt8] {
    s.withUTF8Buffer { Array($0) }
}
