import Testing
import ABI
import MM
import Variables
@testable import Driver

let directReq0 = Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64), 0x8001)

@Test func doorbellSequence() throws {
    let world = FakeSecureWorld(shared: SharedBytes(size: 0x10000), log: EventLog())
    var t = try ffaTransport(world: world)
    let request = SMMVariableRequest.getPayloadSize.encoded
    let answer = try t.communicate(request)
    #expect(world.log.events == [.write(offset: 0, count: 48), .clean(offset: 0, length: 48), .call(directReq0),
                                 .invalidate(offset: 0, length: 48), .read(offset: 0, count: 48)])
    #expect(try SMMVariableResponse(decoding: answer).payload == .payloadSize(UInt64(world.handler.payloadSize)))
}

@Test func offsetGoesInX3() throws {
    let world = FakeSecureWorld(shared: SharedBytes(size: 0x10000), log: EventLog())
    var t = try ffaTransport(world: world, offset: 0x100)
    _ = try t.communicate(SMMVariableRequest.getPayloadSize.encoded)
    var req = directReq0
    req.x3 = 0x100
    #expect(world.log.events.contains(.call(req)))
    #expect(world.log.events.first == .write(offset: 0x100, count: 48))
    #expect(t.bufferSize == 0x10000 - 0x100)
}

@Test func nonZeroMMReturnCodeStops() throws {
    let world = FakeSecureWorld(shared: SharedBytes(size: 0x10000), log: EventLog())
    world.override = { _ in Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64), 0x8001 << 16, 0, 0xFFFF_FFFE) }
    var t = try ffaTransport(world: world)
    #expect(throws: MMTransportError.mmReturn(0xFFFF_FFFE)) { _ = try t.communicate(SMMVariableRequest.getPayloadSize.encoded) }
    // Nothing is read back after a refusal.
    #expect(world.log.events.last == .call(directReq0))
}

@Test func mmReturnComparedOnLow32Bits() throws {
    let world = FakeSecureWorld(shared: SharedBytes(size: 0x10000), log: EventLog())
    world.override = { _ in
        // Serve the request, but leave junk in the upper half of x3.
        let (response, _) = world.handler.handle(request: world.shared.bytes)
        world.shared.bytes.replaceSubrange(0..<response.count, with: response)
        return Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64), 0x8001 << 16, 0, 0xDEAD_BEEF_0000_0000)
    }
    var t = try ffaTransport(world: world)
    let answer = try t.communicate(SMMVariableRequest.getPayloadSize.encoded)
    #expect(try SMMVariableResponse(decoding: answer).status == .success)
}

@Test func ffaFaultsAreCarried() throws {
    let world = FakeSecureWorld(shared: SharedBytes(size: 0x10000), log: EventLog())
    world.override = { _ in .ffaError(.denied) }
    var t = try ffaTransport(world: world)
    #expect(throws: MMTransportError.ffa(.ffa(.denied))) { _ = try t.communicate(SMMVariableRequest.getPayloadSize.encoded) }
}

@Test func successInsteadOfResponseIsAccepted() throws {
    let world = FakeSecureWorld(shared: SharedBytes(size: 0x10000), log: EventLog())
    world.override = { _ in
        let (response, _) = world.handler.handle(request: world.shared.bytes)
        world.shared.bytes.replaceSubrange(0..<response.count, with: response)
        return .ffaSuccess()
    }
    var t = try ffaTransport(world: world)
    let answer = try t.communicate(SMMVariableRequest.getPayloadSize.encoded)
    #expect(try SMMVariableResponse(decoding: answer).status == .success)
}

@Test func responseLongerThanTheRequestIsRefused() throws {
    let world = FakeSecureWorld(shared: SharedBytes(size: 0x10000), log: EventLog())
    world.override = { _ in
        world.shared.bytes.replaceSubrange(16..<24, with: le64(25))  // MessageLength 25 > the request's 24
        return Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64), 0x8001 << 16)
    }
    var t = try ffaTransport(world: world)
    #expect(throws: MMTransportError.malformedResponse) { _ = try t.communicate(SMMVariableRequest.getPayloadSize.encoded) }
}

@Test func hugeMessageLengthIsRefused() throws {
    let world = FakeSecureWorld(shared: SharedBytes(size: 0x10000), log: EventLog())
    world.override = { _ in
        world.shared.bytes.replaceSubrange(16..<24, with: le64(~0))
        return Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64), 0x8001 << 16)
    }
    var t = try ffaTransport(world: world)
    #expect(throws: MMTransportError.malformedResponse) { _ = try t.communicate(SMMVariableRequest.getPayloadSize.encoded) }
}

@Test func changedHeaderGuidIsRefused() throws {
    let world = FakeSecureWorld(shared: SharedBytes(size: 0x10000), log: EventLog())
    world.override = { _ in
        world.shared.bytes[0] ^= 0xFF
        return Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64), 0x8001 << 16)
    }
    var t = try ffaTransport(world: world)
    #expect(throws: MMTransportError.malformedResponse) { _ = try t.communicate(SMMVariableRequest.getPayloadSize.encoded) }
}

@Test func shorterResponseIsCutToItsLength() throws {
    let world = FakeSecureWorld(shared: SharedBytes(size: 0x10000), log: EventLog())
    var t = try ffaTransport(world: world)
    // SET_VARIABLE answers with the headers only.
    let set = SMMVariableRequest.setVariable(SetVariableRequest(guid: .globalVariable, name: boot, attributes: 7, data: [1, 2]))
    let answer = try t.communicate(set.encoded)
    #expect(answer.count == 40)
}

@Test func requestsAreCheckedBeforeTheDoorbell() throws {
    let world = FakeSecureWorld(shared: SharedBytes(size: 64), log: EventLog())
    var t = try ffaTransport(world: world)
    let big = SMMVariableRequest.setVariable(SetVariableRequest(guid: .globalVariable, name: boot, attributes: 7, data: [1]))
    #expect(throws: MMTransportError.messageTooLarge) { _ = try t.communicate(big.encoded) }
    #expect(throws: MMTransportError.malformedRequest) { _ = try t.communicate([1, 2, 3]) }
    var lying = SMMVariableRequest.getPayloadSize.encoded
    lying[16] = 99
    #expect(throws: MMTransportError.malformedRequest) { _ = try t.communicate(lying) }
    #expect(world.log.events.isEmpty)
}

@Test func transportErrorWhenNotProbed() throws {
    let world = FakeSecureWorld(shared: SharedBytes(size: 0x10000), log: EventLog())
    var t = FFAMMTransport(driver: FFADriver(conduit: RecordingConduit()), memory: FakeSharedMemory(storage: world.shared, log: world.log),
                           cache: RecordingCache(log: world.log), partitionID: 0x8001)
    #expect(throws: MMTransportError.ffa(.noFFA(.notProbed))) { _ = try t.communicate(SMMVariableRequest.getPayloadSize.encoded) }
}
