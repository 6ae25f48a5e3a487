import Testing
import MM
import Variables
@testable import Driver

@Test func initializeAsksPayloadSizeFirst() {
    var c = VariableClient(transport: ScriptedTransport { _ throws(MMTransportError) in payloadSizeAnswer(0x1000) })
    #expect(c.initialize() == .success)
    #expect(c.transport.sent == [headers(function: 11, payloadCount: 8) + le64(0)])
    #expect(c.maximumPayload == 0x1000 - 2)
}

@Test func getVariableBytes() {
    var c = scriptedClient { _ in response(.getVariable, .notFound) }
    #expect(c.getVariable(name: boot, guid: .globalVariable, dataSize: 8).status == .notFound)
    let payload = globalGuidBytes + le64(8) + le64(10) + le32(0) + boot + [UInt8](repeating: 0, count: 8)
    #expect(c.transport.sent == [headers(function: 1, payloadCount: 36 + 10 + 8) + payload])
}

@Test func setVariableBytes() {
    var c = scriptedClient { _ in response(.setVariable, .success) }
    #expect(c.setVariable(name: boot, guid: .globalVariable, attributes: 7, data: [0xAA, 0xBB, 0xCC]) == .success)
    let payload = globalGuidBytes + le64(3) + le64(10) + le32(7) + boot + [0xAA, 0xBB, 0xCC]
    #expect(c.transport.sent == [headers(function: 3, payloadCount: 36 + 10 + 3) + payload])
}

@Test func getNextVariableNameBytes() {
    var c = scriptedClient { _ in response(.getNextVariableName, .notFound) }
    #expect(c.getNextVariableName(nameSize: 16, name: boot, guid: .globalVariable).status == .notFound)
    // The previous name, then zeros up to the caller's buffer size.
    let payload = globalGuidBytes + le64(16) + boot + [0, 0, 0, 0, 0, 0]
    #expect(c.transport.sent == [headers(function: 2, payloadCount: 24 + 16) + payload])
}

@Test func firstGetNextVariableNameBytes() {
    var c = scriptedClient { _ in response(.getNextVariableName, .notFound) }
    _ = c.getNextVariableName(nameSize: 4, name: [0, 0], guid: .zero)
    #expect(c.transport.sent == [headers(function: 2, payloadCount: 28) + [UInt8](repeating: 0, count: 16) + le64(4) + [0, 0, 0, 0]])
}

@Test func queryVariableInfoBytes() {
    var c = scriptedClient { _ in response(.queryVariableInfo, .success, QueryVariableInfoMessage(maximumVariableStorageSize: 100,
        remainingVariableStorageSize: 60, maximumVariableSize: 30, attributes: 7).encoded) }
    let info = c.queryVariableInfo(attributes: 7)
    #expect(info == VariableInfoResult(status: .success, maximumVariableStorageSize: 100, remainingVariableStorageSize: 60,
                                       maximumVariableSize: 30))
    #expect(c.transport.sent == [headers(function: 4, payloadCount: 32) + le64(0) + le64(0) + le64(0) + le32(7) + le32(0)])
}

@Test func exitBootServicesBytes() {
    var c = scriptedClient { _ in response(.exitBootService, .success) }
    #expect(c.exitBootServices() == .success)
    #expect(c.transport.sent == [headers(function: 6, payloadCount: 0)])
}

// MARK: local checks

@Test func nothingBeforeInitialize() {
    var c = VariableClient(transport: ScriptedTransport { _ throws(MMTransportError) in [] })
    #expect(c.getVariable(name: boot, guid: .globalVariable, dataSize: 8).status == .notReady)
    #expect(c.setVariable(name: boot, guid: .globalVariable, attributes: 7, data: []) == .notReady)
    #expect(c.getNextVariableName(nameSize: 2, name: [0, 0], guid: .zero).status == .notReady)
    #expect(c.queryVariableInfo(attributes: 7).status == .notReady)
    #expect(c.transport.sent.isEmpty)
}

@Test func payloadSizeBelowSeventyTwoIsAFault() {
    var c = VariableClient(transport: ScriptedTransport { _ throws(MMTransportError) in payloadSizeAnswer(71) })
    #expect(c.initialize() == .deviceError)
    #expect(!c.isInitialized)
}

@Test func payloadSizeAnswerErrors() {
    var refused = VariableClient(transport: ScriptedTransport { _ throws(MMTransportError) in response(.getPayloadSize, .unsupported) })
    #expect(refused.initialize() == .unsupported)
    var empty = VariableClient(transport: ScriptedTransport { _ throws(MMTransportError) in response(.getPayloadSize, .success) })
    #expect(empty.initialize() == .deviceError)
    var wrongFunction = VariableClient(transport: ScriptedTransport { _ throws(MMTransportError) in
        response(.getVariable, .success, GetPayloadSizeMessage(variablePayloadSize: 100).encoded) })
    #expect(wrongFunction.initialize() == .deviceError)
    var unreachable = VariableClient(transport: ScriptedTransport { _ throws(MMTransportError) in throw .ffa(.noFFA(.notProbed)) })
    #expect(unreachable.initialize() == .unsupported)
}

@Test func payloadLimitIsTheAnswerMinusTwo() {
    // GET_PAYLOAD_SIZE 100 → 98 usable: 36 + 10 (name) + 52 data fits, 53 does not.
    var c = scriptedClient(payloadSize: 100) { _ in response(.setVariable, .success) }
    #expect(c.setVariable(name: boot, guid: .globalVariable, attributes: 7, data: [UInt8](repeating: 1, count: 52)) == .success)
    #expect(c.setVariable(name: boot, guid: .globalVariable, attributes: 7, data: [UInt8](repeating: 1, count: 53)) == .invalidParameter)
    #expect(c.transport.sent.count == 1)
}

@Test func payloadLimitIsBoundedByTheBuffer() {
    // A 200-byte buffer leaves 160 bytes of payload, whatever the partition says.
    var c = scriptedClient(payloadSize: 0x1000, bufferSize: 200) { _ in response(.setVariable, .success) }
    #expect(c.maximumPayload == 160)
    #expect(c.setVariable(name: boot, guid: .globalVariable, attributes: 7, data: [UInt8](repeating: 1, count: 115)) == .invalidParameter)
    #expect(c.transport.sent.isEmpty)
}

@Test func bufferTooSmallForAnyPayload() {
    var c = VariableClient(transport: ScriptedTransport(bufferSize: 100) { _ throws(MMTransportError) in payloadSizeAnswer(0x1000) })
    #expect(c.initialize() == .badBufferSize)
}

@Test func getVariableTrimsTheDataBuffer() {
    var c = scriptedClient(payloadSize: 100) { _ in response(.getVariable, .notFound) }
    _ = c.getVariable(name: boot, guid: .globalVariable, dataSize: 1 << 40)
    // 98 − 36 − 10 = 52 bytes of data area, and DataSize says so.
    #expect(c.transport.sent.first?.count == 40 + 98)
    #expect(c.transport.sent.first.map { Array($0[56..<64]) } == le64(52))
}

@Test func namesMustBeTerminatedAndFit() {
    var c = scriptedClient(payloadSize: 72) { _ in response(.getVariable, .notFound) }
    #expect(c.getVariable(name: [0x42, 0], guid: .globalVariable, dataSize: 0).status == .invalidParameter)
    #expect(c.getVariable(name: boot, guid: .globalVariable, dataSize: -1).status == .invalidParameter)
    #expect(c.setVariable(name: [0, 0], guid: .globalVariable, attributes: 7, data: [1]) == .invalidParameter)
    let long = UCS2.fromASCII("ABCDEFGHIJKLMNOPQRSTU")  // 44 bytes: 36 + 44 > 70
    #expect(c.getVariable(name: long, guid: .globalVariable, dataSize: 0).status == .invalidParameter)
    #expect(c.transport.sent.isEmpty)
}

@Test func getNextVariableNameLocalChecks() {
    var c = scriptedClient { _ in response(.getNextVariableName, .notFound) }
    // The previous name is not terminated within the caller's size.
    #expect(c.getNextVariableName(nameSize: 6, name: boot, guid: .globalVariable).status == .invalidParameter)
    #expect(c.getNextVariableName(nameSize: 8, name: [0x41, 0, 0x42, 0], guid: .globalVariable).status == .invalidParameter)
    #expect(c.transport.sent.isEmpty)
}

@Test func namePastTheFirstNulIsNotSent() {
    var c = scriptedClient { _ in response(.setVariable, .success) }
    _ = c.setVariable(name: boot + [0x41, 0, 0, 0], guid: .globalVariable, attributes: 7, data: [])
    #expect(c.transport.sent.first?.count == 40 + 36 + 10)
}

// MARK: decoding answers

@Test func getVariableAnswers() {
    let stored = GetVariableResponse(guid: .globalVariable, name: boot, attributes: 7, dataSize: 3, data: [1, 2, 3])
    var c = scriptedClient { _ in response(.getVariable, .success, stored.encoded) }
    #expect(c.getVariable(name: boot, guid: .globalVariable, dataSize: 8)
            == VariableReadResult(status: .success, attributes: 7, dataSize: 3, data: [1, 2, 3]))
}

@Test func getVariableTooSmallReportsSizeAndAttributes() {
    let small = GetVariableResponse(guid: .globalVariable, name: boot, attributes: 6, dataSize: 300, data: [])
    var c = scriptedClient { _ in response(.getVariable, .bufferTooSmall, small.encoded) }
    #expect(c.getVariable(name: boot, guid: .globalVariable, dataSize: 8)
            == VariableReadResult(status: .bufferTooSmall, attributes: 6, dataSize: 300))
}

@Test func getVariableNonsenseAnswersAreDeviceErrors() {
    // More data than the buffer offered.
    let big = GetVariableResponse(guid: .globalVariable, name: boot, attributes: 7, dataSize: 9, data: [UInt8](repeating: 0, count: 9))
    var over = scriptedClient { _ in response(.getVariable, .success, big.encoded) }
    #expect(over.getVariable(name: boot, guid: .globalVariable, dataSize: 8).status == .deviceError)
    // "Too small" for a size we had room for.
    let fits = GetVariableResponse(guid: .globalVariable, name: boot, attributes: 7, dataSize: 8, data: [])
    var liar = scriptedClient { _ in response(.getVariable, .bufferTooSmall, fits.encoded) }
    #expect(liar.getVariable(name: boot, guid: .globalVariable, dataSize: 8).status == .deviceError)
    // Success without a payload.
    var bare = scriptedClient { _ in response(.getVariable, .success) }
    #expect(bare.getVariable(name: boot, guid: .globalVariable, dataSize: 8).status == .deviceError)
    // Not a message at all.
    var junk = scriptedClient { _ in [1, 2, 3] }
    #expect(junk.getVariable(name: boot, guid: .globalVariable, dataSize: 8).status == .deviceError)
}

@Test func unansweredSentinelComesBack() {
    // A partition that never writes ReturnStatus leaves the sentinel: not success.
    var c = scriptedClient { request in request }
    #expect(c.setVariable(name: boot, guid: .globalVariable, attributes: 7, data: [1]) == .notReady)
}

@Test func getNextVariableNameAnswers() {
    let next = GetNextVariableNameResponse(guid: .smmVariableProtocol, nameSize: 10, name: boot)
    var c = scriptedClient { _ in response(.getNextVariableName, .success, next.encoded) }
    #expect(c.getNextVariableName(nameSize: 64, name: [0, 0], guid: .zero)
            == NextVariableNameResult(status: .success, guid: .smmVariableProtocol, nameSize: 10, name: boot))
    let tooSmall = GetNextVariableNameResponse(guid: .zero, nameSize: 10, name: [])
    var d = scriptedClient { _ in response(.getNextVariableName, .bufferTooSmall, tooSmall.encoded) }
    #expect(d.getNextVariableName(nameSize: 4, name: [0, 0], guid: .zero) == NextVariableNameResult(status: .bufferTooSmall, nameSize: 10))
    var e = scriptedClient { _ in response(.getNextVariableName, .success, next.encoded) }
    #expect(e.getNextVariableName(nameSize: 8, name: [0, 0], guid: .zero).status == .deviceError)
}

@Test func transportFaultsMapToStatuses() {
    var c = scriptedClient { _ in [] }
    c.transport.respond = { _ throws(MMTransportError) in throw .mmReturn(0xFFFF_FFFE) }
    #expect(c.setVariable(name: boot, guid: .globalVariable, attributes: 7, data: [1]) == .invalidParameter)
    c.transport.respond = { _ throws(MMTransportError) in throw .ffa(.ffa(.busy)) }
    #expect(c.setVariable(name: boot, guid: .globalVariable, attributes: 7, data: [1]) == .outOfResources)
}
