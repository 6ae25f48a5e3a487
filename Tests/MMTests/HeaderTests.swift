import Testing
@testable import MM

@Test func communicateHeaderIs24BytesGuidThenLength() {
    let h = MMCommunicateHeader(headerGuid: .smmVariableProtocol, messageLength: 0x0102_0304_0506_0708)
    let b = h.encoded
    #expect(MMCommunicateHeader.size == 24)
    #expect(b == [0x33, 0xd5, 0x32, 0xed, 0xe6, 0x99, 0x09, 0x42, 0x9c, 0xc0, 0x2d, 0x72, 0xcd, 0xd9, 0x98, 0xa7]
                 + [8, 7, 6, 5, 4, 3, 2, 1])
}

@Test func communicateHeaderRoundTripsAndChecksItsLength() throws {
    let h = MMCommunicateHeader(headerGuid: vendor, messageLength: 3)
    #expect(try MMCommunicateHeader(decoding: h.encoded + [1, 2, 3]) == h)
    #expect(throws: MMDecodeError.messageBeyondBuffer) { try MMCommunicateHeader(decoding: h.encoded + [1, 2]) }
    #expect(throws: MMDecodeError.truncatedCommunicateHeader) { try MMCommunicateHeader(decoding: Array(h.encoded[0..<23])) }
    let huge = MMCommunicateHeader(headerGuid: vendor, messageLength: .max).encoded
    #expect(throws: MMDecodeError.messageBeyondBuffer) { try MMCommunicateHeader(decoding: huge + [0]) }
    let wraps = MMCommunicateHeader(headerGuid: vendor, messageLength: UInt64.max - 23).encoded
    #expect(throws: MMDecodeError.messageBeyondBuffer) { try MMCommunicateHeader(decoding: wraps) }
}

@Test func variableHeaderIsFunctionThenStatus() throws {
    var b = [UInt8](repeating: 0xEE, count: 20)
    SMMVariableHeader(function: .getPayloadSize, returnStatus: .notFound).encode(into: &b, at: 2)
    #expect(Array(b[2..<18]) == le(11, 8) + le(0x8000_0000_0000_000E, 8))
    #expect(b[0] == 0xEE && b[18] == 0xEE)
    let back = try SMMVariableHeader(decoding: b, at: 2)
    #expect(back.function == 11 && back.returnStatus == .notFound)
    #expect(throws: MMDecodeError.truncatedVariableHeader) { try SMMVariableHeader(decoding: b, at: 5) }
    #expect(throws: MMDecodeError.truncatedVariableHeader) { try SMMVariableHeader(decoding: b, at: -1) }
}

@Test func functionNumbersAndNamesAreEDK2s() {
    let names = ["GET_VARIABLE", "GET_NEXT_VARIABLE_NAME", "SET_VARIABLE", "QUERY_VARIABLE_INFO", "READY_TO_BOOT",
                 "EXIT_BOOT_SERVICE", "GET_STATISTICS", "LOCK_VARIABLE", "VAR_CHECK_VARIABLE_PROPERTY_SET",
                 "VAR_CHECK_VARIABLE_PROPERTY_GET", "GET_PAYLOAD_SIZE", "INIT_RUNTIME_VARIABLE_CACHE_CONTEXT",
                 "SYNC_RUNTIME_CACHE", "GET_RUNTIME_CACHE_INFO"]
    #expect(SMMVariableFunction.allCases.count == 14)
    for (i, f) in SMMVariableFunction.allCases.enumerated() {
        #expect(f.rawValue == UInt64(i + 1))
        #expect(f.name.description == "SMM_VARIABLE_FUNCTION_" + names[i])
    }
}

@Test func frameParsesTheHeadersOfAWholeBuffer() throws {
    let buffer = SMMVariableFrame.frame(function: 3, returnStatus: .success, payload: [9, 9, 9])
    #expect(buffer.count == 43 && SMMVariableFrame.payloadOffset == 40)
    #expect(Array(buffer[16..<24]) == le(19, 8))
    let f = try SMMVariableFrame(parsing: buffer + [0, 0])  // trailing bytes beyond MessageLength are ignored
    #expect(f.payloadLength == 3 && f.variableHeader.function == 3 && f.communicateHeader.messageLength == 19)
}

@Test func frameRejectsTransportFaults() {
    let good = SMMVariableFrame.frame(function: 1, returnStatus: .success, payload: [])
    var wrongGuid = good
    wrongGuid[0] ^= 1
    #expect(throws: MMDecodeError.unknownHeaderGuid(EFIGuid(bytes: wrongGuid, at: 0)!)) { try SMMVariableFrame(parsing: wrongGuid) }
    var short = good
    short.putLE64(15, at: 16)
    #expect(throws: MMDecodeError.truncatedVariableHeader) { try SMMVariableFrame(parsing: short) }
    var long = good
    long.putLE64(17, at: 16)
    #expect(throws: MMDecodeError.messageBeyondBuffer) { try SMMVariableFrame(parsing: long) }
    #expect(throws: MMDecodeError.truncatedCommunicateHeader) { try SMMVariableFrame(parsing: []) }
}

@Test func decodeErrorsMapToTheWireInOnePlace() {
    #expect(MMDecodeError.truncatedCommunicateHeader.mmReturnCode == .invalidParameter)
    #expect(MMDecodeError.messageBeyondBuffer.mmReturnCode == .invalidParameter)
    #expect(MMDecodeError.unknownHeaderGuid(.zero).mmReturnCode == .notSupported)
    #expect(MMDecodeError.truncatedVariableHeader.mmReturnCode == .denied)
    let inMessage: [MMDecodeError] = [.unsupportedFunction(7), .truncatedPayload, .sizesBeyondPayload,
                                      .nameSizeTooSmall, .nameSizeOdd, .nameNotTerminated]
    for e in inMessage { #expect(e.mmReturnCode == .success) }
    #expect(MMDecodeError.unsupportedFunction(99).returnStatus == .unsupported)
    for e in inMessage.dropFirst() { #expect(e.returnStatus == .accessDenied) }
}
