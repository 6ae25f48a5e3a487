import Testing
import ABI
@testable import Driver

let featuresRXTX = r(FFAFunction.FFA_FEATURES, UInt64(FFAFunction.FFA_RXTX_MAP_64))

@Test(arguments: [(UInt64(0), 4096), (1, 65536), (2, 16384), (0x0010_0000, 4096)])
func mapsTheMinimumSize(property: UInt64, size: Int) throws {
    var d = try probed(then: [.ffaSuccess(property), success])
    let b = FakeBuffers()
    try d.mapRXTX(b)
    #expect(d.conduit.calls == [featuresRXTX,
                                r(FFAFunction.FFA_RXTX_MAP_64, b.txAddress, b.rxAddress, UInt64(size / 4096))])
    #expect(d.rxtx == RXTXMapping(txAddress: b.txAddress, rxAddress: b.rxAddress, size: size))
}

@Test func startIsProbeThenMap() throws {
    var d = FFADriver(conduit: RecordingConduit(probeAnswers() + [.ffaSuccess(0), success]))
    try d.start(buffers: FakeBuffers())
    #expect(d.conduit.calls.count == 5 && Array(d.conduit.calls.prefix(3)) == probeCalls)
    #expect(d.rxtx?.size == 4096)
}

@Test func reservedSizeFieldIsMalformed() throws {
    var d = try probed(then: [.ffaSuccess(3)])
    #expect(throws: FFADriverError.malformedProperties(3)) { try d.mapRXTX(FakeBuffers()) }
    #expect(d.conduit.calls == [featuresRXTX] && d.rxtx == nil)
}

@Test func mapNotSupported() throws {
    var d = try probed(then: [failure(.notSupported)])
    #expect(throws: FFADriverError.ffa(.notSupported)) { try d.mapRXTX(FakeBuffers()) }
    #expect(d.conduit.calls == [featuresRXTX])
}

@Test func buffersMustFitAndAlign() throws {
    var small = try probed(then: [.ffaSuccess(1)])
    #expect(throws: FFADriverError.rxtxBuffersUnsuitable) { try small.mapRXTX(FakeBuffers(capacity: 0x4000)) }
    var misaligned = try probed(then: [.ffaSuccess(2)])
    #expect(throws: FFADriverError.rxtxBuffersUnsuitable) {
        try misaligned.mapRXTX(FakeBuffers(txAddress: 0x4020_0000, rxAddress: 0x4020_1000))
    }
    var same = try probed(then: [.ffaSuccess(0)])
    #expect(throws: FFADriverError.rxtxBuffersUnsuitable) {
        try same.mapRXTX(FakeBuffers(txAddress: 0x4020_0000, rxAddress: 0x4020_0000))
    }
    var zero = try probed(then: [.ffaSuccess(0)])
    #expect(throws: FFADriverError.rxtxBuffersUnsuitable) { try zero.mapRXTX(FakeBuffers(txAddress: 0)) }
    #expect(small.conduit.calls == [featuresRXTX] && misaligned.conduit.calls == [featuresRXTX])
}

@Test func mapRefused() throws {
    var d = try probed(then: [.ffaSuccess(0), failure(.noMemory)])
    #expect(throws: FFADriverError.ffa(.noMemory)) { try d.mapRXTX(FakeBuffers()) }
    #expect(d.rxtx == nil && d.conduit.calls.count == 2)
}

@Test func mapTwiceIsDeniedLocally() throws {
    var d = try mapped()
    #expect(throws: FFADriverError.ffa(.denied)) { try d.mapRXTX(FakeBuffers()) }
    #expect(d.conduit.calls.isEmpty)
}

@Test func unmapSendsZero() throws {
    var d = try mapped(then: [success])
    try d.unmapRXTX()
    #expect(d.conduit.calls == [r(FFAFunction.FFA_RXTX_UNMAP, 0)])
    #expect(d.rxtx == nil)
    try d.unmapRXTX()  // nothing mapped: no call
    #expect(d.conduit.calls.count == 1)
}

@Test func unmapRefusedKeepsMapping() throws {
    var d = try mapped(then: [failure(.invalidParameters)])
    #expect(throws: FFADriverError.ffa(.invalidParameters)) { try d.unmapRXTX() }
    #expect(d.rxtx != nil)
}

@Test func rxReleaseSendsZero() throws {
    var d = try probed(then: [success])
    try d.rxRelease()
    #expect(d.conduit.calls == [r(FFAFunction.FFA_RX_RELEASE, 0)])
}
