import Testing
import ABI
import SPMC
@testable import SecureMonitor

/// Register blocks as the image has them: one per world, answered and forwarded in place.
final class Blocks: RegisterBlocks {
    let normal = UnsafeMutablePointer<Registers>.allocate(capacity: 1)
    let partition = UnsafeMutablePointer<Registers>.allocate(capacity: 1)
    init() { normal.initialize(to: Registers()); partition.initialize(to: Registers()) }
    deinit { normal.deallocate(); partition.deallocate() }
    func registers(of world: World) -> UnsafeMutablePointer<Registers> { world == .normal ? normal : partition }

    /// Fresh blocks holding what `other`'s hold.
    static func copy(of other: Blocks) -> Blocks {
        let b = Blocks()
        b.normal.pointee = other.normal.pointee
        b.partition.pointee = other.partition.pointee
        return b
    }
}

struct NoMemory: PhysicalMemory {
    mutating func write(_ bytes: [UInt8], at pa: UInt64) -> Bool { false }
}

func patterned(_ base: UInt64) -> Registers {
    var r = Registers()
    for i in 0..<Registers.count { r[i] = base + UInt64(i) }
    return r
}

@Test func aDirectRequestIsWrittenOverThePartitionsBlockAndTheResponseOverTheSenders() {
    var loop = RunLoop(config: .qemuVirt(nonSecureMemory: [MemoryRange(base: 0x4000_0000, size: 1 << 30)]))
    let b = Blocks()
    var memory = NoMemory()
    b.partition.pointee = patterned(0x5A5A_0000)
    Interface.msgWait(retainRx: false).encode(into: &b.partition.pointee)
    #expect(loop.handle(from: .partition(Endpoint.mmPartition), blocks: b, memory: &memory) == .partitionInitialised)
    let waiting = b.partition.pointee

    b.normal.pointee = patterned(0xA5A5_0000)
    let request = DirectMessage(sender: 0, receiver: Endpoint.mmPartition, is64: true, 1, 2, 3, 4, 5)
    Interface.msgSendDirectReq(request).encode(into: &b.normal.pointee)
    let sent = b.normal.pointee
    #expect(loop.handle(from: .normal, blocks: b, memory: &memory) == .switchToPartition)
    #expect(loop.spmc.running == Endpoint.mmPartition)
    #expect(b.normal.pointee == sent)                               // the sender's block is untouched
    #expect((try? Interface.decode(b.partition.pointee)) == .msgSendDirectReq(request))
    for i in 8..<Registers.count { #expect(b.partition.pointee[i] == waiting[i]) }   // x8...x17 the partition's

    let response = DirectMessage(sender: Endpoint.mmPartition, receiver: 0, is64: true, 9)
    Interface.msgSendDirectResp(response).encode(into: &b.partition.pointee)
    let answered = b.partition.pointee
    #expect(loop.handle(from: .partition(Endpoint.mmPartition), blocks: b, memory: &memory) == .switchToNormal)
    #expect(b.partition.pointee == answered)
    #expect((try? Interface.decode(b.normal.pointee)) == .msgSendDirectResp(response))
    for i in 8..<Registers.count { #expect(b.normal.pointee[i] == sent[i]) }
}

@Test func servicesClaimDisjointFunctionIDs() {
    for f: UInt32 in [SMCCC.SMCCC_VERSION, SMCCC.PSCI_VERSION, SMCCC.PSCI_SYSTEM_OFF, FFAFunction.FFA_VERSION,
                      FFAFunction.FFA_MSG_SEND_DIRECT_REQ2, 0x8400_0040, 0xC300_0001] {
        let id = FunctionID(f)
        let owners = [ArmArchitectureService.owns(id), PSCIService.owns(id), FFAService.owns(id)].filter { $0 }
        #expect(owners.count <= 1)
    }
    #expect(ArmArchitectureService.owns(FunctionID(SMCCC.SMCCC_VERSION)))
    #expect(PSCIService.owns(FunctionID(SMCCC.PSCI_SYSTEM_RESET)))
    #expect(FFAService.owns(FunctionID(FFAFunction.FFA_ABORT_64)))
    #expect(!FFAService.owns(FunctionID(0x8400_0040)) && !PSCIService.owns(FunctionID(0x8400_0040)))
}

@Test func smcccVersionWritesW0Alone() {
    var loop = RunLoop(config: .qemuVirt(nonSecureMemory: []))
    let b = Blocks()
    var memory = NoMemory()
    b.normal.pointee = patterned(0xA5A5_0000)
    Interface.smcccVersion.encode(into: &b.normal.pointee)
    let before = b.normal.pointee
    #expect(loop.handle(from: .normal, blocks: b, memory: &memory) == .returnToCaller)
    #expect(b.normal.pointee.x0 == UInt64(SMCCC.version1_2))
    for i in 1..<Registers.count { #expect(b.normal.pointee[i] == before[i]) }
}
