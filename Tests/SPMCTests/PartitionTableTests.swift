import Testing
import ABI
@testable import SPMC

/// Every runtime state survives its one-word encoding, in an inline slot and past them, and
/// setting one partition's state leaves the others' and every partition's ID and properties.
@Test func partitionTableKeepsEveryStateOfEveryPartition() {
    let infos = (1...11).map {
        PartitionInfo(id: 0x8000 + UInt16($0), executionContexts: 1,
                      properties: $0 % 2 == 0 ? 0x301 : 0x001, uuid: UUID(lo: UInt64($0), hi: 1))
    }
    var table = PartitionTable(infos)
    #expect(table.count == 11)
    let states: [PartitionRuntime] = [
        .initialising, .waiting, .failed, .aborted,
        .handling(PendingRequest(origin: 0, kind: .smc32)), .handling(PendingRequest(origin: 0, kind: .smc64)),
        .handling(PendingRequest(origin: 0, kind: .req2)), .handling(PendingRequest(origin: 0xFFFF, kind: .smc64)),
    ]
    for i in 0..<11 { #expect(table.runtime(at: i) == .initialising) }
    for (k, state) in states.enumerated() {
        for i in 0..<11 {
            let other = (i + 1) % 11, was = table.runtime(at: other)
            table.setRuntime(state, at: i)
            #expect(table.runtime(at: i) == state, "state \(k), partition \(i)")
            #expect(table.runtime(at: other) == was)
        }
    }
    for (i, info) in infos.enumerated() {
        #expect(table.index(of: info.id) == i)
        #expect(table.receives(.smc64, at: i))
        #expect(table.receives(.req2, at: i) == (i % 2 == 1))
    }
    #expect(table.index(of: 0) == nil)        // an unused inline slot's ID
    #expect(table.index(of: 0x8000) == nil)
    #expect(table.index(of: 0x800C) == nil)
}

/// The direct-message checks on a word: a request enters only a waiting partition that receives
/// requests, a response leaves only from the partition's own ID to the request's sender with the
/// request's width; a refused one changes nothing.
@Test func partitionTableDirectMessageChecks() {
    let mm = SPMCConfig.mmPartition
    let noRequests = PartitionInfo(id: 0x8002, executionContexts: 1, properties: PartitionInfo.Property.receivesDirectRequest2,
                                   uuid: UUID(lo: 2, hi: 2))
    var t = PartitionTable([mm, noRequests])
    do { let ok = t.beginRequest(at: 0, receiver: 0x8001, is64: true); #expect(!ok) }          // still initialising
    t.setRuntime(.waiting, at: 0)
    t.setRuntime(.waiting, at: 1)
    do { let ok = t.beginRequest(at: 1, receiver: 0x8002, is64: true); #expect(!ok) }          // does not receive REQ
    #expect(t.runtime(at: 1) == .waiting)
    do { let ok = t.beginRequest(at: 0, receiver: 0x8002, is64: true); #expect(!ok) }          // not its ID
    do { let ok = t.beginRequest(at: 0, receiver: 0x8001, is64: false); #expect(ok) }
    #expect(t.runtime(at: 0) == .handling(PendingRequest(origin: 0, kind: .smc32)))
    do { let ok = t.beginRequest(at: 0, receiver: 0x8001, is64: false); #expect(!ok) }         // busy
    do { let ok = t.endRequest(at: 0, endpoints: 0x8001_0000, is64: true); #expect(!ok) }      // width
    do { let ok = t.endRequest(at: 0, endpoints: 0x8002_0000, is64: false); #expect(!ok) }     // not its ID
    do { let ok = t.endRequest(at: 0, endpoints: 0x8001_0001, is64: false); #expect(!ok) }     // not the sender
    #expect(t.runtime(at: 0) == .handling(PendingRequest(origin: 0, kind: .smc32)))
    do { let ok = t.endRequest(at: 0, endpoints: 0x8001_0000, is64: false); #expect(ok) }
    #expect(t.runtime(at: 0) == .waiting)
    do { let ok = t.endRequest(at: 0, endpoints: 0x8001_0000, is64: false); #expect(!ok) }     // nothing to answer
    t.setRuntime(.aborted, at: 0)
    do { let ok = t.beginRequest(at: 0, receiver: 0x8001, is64: true); #expect(!ok) }
}
