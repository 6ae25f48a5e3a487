import Testing
import ABI
@testable import SPMC

let normalWorldABIs: [UInt32] = [
    FFAFunction.FFA_ERROR, FFAFunction.FFA_SUCCESS_32, FFAFunction.FFA_SUCCESS_64,
    FFAFunction.FFA_VERSION, FFAFunction.FFA_FEATURES, FFAFunction.FFA_ID_GET,
    FFAFunction.FFA_SPM_ID_GET, FFAFunction.FFA_RXTX_MAP_32, FFAFunction.FFA_RXTX_MAP_64,
    FFAFunction.FFA_RXTX_UNMAP, FFAFunction.FFA_RX_RELEASE, FFAFunction.FFA_PARTITION_INFO_GET,
    FFAFunction.FFA_PARTITION_INFO_GET_REGS, FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32,
    FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64, FFAFunction.FFA_MSG_SEND_DIRECT_REQ2,
]

let partitionOnlyABIs: [UInt32] = [
    FFAFunction.FFA_MSG_WAIT, FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32,
    FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64, FFAFunction.FFA_MSG_SEND_DIRECT_RESP2,
    FFAFunction.FFA_CONSOLE_LOG_32, FFAFunction.FFA_CONSOLE_LOG_64,
]

@Test func featuresReportsEveryNormalWorldABI() {
    var h = Harness()
    for f in normalWorldABIs {
        #expect(isSuccess(h.ask(FFAFunction.FFA_FEATURES, [UInt64(f)])), "0x\(String(f, radix: 16))")
    }
}

@Test func featuresHidesPartitionOnlyABIsFromTheNormalWorld() {
    var h = Harness()
    for f in partitionOnlyABIs {
        #expect(isError(h.ask(FFAFunction.FFA_FEATURES, [UInt64(f)]), .notSupported))
    }
}

@Test func featuresForPartitionsListsTheirABIs() {
    var h = Harness(initialise: false)
    for f in partitionOnlyABIs + [FFAFunction.FFA_ID_GET, FFAFunction.FFA_VERSION] {
        #expect(isSuccess(h.ask(FFAFunction.FFA_FEATURES, [UInt64(f)], from: .partition(mm))))
    }
    #expect(isError(h.ask(FFAFunction.FFA_FEATURES, [UInt64(FFAFunction.FFA_RXTX_MAP_64)],
                          from: .partition(mm)), .notSupported))
}

@Test func featuresOfRxTxMapIsFourKiBWithNoMaximum() {
    var h = Harness()
    #expect(h.ask(FFAFunction.FFA_FEATURES, [UInt64(FFAFunction.FFA_RXTX_MAP_64)]) == .ffaSuccess(0))
    #expect(h.ask(FFAFunction.FFA_FEATURES, [UInt64(FFAFunction.FFA_RXTX_MAP_32)]) == .ffaSuccess(0))
}

@Test func featureIDsForInterruptsAreNotSupported() {
    var h = Harness()
    for id: UInt64 in [1, 2, 3, 4, 0] {   // NPI, SRI, MEI, notifications, reserved
        #expect(isError(h.ask(FFAFunction.FFA_FEATURES, [id]), .notSupported))
    }
}

@Test func featuresWithNonZeroInputPropertiesIsNotSupported() {
    var h = Harness()
    #expect(isError(h.ask(FFAFunction.FFA_FEATURES, [UInt64(FFAFunction.FFA_ID_GET), 1]), .notSupported))
    // The upper half of x2 is not part of w2.
    #expect(isSuccess(h.ask(FFAFunction.FFA_FEATURES, [UInt64(FFAFunction.FFA_ID_GET), 1 << 32])))
}

@Test func featuresOfUnimplementedABIsIsNotSupported() {
    var h = Harness()
    for f: UInt32 in [0xC400_0073, 0x8400_0077, FFAFunction.FFA_RUN, FFAFunction.FFA_YIELD, 0x8400_0086] {
        #expect(isError(h.ask(FFAFunction.FFA_FEATURES, [UInt64(f)]), .notSupported))
    }
}

@Test func featuresFollowsTheNegotiatedVersion() {
    var h = Harness()
    h.negotiate(.v1_0)
    #expect(isError(h.ask(FFAFunction.FFA_FEATURES, [UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_REQ2)]),
                    .notSupported))
    #expect(isSuccess(h.ask(FFAFunction.FFA_FEATURES, [UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64)])))
}

@Test func idGetAnswersEachCallerWithItsOwnID() {
    var h = Harness(initialise: false)
    #expect(h.ask(FFAFunction.FFA_ID_GET) == .ffaSuccess(0))
    #expect(h.ask(FFAFunction.FFA_ID_GET, from: .partition(mm)) == .ffaSuccess(0x8001))
    #expect(h.ask(FFAFunction.FFA_SPM_ID_GET) == .ffaSuccess(0x8000))
    #expect(h.ask(FFAFunction.FFA_SPM_ID_GET, from: .partition(mm)) == .ffaSuccess(0x8000))
}
