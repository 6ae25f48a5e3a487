import Testing
import ABI
import Driver
import SPMC
import SecureMonitor
import TestSupport
import Variables

/// The real FF-A driver against the real SPMC and the MM partition, in process.
@Suite struct FFADriverEndToEndTests {
    @Test func secureWorldBootsWithThePartitionWaiting() throws {
        let m = try Machine()
        #expect(m.world.bootOutcome == .partitionInitialised(id: Endpoint.mmPartition, succeeded: true))
        #expect(m.world.monitor.spmc.partitions.map(\.runtime) == [.waiting])
        #expect(m.world.faults.isEmpty)
    }

    @Test func probeNegotiatesVersion1_2WithSMCCC1_2Registers() throws {
        let m = try Machine()
        var d = m.driver()
        try d.probe()
        #expect(d.smcccVersion == SMCCC.version1_2)
        #expect(d.registerCount == Registers.count)
        #expect(d.spmcVersion == .v1_2)
        #expect(d.version == .v1_2)
        #expect(d.ownID == Endpoint.normalWorld)
        let nw = m.world.monitor.spmc.normalWorld
        #expect(nw.version == .v1_2 && nw.versionNegotiated && nw.versionLocked)
        #expect(m.world.normalCalls.map { $0.call.w(0) } == [SMCCC.SMCCC_VERSION, FFAFunction.FFA_VERSION, FFAFunction.FFA_ID_GET])
        #expect(m.world.faults.isEmpty)
    }

    @Test func mapsOnePageOfRXAndTX() throws {
        let m = try Machine()
        let d = try m.startedDriver()
        #expect(d.rxtx == RXTXMapping(txAddress: Board.txBuffer, rxAddress: Board.rxBuffer, size: 4096))
        #expect(m.world.monitor.spmc.normalWorld.mailbox == Mailbox(tx: Board.txBuffer, rx: Board.rxBuffer, pageCount: 1))
        #expect(m.world.faults.isEmpty)
    }

    @Test func mappingTheMMBufferAsRXIsRefused() throws {
        let m = try Machine()
        var d = m.driver()
        try d.probe()
        var buffers = m.buffers
        buffers.rxAddress = Board.mmBuffer
        #expect(throws: FFADriverError.ffa(.invalidParameters)) { try d.mapRXTX(buffers) }
        #expect(m.world.monitor.spmc.normalWorld.mailbox == nil)
    }

    @Test func unmapThenMapAgain() throws {
        let m = try Machine()
        var d = try m.startedDriver()
        try d.unmapRXTX()
        #expect(d.rxtx == nil)
        #expect(m.world.monitor.spmc.normalWorld.mailbox == nil)
        try d.mapRXTX(m.buffers)
        #expect(m.world.monitor.spmc.normalWorld.mailbox != nil)
        #expect(m.world.faults.isEmpty)
    }

    /// At v1.2 with 18 result registers the driver asks FFA_PARTITION_INFO_GET_REGS; a query by
    /// UUID comes back with the UUID field zero (as TF-A and Hafnium answer).
    @Test func findsTheMMPartitionByUUIDThroughRegisters() throws {
        let m = try Machine()
        var d = try m.startedDriver()
        let found = try d.partitions(uuid: .mmVariable, buffers: m.buffers)
        #expect(found == [PartitionInfo(id: 0x8001, executionContexts: 1,
                                        properties: SPMCConfig.mmPartition.properties, uuid: .nil)])
        let ids = m.world.normalCalls.map { $0.call.w(0) }
        #expect(ids.contains(FFAFunction.FFA_PARTITION_INFO_GET_REGS))
        #expect(!ids.contains(FFAFunction.FFA_PARTITION_INFO_GET))
        #expect(VariableTransportChoice.select(discovery: .success(found)) == .ffa(partitionID: 0x8001))
    }

    /// Through the RX buffer: a nil-UUID query gives 24-byte v1.2 descriptors with the UUID, and
    /// the driver releases RX afterwards (the SPMC's ownership flag is clear again).
    @Test func listsEveryPartitionThroughTheRXBuffer() throws {
        let m = try Machine()
        var d = try m.startedDriver()
        let all = try d.partitionInfoGet(uuid: .nil, buffers: m.buffers)
        #expect(all == [SPMCConfig.mmPartition])
        let rx = m.ram.read(Board.rxBuffer, count: 24) ?? []
        #expect(Array(rx[8..<24]) == [0xed, 0x32, 0xd5, 0x33, 0x99, 0xe6, 0x42, 0x09,
                                      0x9c, 0xc0, 0x2d, 0x72, 0xcd, 0xd9, 0x98, 0xa7])
        #expect(m.world.monitor.spmc.normalWorld.mailbox?.rxOwnedByCaller == false)
        // And again: a forgotten release would make this BUSY.
        let byUUID = try d.partitionInfoGet(uuid: .mmVariable, buffers: m.buffers)
        #expect(byUUID.map(\.id) == [0x8001])
        #expect(m.world.faults.isEmpty)
    }

    @Test func aUUIDNoPartitionAnswersIsInvalidParameters() throws {
        let m = try Machine()
        var d = try m.startedDriver()
        let other = UUID(w1: 1, w2: 2, w3: 3, w4: 4)
        #expect(throws: FFADriverError.ffa(.invalidParameters)) { _ = try d.partitions(uuid: other, buffers: m.buffers) }
        #expect(throws: FFADriverError.ffa(.invalidParameters)) { _ = try d.partitionInfoGet(uuid: other, buffers: m.buffers) }
        #expect(VariableTransportChoice.select(discovery: .failure(.ffa(.invalidParameters))) == .volatile(.noMMPartition))
    }

    /// `armffa ping 8001`: the payload is no offset and no address in the MM buffer, so the
    /// partition refuses it MM-style (x3 = INVALID_PARAMETER) and is idle again afterwards.
    @Test func pingGetsAResponseFromThePartition() throws {
        let m = try Machine()
        var d = try m.startedDriver()
        let payload: [UInt64] = [0xaaaa_aaaa, 0xbbbb_bbbb, 0xcccc_cccc, 0xdddd_dddd, 0xeeee_eeee]
        for _ in 0..<2 {
            let answer = try d.sendDirectRequest(to: 0x8001, payload: payload)
            #expect(answer == .response([0xFFFF_FFFE, 0, 0, 0, 0]))
            #expect(m.world.monitor.spmc.partitions.map(\.runtime) == [.waiting])
        }
        // What the partition received: sender 0, receiver 0x8001, flags 0, x3..x7 as sent.
        let request = Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64), 0x8001, 0,
                                0xaaaa_aaaa, 0xbbbb_bbbb, 0xcccc_cccc, 0xdddd_dddd, 0xeeee_eeee)
        #expect(m.world.delivered == [request, request])
        #expect(m.world.faults.isEmpty)
    }

    @Test func pingToAnUnknownPartitionIsInvalidParameters() throws {
        let m = try Machine()
        var d = try m.startedDriver()
        #expect(throws: FFADriverError.ffa(.invalidParameters)) { _ = try d.sendDirectRequest(to: 0x8002, payload: [1]) }
        #expect(m.world.partition.served.isEmpty)
    }

    /// A 32-bit direct request is answered with a 32-bit response and MM NOT_SUPPORTED.
    @Test func thirtyTwoBitRequestIsRefusedByThePartition() throws {
        let m = try Machine()
        var d = try m.startedDriver()
        let answer = try d.sendDirectRequest(to: 0x8001, payload: [0], width: .smc32)
        #expect(answer == .response([0xFFFF_FFFF, 0, 0, 0, 0]))
        #expect(m.world.partition.served.isEmpty)
    }

    /// FFA_MSG_SEND_DIRECT_REQ2 (the partition advertises it) comes back as an empty RESP2.
    @Test func directRequest2ComesBackEmpty() throws {
        let m = try Machine()
        var d = try m.startedDriver()
        let answer = try d.sendDirectRequest2(to: SPMCConfig.mmPartition, service: .mmVariable, payload: [1, 2, 3])
        #expect(answer == .response([UInt64](repeating: 0, count: 14)))
        #expect(m.world.faults.isEmpty)
    }
}
