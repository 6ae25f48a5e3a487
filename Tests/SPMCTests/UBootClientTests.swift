import Testing
import ABI
@testable import SPMC

/// The exact sequence U-Boot's FF-A driver and MM client issue (drivers/firmware/arm-ffa,
/// lib/efi_loader/efi_variable_tee.c): FFA_VERSION 1.0, FFA_ID_GET, FFA_FEATURES(RXTX_MAP_64),
/// FFA_RXTX_MAP_64 with one page, FFA_PARTITION_INFO_GET by UUID (8-byte descriptors),
/// FFA_RX_RELEASE, then FFA_MSG_SEND_DIRECT_REQ_64 with x3 = 0 (offset in the MM buffer),
/// and FFA_RXTX_UNMAP at ExitBootServices.
@Test func uBootSequenceGetsCorrectAnswers() {
    var h = Harness()
    #expect(h.ask(FFAFunction.FFA_VERSION, [0x1_0000]) == Registers(0x1_0002))
    #expect(h.ask(FFAFunction.FFA_ID_GET) == .ffaSuccess(0))
    #expect(h.ask(FFAFunction.FFA_FEATURES, [UInt64(FFAFunction.FFA_RXTX_MAP_64)]) == .ffaSuccess(0))
    #expect(h.ask(FFAFunction.FFA_RXTX_MAP_64, [txPage, rxPage, 1]) == .ffaSuccess())
    // U-Boot first asks for the count, as v1.0 allows: with flags MBZ, so it gets descriptors.
    #expect(h.ask(FFAFunction.FFA_PARTITION_INFO_GET, mmWords) == .ffaSuccess(1, 0))
    #expect(PartitionInfo(bytes: h.memory.read(rxPage, count: 8), at: 0, size: 8)
            == PartitionInfo(id: 0x8001, executionContexts: 1, properties: 1, uuid: .nil))
    #expect(h.ask(FFAFunction.FFA_RX_RELEASE) == .ffaSuccess())

    let doorbell = regs(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64, [UInt64(mm), 0, 0])
    #expect(h.call(doorbell).action == .resume(.partition(mm), doorbell))
    // The partition answers w3 = 0 (MM success).
    let answer = regs(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64, [UInt64(mm) << 16, 0, 0])
    #expect(h.call(answer, from: .partition(mm)).action == .resume(.normal, answer))

    #expect(h.ask(FFAFunction.FFA_RXTX_UNMAP) == .ffaSuccess())
    // Linux then asks for v1.2 and is told the endpoint stays at v1.0.
    #expect(h.ask(FFAFunction.FFA_VERSION, [0x1_0002]) == Registers(0x1_0000))
}
