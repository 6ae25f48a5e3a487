import Testing
@testable import MM

let requests: [SMMVariableRequest] = [
    .getVariable(GetVariableRequest(guid: vendor, name: bootName, dataSize: 0)),
    .getVariable(GetVariableRequest(guid: .globalVariable, name: UCS2.fromASCII("X"), dataSize: 300)),
    .getNextVariableName(.first(nameBufferSize: 2)),
    .getNextVariableName(GetNextVariableNameRequest(guid: vendor, previousName: bootName, nameBufferSize: 64)),
    .getNextVariableName(GetNextVariableNameRequest(guid: vendor, nameBuffer: [0x41])),
    .setVariable(SetVariableRequest(guid: vendor, name: bootName, attributes: 7, data: [])),
    .setVariable(SetVariableRequest(guid: vendor, name: bootName, attributes: 0x47, data: [UInt8](repeating: 0x5A, count: 1000))),
    .queryVariableInfo(QueryVariableInfoMessage(attributes: 7)),
    .readyToBoot,
    .exitBootService,
    .varCheckVariablePropertySet(VarCheckPropertyMessage(guid: vendor, name: bootName,
        property: VarCheckVariableProperty(property: 1, attributes: 7, minSize: 1, maxSize: 9))),
    .varCheckVariablePropertyGet(VarCheckPropertyMessage(guid: vendor, name: bootName)),
    .getPayloadSize,
]

@Test(arguments: requests)
func everyRequestRoundTrips(_ request: SMMVariableRequest) throws {
    let bytes = request.encoded
    #expect(try SMMVariableRequest(decoding: bytes) == request)
    let frame = try SMMVariableFrame(parsing: bytes)
    #expect(frame.variableHeader.function == request.function.rawValue)
    #expect(frame.payloadLength == request.payload.count)
}

let responses: [SMMVariableResponse] = [
    SMMVariableResponse(function: .getVariable, status: .success,
        payload: .variable(GetVariableResponse(guid: vendor, name: bootName, attributes: 7, dataSize: 3, data: [1, 2, 3]))),
    SMMVariableResponse(function: .getVariable, status: .bufferTooSmall,
        payload: .variable(GetVariableResponse(guid: vendor, name: bootName, attributes: 7, dataSize: 3, data: []))),
    SMMVariableResponse(function: .getVariable, status: .notFound),
    SMMVariableResponse(function: .getNextVariableName, status: .success,
        payload: .nextVariableName(GetNextVariableNameResponse(guid: vendor, nameSize: 18, name: bootName))),
    SMMVariableResponse(function: .getNextVariableName, status: .bufferTooSmall,
        payload: .nextVariableName(GetNextVariableNameResponse(guid: vendor, nameSize: 18, name: []))),
    SMMVariableResponse(function: .setVariable, status: .writeProtected),
    SMMVariableResponse(function: .queryVariableInfo, status: .success,
        payload: .variableInfo(QueryVariableInfoMessage(maximumVariableStorageSize: 1 << 20,
            remainingVariableStorageSize: 1000, maximumVariableSize: 968, attributes: 7))),
    SMMVariableResponse(function: .readyToBoot, status: .success),
    SMMVariableResponse(function: .exitBootService, status: .success),
    SMMVariableResponse(function: .varCheckVariablePropertySet, status: .accessDenied),
    SMMVariableResponse(function: .varCheckVariablePropertyGet, status: .success,
        payload: .property(VarCheckPropertyMessage(guid: vendor, name: bootName,
            property: VarCheckVariableProperty(property: 1, attributes: 7, minSize: 1, maxSize: 9)))),
    SMMVariableResponse(function: .getPayloadSize, status: .success, payload: .payloadSize(0x2030)),
    SMMVariableResponse(function: 99, status: .unsupported),
]

@Test(arguments: responses)
func everyResponseRoundTrips(_ response: SMMVariableResponse) throws {
    let bytes = response.encoded
    #expect(try SMMVariableResponse(decoding: bytes) == response)
    #expect(bytes.count == 40 + Int(try SMMVariableFrame(parsing: bytes).payloadLength))
}

@Test func everyPayloadRoundTripsAlone() throws {
    let get = GetVariableRequest(guid: vendor, name: bootName, dataSize: 7)
    #expect(try GetVariableRequest(payload: get.encoded) == get)
    let set = SetVariableRequest(guid: vendor, name: bootName, attributes: 3, data: [4, 5])
    #expect(try SetVariableRequest(payload: set.encoded) == set)
    let got = GetVariableResponse(guid: vendor, name: bootName, attributes: 3, dataSize: 2, data: [4, 5])
    #expect(try GetVariableResponse(payload: got.encoded) == got)
    let next = GetNextVariableNameRequest(guid: vendor, previousName: bootName, nameBufferSize: 20)
    #expect(try GetNextVariableNameRequest(payload: next.encoded) == next)
    let nextOut = GetNextVariableNameResponse(guid: vendor, nameSize: 18, name: bootName)
    #expect(try GetNextVariableNameResponse(payload: nextOut.encoded) == nextOut)
    let q = QueryVariableInfoMessage(maximumVariableStorageSize: 1, remainingVariableStorageSize: 2, maximumVariableSize: 3, attributes: 4)
    #expect(try QueryVariableInfoMessage(payload: q.encoded) == q)
    let size = GetPayloadSizeMessage(variablePayloadSize: 99)
    #expect(try GetPayloadSizeMessage(payload: size.encoded) == size)
    let prop = VarCheckPropertyMessage(guid: vendor, name: bootName,
                                       property: VarCheckVariableProperty(revision: 2, property: 0x8001, attributes: 0xFFFF_FFFF, minSize: .max, maxSize: 0))
    #expect(try VarCheckPropertyMessage(payload: prop.encoded) == prop)
}

@Test func requestsForFunctionsNotServedAreUnsupported() {
    for f: UInt64 in [0, 7, 8, 12, 13, 14, 15, .max] {
        let bytes = SMMVariableFrame.frame(function: f, returnStatus: .success, payload: [UInt8](repeating: 0, count: 64))
        #expect(throws: MMDecodeError.unsupportedFunction(f)) { try SMMVariableRequest(decoding: bytes) }
    }
}

@Test func aResponseToASetIgnoresAnyEchoedPayload() throws {
    // EDK2's StMM copies the buffer back at its original size: the request is still there.
    let bytes = SMMVariableFrame.frame(function: 3, returnStatus: .success,
                                       payload: SetVariableRequest(guid: vendor, name: bootName, attributes: 7, data: [1]).encoded)
    #expect(try SMMVariableResponse(decoding: bytes) == SMMVariableResponse(function: .setVariable, status: .success))
}
