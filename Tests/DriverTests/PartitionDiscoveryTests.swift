import Testing
import ABI
@testable import Driver

let mmWords: (UInt64, UInt64, UInt64, UInt64) = (0x33d5_32ed, 0x0942_e699, 0x722d_c09c, 0xa798_d9cd)
let release = r(FFAFunction.FFA_RX_RELEASE, 0)

func infoGet(_ w: (UInt64, UInt64, UInt64, UInt64), countOnly: Bool) -> Registers {
    r(FFAFunction.FFA_PARTITION_INFO_GET, w.0, w.1, w.2, w.3, countOnly ? 1 : 0)
}

@Test func v1_0DiscoveryUsesEightByteDescriptorsAndReleases() throws {
    var d = try mapped(version: 0x1_0000, then: [.ffaSuccess(1, 0xDEAD), success])
    let b = FakeBuffers(rx: descriptorBytes([mmInfo], stride: 8))
    let list = try d.partitionInfoGet(uuid: .mmVariable, buffers: b)
    #expect(d.conduit.calls == [infoGet(mmWords, countOnly: false), release])
    // v1.0 descriptors carry no UUID: the queried one is filled in.
    #expect(list == [PartitionInfo(id: 0x8001, executionContexts: 1, properties: 1, uuid: .mmVariable)])
}

@Test func v1_1DiscoveryCountsFirst() throws {
    var d = try mapped(version: 0x1_0001, then: [.ffaSuccess(2, 24), .ffaSuccess(2, 24), success])
    let b = FakeBuffers(rx: descriptorBytes([mmInfo, otherInfo], stride: 24))
    let list = try d.partitionInfoGet(uuid: .nil, buffers: b)
    #expect(d.conduit.calls == [infoGet((0, 0, 0, 0), countOnly: true), infoGet((0, 0, 0, 0), countOnly: false), release])
    #expect(list == [mmInfo, otherInfo])
}

@Test func v1_2DiscoveryFindsMMPartition() throws {
    var d = try mapped(then: [.ffaSuccess(1, 24), .ffaSuccess(1, 24), success])
    let list = try d.partitionInfoGet(uuid: .mmVariable, buffers: FakeBuffers(rx: descriptorBytes([mmInfo], stride: 24)))
    #expect(d.conduit.calls == [infoGet(mmWords, countOnly: true), infoGet(mmWords, countOnly: false), release])
    #expect(list == [mmInfo])
}

/// TF-A's EL3 SPMC (v2.15) leaves the UUID field of a by-UUID answer unwritten (stack bytes in
/// its release build): the descriptor answers the queried UUID, whatever the field holds.
@Test func aQueryByUUIDIgnoresTheDescriptorsUUIDField() throws {
    var garbage = mmInfo
    garbage.uuid = otherInfo.uuid
    var d = try mapped(then: [.ffaSuccess(1, 24), .ffaSuccess(1, 24), success])
    let list = try d.partitionInfoGet(uuid: .mmVariable, buffers: FakeBuffers(rx: descriptorBytes([garbage], stride: 24)))
    #expect(list == [mmInfo])
    #expect(VariableTransportChoice.select(discovery: .success(list)) == .ffa(partitionID: 0x8001))
}

@Test func strideZeroMeansTwentyFour() throws {
    var d = try mapped(version: 0x1_0001, then: [.ffaSuccess(2, 0), .ffaSuccess(2, 0), success])
    let list = try d.partitionInfoGet(uuid: .nil, buffers: FakeBuffers(rx: descriptorBytes([mmInfo, otherInfo], stride: 24)))
    #expect(list == [mmInfo, otherInfo])
}

@Test func widerStrideIsFollowed() throws {
    // A v1.3-style 48-byte descriptor: the first 24 bytes are the v1.2 layout.
    var d = try mapped(then: [.ffaSuccess(2, 48), .ffaSuccess(2, 48), success])
    let list = try d.partitionInfoGet(uuid: .nil, buffers: FakeBuffers(rx: descriptorBytes([mmInfo, otherInfo], stride: 48)))
    #expect(list == [mmInfo, otherInfo])
}

@Test func countOnlyZeroStopsWithoutRelease() throws {
    var d = try mapped(then: [.ffaSuccess(0, 24)])
    #expect(try d.partitionInfoGet(uuid: otherUUID, buffers: FakeBuffers()).isEmpty)
    #expect(d.conduit.calls.count == 1)
}

@Test func countOnlyErrorStops() throws {
    var d = try mapped(then: [failure(.invalidParameters)])
    #expect(throws: FFADriverError.ffa(.invalidParameters)) { _ = try d.partitionInfoGet(uuid: otherUUID, buffers: FakeBuffers()) }
    #expect(d.conduit.calls.count == 1)
}

@Test func errorOnDescriptorCallNeedsNoRelease() throws {
    var d = try mapped(then: [.ffaSuccess(1, 24), failure(.busy)])
    #expect(throws: FFADriverError.ffa(.busy)) { _ = try d.partitionInfoGet(uuid: .nil, buffers: FakeBuffers()) }
    #expect(d.conduit.calls.count == 2)
}

@Test func countBeyondRXSizeIsMalformedAndReleased() throws {
    // 171 descriptors of 24 bytes do not fit the 4 KiB RX buffer.
    // The fake RX holds them all, so only the bound can refuse.
    let full = FakeBuffers(rx: descriptorBytes(Array(repeating: mmInfo, count: 171), stride: 24))
    var d = try mapped(then: [.ffaSuccess(171, 24), .ffaSuccess(171, 24), success])
    #expect(throws: FFADriverError.malformedDescriptors) { _ = try d.partitionInfoGet(uuid: .nil, buffers: full) }
    #expect(d.conduit.calls.last == release && d.conduit.calls.count == 3)
}

@Test func hugeCountAndStrideDoNotOverflow() throws {
    var d = try mapped(then: [.ffaSuccess(1, 24), .ffaSuccess(0xFFFF_FFFF, 0xFFFF_FFFF), success])
    #expect(throws: FFADriverError.malformedDescriptors) { _ = try d.partitionInfoGet(uuid: .nil, buffers: FakeBuffers()) }
    #expect(d.conduit.calls.last == release)
}

@Test func strideBelowTwentyFourIsMalformed() throws {
    var d = try mapped(version: 0x1_0001, then: [.ffaSuccess(1, 8), .ffaSuccess(1, 8), success])
    #expect(throws: FFADriverError.malformedDescriptors) {
        _ = try d.partitionInfoGet(uuid: .nil, buffers: FakeBuffers(rx: descriptorBytes([mmInfo], stride: 24)))
    }
    #expect(d.conduit.calls.last == release)
}

@Test func shortRXIsMalformed() throws {
    var d = try mapped(then: [.ffaSuccess(2, 24), .ffaSuccess(2, 24), success])
    #expect(throws: FFADriverError.malformedDescriptors) {
        _ = try d.partitionInfoGet(uuid: .nil, buffers: FakeBuffers(rx: descriptorBytes([mmInfo], stride: 24)))
    }
    #expect(d.conduit.calls.last == release)
}

@Test func unexpectedAnswerStillReleases() throws {
    var d = try mapped(then: [.ffaSuccess(1, 24), r(FFAFunction.FFA_MSG_WAIT), success])
    #expect(throws: FFADriverError.unexpectedFunction(FFAFunction.FFA_MSG_WAIT)) {
        _ = try d.partitionInfoGet(uuid: .nil, buffers: FakeBuffers())
    }
    #expect(d.conduit.calls.last == release)
}

@Test func failedReleaseIsReported() throws {
    var d = try mapped(then: [.ffaSuccess(1, 24), .ffaSuccess(1, 24), failure(.denied)])
    #expect(throws: FFADriverError.ffa(.denied)) {
        _ = try d.partitionInfoGet(uuid: .nil, buffers: FakeBuffers(rx: descriptorBytes([mmInfo], stride: 24)))
    }
}

@Test func decodeErrorWinsOverReleaseError() throws {
    var d = try mapped(then: [.ffaSuccess(1, 24), .ffaSuccess(1, 4), failure(.denied)])
    #expect(throws: FFADriverError.malformedDescriptors) { _ = try d.partitionInfoGet(uuid: .nil, buffers: FakeBuffers()) }
}

@Test func discoveryNeedsMappedBuffers() throws {
    var d = try probed()
    #expect(throws: FFADriverError.rxtxNotMapped) { _ = try d.partitionInfoGet(uuid: .nil, buffers: FakeBuffers()) }
    #expect(d.conduit.calls.isEmpty)
}

// MARK: FFA_PARTITION_INFO_GET_REGS

/// x2 of a GET_REGS answer: last index, this reply's last index, tag, descriptor size.
func regsX2(last: UInt64, current: UInt64, tag: UInt64 = 0, size: UInt64 = 24) -> UInt64 {
    last | current << 16 | tag << 32 | size << 48
}

func regsAnswer(x2: UInt64, _ infos: [PartitionInfo], registersEach: Int = 3) -> Registers {
    var out = Registers(UInt64(FFAFunction.FFA_SUCCESS_64), 0, x2)
    for (k, p) in infos.enumerated() {
        let t = p.registerTriple
        out[3 + k * registersEach] = t.0; out[4 + k * registersEach] = t.1; out[5 + k * registersEach] = t.2
    }
    return out
}

func regsCall(_ uuid: UUID, start: UInt64, tag: UInt64 = 0) -> Registers {
    r(FFAFunction.FFA_PARTITION_INFO_GET_REGS, uuid.bytes.0, uuid.bytes.1, start | tag << 16)
}

@Test func getRegsOneReply() throws {
    var d = try probed(then: [regsAnswer(x2: regsX2(last: 1, current: 1), [mmInfo, otherInfo])])
    #expect(try d.partitionInfoGetRegs(uuid: .nil) == [mmInfo, otherInfo])
    #expect(d.conduit.calls == [regsCall(.nil, start: 0)])
}

@Test func getRegsUUIDInX1X2() throws {
    var d = try probed(then: [regsAnswer(x2: regsX2(last: 0, current: 0), [mmInfo])])
    #expect(try d.partitionInfoGetRegs(uuid: .mmVariable) == [mmInfo])
    #expect(d.conduit.calls.first?.x1 == 0x0942_e699_33d5_32ed && d.conduit.calls.first?.x2 == 0xa798_d9cd_722d_c09c)
}

@Test func getRegsLoopsOnIndicesWithTag() throws {
    let seven = (0..<7).map { PartitionInfo(id: 0x8001 + UInt16($0), executionContexts: 1, properties: 1, uuid: .mmVariable) }
    var d = try probed(then: [regsAnswer(x2: regsX2(last: 6, current: 4, tag: 0x55), Array(seven[0..<5])),
                              regsAnswer(x2: regsX2(last: 6, current: 6, tag: 0x55), Array(seven[5..<7]))])
    #expect(try d.partitionInfoGetRegs(uuid: .nil) == seven)
    #expect(d.conduit.calls == [regsCall(.nil, start: 0), regsCall(.nil, start: 5, tag: 0x55)])
}

@Test func getRegsRetryRestarts() throws {
    var d = try probed(then: [regsAnswer(x2: regsX2(last: 5, current: 4, tag: 1), Array(repeating: mmInfo, count: 5)),
                              failure(.retry),
                              regsAnswer(x2: regsX2(last: 0, current: 0, tag: 2), [otherInfo])])
    #expect(try d.partitionInfoGetRegs(uuid: .nil) == [otherInfo])
    #expect(d.conduit.calls == [regsCall(.nil, start: 0), regsCall(.nil, start: 5, tag: 1), regsCall(.nil, start: 0)])
}

@Test func getRegsRetryIsBounded() throws {
    var d = try probed()
    d.retryLimit = 3
    d.conduit.respond = { _ in failure(.retry) }
    #expect(throws: FFADriverError.retriesExhausted(.retry)) { _ = try d.partitionInfoGetRegs(uuid: .nil) }
    #expect(d.conduit.calls.count == 4)
}

@Test func getRegsSizeZeroMeansTwentyFour() throws {
    var d = try probed(then: [regsAnswer(x2: regsX2(last: 0, current: 0, size: 0), [mmInfo])])
    #expect(try d.partitionInfoGetRegs(uuid: .nil) == [mmInfo])
}

@Test func getRegsWiderDescriptors() throws {
    // 48-byte descriptors take six registers: two per reply.
    var d = try probed(then: [regsAnswer(x2: regsX2(last: 2, current: 1, tag: 9, size: 48), [mmInfo, otherInfo], registersEach: 6),
                              regsAnswer(x2: regsX2(last: 2, current: 2, tag: 9, size: 48), [mmInfo], registersEach: 6)])
    #expect(try d.partitionInfoGetRegs(uuid: .nil) == [mmInfo, otherInfo, mmInfo])
    #expect(d.conduit.calls[1] == regsCall(.nil, start: 2, tag: 9))
}

@Test(arguments: [
    regsX2(last: 1, current: 2),            // beyond the last index
    regsX2(last: 9, current: 5),            // six descriptors do not fit 15 registers
    regsX2(last: 0, current: 0, size: 20),  // smaller than a descriptor
    regsX2(last: 0, current: 0, size: 28),  // not whole registers
    regsX2(last: 0, current: 0, size: 128), // not even one fits
])
func getRegsMalformedReplies(x2: UInt64) throws {
    var d = try probed(then: [regsAnswer(x2: x2, [])])
    #expect(throws: FFADriverError.malformedDescriptors) { _ = try d.partitionInfoGetRegs(uuid: .nil) }
    #expect(d.conduit.calls.count == 1)
}

@Test func getRegsIndexGoingBackwardsIsMalformed() throws {
    var d = try probed(then: [regsAnswer(x2: regsX2(last: 6, current: 4), Array(repeating: mmInfo, count: 5)),
                              regsAnswer(x2: regsX2(last: 6, current: 3), [])])
    #expect(throws: FFADriverError.malformedDescriptors) { _ = try d.partitionInfoGetRegs(uuid: .nil) }
}

@Test func getRegsLastIndexChangingIsMalformed() throws {
    var d = try probed(then: [regsAnswer(x2: regsX2(last: 6, current: 4), Array(repeating: mmInfo, count: 5)),
                              regsAnswer(x2: regsX2(last: 7, current: 7), [mmInfo, mmInfo, mmInfo])])
    #expect(throws: FFADriverError.malformedDescriptors) { _ = try d.partitionInfoGetRegs(uuid: .nil) }
}

@Test func getRegsErrors() throws {
    var d = try probed(then: [failure(.invalidParameters), r(FFAFunction.FFA_INTERRUPT)])
    #expect(throws: FFADriverError.ffa(.invalidParameters)) { _ = try d.partitionInfoGetRegs(uuid: otherUUID) }
    #expect(throws: FFADriverError.unexpectedFunction(FFAFunction.FFA_INTERRUPT)) { _ = try d.partitionInfoGetRegs(uuid: otherUUID) }
}

@Test func getRegsNeedsV1_2AndEighteenRegisters() throws {
    var old = try probed(version: 0x1_0001)
    #expect(throws: FFADriverError.ffa(.notSupported)) { _ = try old.partitionInfoGetRegs(uuid: .nil) }
    var narrow = try probed(smccc: 0x1_0001)
    #expect(throws: FFADriverError.ffa(.notSupported)) { _ = try narrow.partitionInfoGetRegs(uuid: .nil) }
    #expect(old.conduit.calls.isEmpty && narrow.conduit.calls.isEmpty)
}

// MARK: choosing the discovery call

@Test func partitionsPrefersRegsWhenAdvertised() throws {
    var d = try mapped(then: [success, regsAnswer(x2: regsX2(last: 0, current: 0), [mmInfo]),
                              regsAnswer(x2: regsX2(last: 0, current: 0), [mmInfo])])
    #expect(try d.partitions(uuid: .mmVariable, buffers: FakeBuffers()) == [mmInfo])
    #expect(try d.partitions(uuid: .mmVariable, buffers: FakeBuffers()) == [mmInfo])
    #expect(d.conduit.calls == [r(FFAFunction.FFA_FEATURES, UInt64(FFAFunction.FFA_PARTITION_INFO_GET_REGS)),
                                regsCall(.mmVariable, start: 0), regsCall(.mmVariable, start: 0)])
}

@Test func partitionsFallsBackToRXBuffer() throws {
    var d = try mapped(then: [failure(.notSupported), .ffaSuccess(1, 24), .ffaSuccess(1, 24), success])
    #expect(try d.partitions(uuid: .mmVariable, buffers: FakeBuffers(rx: descriptorBytes([mmInfo], stride: 24))) == [mmInfo])
    #expect(d.conduit.calls == [r(FFAFunction.FFA_FEATURES, UInt64(FFAFunction.FFA_PARTITION_INFO_GET_REGS)),
                                infoGet(mmWords, countOnly: true), infoGet(mmWords, countOnly: false), release])
}

@Test func partitionsAtV1_0AsksNoFeatures() throws {
    var d = try mapped(version: 0x1_0000, then: [.ffaSuccess(1), success])
    #expect(try d.partitions(uuid: .mmVariable, buffers: FakeBuffers(rx: descriptorBytes([mmInfo], stride: 8))).count == 1)
    #expect(d.conduit.calls == [infoGet(mmWords, countOnly: false), release])
}

@Test func uBootGetpartFindsTheMMPartition() throws {
    // `armffa getpart 33d532ed-e699-0942-c09c-a798d9cd722d`: the SPMC answers only the right words.
    let uuid = try #require(UUIDText.parseUBoot(ascii("33d532ed-e699-0942-c09c-a798d9cd722d")))
    var d = try mapped()
    d.conduit.respond = { call in
        switch call.w(0) {
        case FFAFunction.FFA_FEATURES: return failure(.notSupported)
        case FFAFunction.FFA_PARTITION_INFO_GET:
            let words = (call.x1, call.x2, call.x3, call.x4)
            return words == mmWords ? .ffaSuccess(1, 24) : failure(.invalidParameters)
        default: return success
        }
    }
    let list = try d.partitions(uuid: uuid, buffers: FakeBuffers(rx: descriptorBytes([mmInfo], stride: 24)))
    #expect(list.map(\.id) == [0x8001])
}
