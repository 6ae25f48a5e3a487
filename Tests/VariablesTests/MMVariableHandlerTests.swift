import Testing
import MM
@testable import Variables

func makeHandler(bufferSize: Int = MMVariableService.sharedBufferSize) -> MMVariableHandler<InMemoryPersistence> {
    MMVariableHandler(store: makeStore(), bufferSize: bufferSize)
}

/// Sends `request` and decodes the answer, checking the promises every answer keeps.
func exchange<P>(_ h: inout MMVariableHandler<P>, _ request: SMMVariableRequest) throws -> SMMVariableResponse {
    let bytes = request.encoded
    let (response, code) = h.handle(request: bytes)
    #expect(code == .success)
    #expect(response.count <= bytes.count)
    let frame = try SMMVariableFrame(parsing: response)
    #expect(Int(frame.communicateHeader.messageLength) + 24 == response.count)  // MessageLength rewritten
    #expect(frame.variableHeader.function == request.function.rawValue)
    return try SMMVariableResponse(decoding: response)
}

@Test func payloadSizeIsChosenFromTheLargestVariableAndFitsTheBuffer() {
    #expect(MMVariableService.payloadSize(maximumVariableSize: 512, bufferSize: 0x10000) == 512 + 48)
    #expect(MMVariableService.payloadSize(maximumVariableSize: 0, bufferSize: 0x10000) == 72)
    #expect(MMVariableService.payloadSize(maximumVariableSize: 0x10000, bufferSize: 0x10000) == 0x10000 - 40)
    #expect(MMVariableService.payloadSize(maximumVariableSize: .max, bufferSize: 0x10000) == 0x10000 - 40)
    #expect(MMVariableService.payloadSize(maximumVariableSize: 100, bufferSize: 130) == 90)
}

@Test func getPayloadSizeAnswersAtLeast72() throws {
    var h = makeHandler()
    let r = try exchange(&h, .getPayloadSize)
    #expect(r == SMMVariableResponse(function: .getPayloadSize, status: .success, payload: .payloadSize(512 + 48)))
    // U-Boot: at least sizeof(smm_variable_access) + 0x20, then uses it minus 2
    #expect(h.payloadSize >= 72 && h.payloadSize - 2 >= 36 + 512)
}

@Test func setGetListAndDeleteThroughMessages() throws {
    var h = makeHandler()
    let name = ucs("Boot0001")
    var r = try exchange(&h, .setVariable(SetVariableRequest(guid: storeVendor, name: name, attributes: NV | BS | RT, data: [1, 2, 3])))
    #expect(r == SMMVariableResponse(function: .setVariable, status: .success))
    r = try exchange(&h, .getVariable(GetVariableRequest(guid: storeVendor, name: name, dataSize: 16)))
    #expect(r == SMMVariableResponse(function: .getVariable, status: .success,
        payload: .variable(GetVariableResponse(guid: storeVendor, name: name, attributes: NV | BS | RT, dataSize: 3, data: [1, 2, 3]))))
    // The served secure-boot state (EFI_GLOBAL_VARIABLE) sorts before storeVendor.
    r = try exchange(&h, .getNextVariableName(.first(nameBufferSize: 64)))
    #expect(r == SMMVariableResponse(function: .getNextVariableName, status: .success,
        payload: .nextVariableName(GetNextVariableNameResponse(guid: .globalVariable, nameSize: 20, name: ucs("AuditMode")))))
    r = try exchange(&h, .getNextVariableName(GetNextVariableNameRequest(guid: .globalVariable, previousName: ucs("VendorKeys"),
                                                                         nameBufferSize: 64)))
    #expect(r == SMMVariableResponse(function: .getNextVariableName, status: .success,
        payload: .nextVariableName(GetNextVariableNameResponse(guid: storeVendor, nameSize: 18, name: name))))
    r = try exchange(&h, .getNextVariableName(GetNextVariableNameRequest(guid: storeVendor, previousName: name, nameBufferSize: 64)))
    #expect(r == SMMVariableResponse(function: .getNextVariableName, status: .notFound))
    r = try exchange(&h, .setVariable(SetVariableRequest(guid: storeVendor, name: name, attributes: NV | BS | RT, data: [])))
    #expect(r.status == .success)
    r = try exchange(&h, .getVariable(GetVariableRequest(guid: storeVendor, name: name, dataSize: 16)))
    #expect(r == SMMVariableResponse(function: .getVariable, status: .notFound))
}

@Test func getWithASmallBufferAnswersTheSizeAndAttributesWithoutData() throws {
    var h = makeHandler()
    _ = try exchange(&h, .setVariable(SetVariableRequest(guid: storeVendor, name: ucs("A"), attributes: BS, data: [1, 2, 3, 4])))
    let bytes = SMMVariableRequest.getVariable(GetVariableRequest(guid: storeVendor, name: ucs("A"), dataSize: 2)).encoded
    let (response, code) = h.handle(request: bytes)
    #expect(code == .success)
    #expect(response.count == 40 + 36 + 4)  // header + name, no data
    #expect(Array(response[32..<40]) == le8(EFIStatus.bufferTooSmall.rawValue))
    #expect(Array(response[56..<64]) == le8(4))           // DataSize = needed
    #expect(Array(response[72..<76]) == [UInt8(BS), 0, 0, 0])  // Attributes filled in
}

@Test func getNextWithASmallBufferAnswersTheSizeNeeded() throws {
    var h = makeHandler()
    _ = try exchange(&h, .setVariable(SetVariableRequest(guid: storeOther, name: ucs("LongName"), attributes: BS, data: [1])))
    let r = try exchange(&h, .getNextVariableName(.first(nameBufferSize: 4)))
    #expect(r == SMMVariableResponse(function: .getNextVariableName, status: .bufferTooSmall,
        payload: .nextVariableName(GetNextVariableNameResponse(guid: .zero, nameSize: 18, name: []))))
}

@Test func getNextWithAnUnterminatedNameIsInvalidParameter() throws {
    var h = makeHandler()
    let r = try exchange(&h, .getNextVariableName(GetNextVariableNameRequest(guid: storeVendor, nameBuffer: [0x41, 0, 0x42, 0])))
    #expect(r.status == .invalidParameter)
}

@Test func queryVariableInfoAnswersTheFiguresAndEchoesTheAttributes() throws {
    var h = makeHandler()
    let r = try exchange(&h, .queryVariableInfo(QueryVariableInfoMessage(attributes: NV | BS | RT)))
    #expect(r == SMMVariableResponse(function: .queryVariableInfo, status: .success,
        payload: .variableInfo(QueryVariableInfoMessage(maximumVariableStorageSize: 4096, remainingVariableStorageSize: 4096,
                                                        maximumVariableSize: 512, attributes: NV | BS | RT))))
    let bad = try exchange(&h, .queryVariableInfo(QueryVariableInfoMessage(attributes: NV)))
    #expect(bad == SMMVariableResponse(function: .queryVariableInfo, status: .invalidParameter))
}

@Test func readyToBootAndExitBootServiceChangeThePhase() throws {
    var h = makeHandler()
    #expect(try exchange(&h, .readyToBoot).status == .success)
    #expect(h.store.readyToBootSignalled)
    #expect(try exchange(&h, .exitBootService).status == .success)
    #expect(h.store.atRuntime)
    #expect(try exchange(&h, .readyToBoot).status == .unsupported)
}

@Test func variablePropertiesThroughMessages() throws {
    var h = makeHandler()
    let name = ucs("RO")
    let p = VarCheckVariableProperty(property: VarCheckVariableProperty.readOnly, attributes: NV | BS | RT, minSize: 1, maxSize: 4)
    var r = try exchange(&h, .varCheckVariablePropertyGet(VarCheckPropertyMessage(guid: storeVendor, name: name)))
    #expect(r == SMMVariableResponse(function: .varCheckVariablePropertyGet, status: .notFound))
    r = try exchange(&h, .varCheckVariablePropertySet(VarCheckPropertyMessage(guid: storeVendor, name: name, property: p)))
    #expect(r.status == .success)
    r = try exchange(&h, .varCheckVariablePropertyGet(VarCheckPropertyMessage(guid: storeVendor, name: name)))
    #expect(r == SMMVariableResponse(function: .varCheckVariablePropertyGet, status: .success,
        payload: .property(VarCheckPropertyMessage(guid: storeVendor, name: name, property: p))))
    r = try exchange(&h, .setVariable(SetVariableRequest(guid: storeVendor, name: name, attributes: NV | BS | RT, data: [1])))
    #expect(r.status == .writeProtected)
    _ = try exchange(&h, .exitBootService)
    r = try exchange(&h, .varCheckVariablePropertySet(VarCheckPropertyMessage(guid: storeVendor, name: name, property: .zero)))
    #expect(r.status == .accessDenied)
}

@Test func functionsNotServedAreUnsupportedWithMMSuccess() throws {
    var h = makeHandler()
    for f: UInt64 in [0, 7, 8, 12, 13, 14, 15, 0x8000_0000_0000_0001] {
        let request = SMMVariableFrame.frame(function: f, returnStatus: .success, payload: [UInt8](repeating: 0, count: 64))
        let (response, code) = h.handle(request: request)
        #expect(code == .success)
        #expect(try SMMVariableResponse(decoding: response) == SMMVariableResponse(function: f, status: .unsupported))
        #expect(response.count == 40)
    }
}

@Test func aRequestLongerThanItsMessageIsAnsweredWithinItsMessage() throws {
    var h = makeHandler()
    var bytes = SMMVariableRequest.getPayloadSize.encoded
    bytes.append(contentsOf: [UInt8](repeating: 0xEE, count: 4000))  // the rest of the shared buffer
    let (response, code) = h.handle(request: bytes)
    #expect(code == .success && response.count == 48)
}

func le8(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
