import Testing
@testable import MM

// Byte-exact layouts against the offsets of docs/mm-protocol.md (EDK2 SmmVariableCommon.h, AArch64).

@Test func accessVariableHasNameAt36AndDataRightAfter() {
    let set = SetVariableRequest(guid: vendor, name: bootName, attributes: 0x07, data: [0xAA, 0xBB, 0xCC])
    let b = set.encoded
    #expect(b == vendorBytes + le(3, 8) + le(18, 8) + le(7, 4) + bootName + [0xAA, 0xBB, 0xCC])
    #expect(AccessVariableLayout.name == 36 && b.count == 36 + 18 + 3)
}

@Test func getVariableRequestCarriesAZeroDataBuffer() {
    let b = GetVariableRequest(guid: vendor, name: bootName, dataSize: 5).encoded
    #expect(b == vendorBytes + le(5, 8) + le(18, 8) + le(0, 4) + bootName + [0, 0, 0, 0, 0])
}

@Test func getVariableResponseLayout() {
    let ok = GetVariableResponse(guid: vendor, name: bootName, attributes: 6, dataSize: 2, data: [1, 2])
    #expect(ok.encoded == vendorBytes + le(2, 8) + le(18, 8) + le(6, 4) + bootName + [1, 2])
    let small = GetVariableResponse(guid: vendor, name: bootName, attributes: 6, dataSize: 300, data: [])
    #expect(small.encoded == vendorBytes + le(300, 8) + le(18, 8) + le(6, 4) + bootName)
}

@Test func getNextVariableNameHasNameAt24() {
    let req = GetNextVariableNameRequest(guid: vendor, previousName: UCS2.fromASCII("A"), nameBufferSize: 8)
    #expect(req.encoded == vendorBytes + le(8, 8) + [0x41, 0, 0, 0, 0, 0, 0, 0])
    let first = GetNextVariableNameRequest.first(nameBufferSize: 4)
    #expect(first.encoded == [UInt8](repeating: 0, count: 16) + le(4, 8) + [0, 0, 0, 0])
    let resp = GetNextVariableNameResponse(guid: vendor, nameSize: 4, name: [0x41, 0, 0, 0])
    #expect(resp.encoded == vendorBytes + le(4, 8) + [0x41, 0, 0, 0])
    let needed = GetNextVariableNameResponse(guid: vendor, nameSize: 40, name: [])
    #expect(needed.encoded == vendorBytes + le(40, 8))
}

@Test func queryVariableInfoIs32BytesWithAttributesAt24() {
    let q = QueryVariableInfoMessage(maximumVariableStorageSize: 0x11, remainingVariableStorageSize: 0x22,
                                     maximumVariableSize: 0x33, attributes: 0x07)
    #expect(q.encoded == le(0x11, 8) + le(0x22, 8) + le(0x33, 8) + le(7, 4) + [0, 0, 0, 0])
}

@Test func getPayloadSizeIsOneWord() {
    #expect(GetPayloadSizeMessage(variablePayloadSize: 0x1234).encoded == le(0x1234, 8))
}

@Test func varCheckPropertyIs24BytesAndTheMessageHasNameAt48() {
    let p = VarCheckVariableProperty(property: VarCheckVariableProperty.readOnly, attributes: 7, minSize: 1, maxSize: 0x100)
    let m = VarCheckPropertyMessage(guid: vendor, name: bootName, property: p)
    let b = m.encoded
    #expect(b == vendorBytes + le(18, 8) + le(1, 2) + le(1, 2) + le(7, 4) + le(1, 8) + le(0x100, 8) + bootName)
    #expect(VarCheckPropertyMessage.Layout.name == 48 && VarCheckVariableProperty.size == 24)
    #expect(p.isReadOnly && !VarCheckVariableProperty.zero.isReadOnly)
}

@Test func wholeRequestPutsThePayloadAt40() {
    let b = SMMVariableRequest.setVariable(SetVariableRequest(guid: vendor, name: bootName, attributes: 7, data: [1])).encoded
    #expect(Array(b[0..<16]) == EFIGuid.smmVariableProtocol.bytes)
    #expect(Array(b[16..<24]) == le(16 + 36 + 18 + 1, 8))
    #expect(Array(b[24..<32]) == le(3, 8))
    #expect(Array(b[32..<40]) == le(EFIStatus.notReady.rawValue, 8))  // not success until answered
    #expect(Array(b[40..<56]) == vendorBytes)
    #expect(b.count == 40 + 36 + 18 + 1)
    let none = SMMVariableRequest.exitBootService.encoded
    #expect(none.count == 40 && Array(none[16..<24]) == le(16, 8) && Array(none[24..<32]) == le(6, 8))
    let size = SMMVariableRequest.getPayloadSize.encoded
    #expect(size.count == 48 && Array(size[24..<32]) == le(11, 8))
}
