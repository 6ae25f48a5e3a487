import Testing
@testable import MM

/// An ACCESS_VARIABLE payload with the given raw fields (NameSize/DataSize as sent, not as sized).
func accessPayload(nameSize: UInt64, dataSize: UInt64, name: [UInt8], tail: [UInt8] = []) -> [UInt8] {
    vendorBytes + le(dataSize, 8) + le(nameSize, 8) + le(7, 4) + name + tail
}

@Test func accessVariableNeedsItsFixed36Bytes() {
    #expect(throws: MMDecodeError.truncatedPayload) { try SetVariableRequest(payload: [UInt8](repeating: 0, count: 35)) }
    #expect(throws: MMDecodeError.truncatedPayload) { try GetVariableRequest(payload: []) }
    #expect(throws: MMDecodeError.truncatedPayload) { try GetVariableResponse(payload: [UInt8](repeating: 0, count: 35)) }
}

@Test func accessVariableNameSizeMustBeWithinThePayload() {
    let p = accessPayload(nameSize: 20, dataSize: 0, name: bootName)  // 18 bytes present
    #expect(throws: MMDecodeError.sizesBeyondPayload) { try SetVariableRequest(payload: p) }
    let huge = accessPayload(nameSize: .max, dataSize: 0, name: bootName)
    #expect(throws: MMDecodeError.sizesBeyondPayload) { try SetVariableRequest(payload: huge) }
}

@Test func accessVariableDataSizeMustBeWithinThePayloadWithoutOverflow() {
    let p = accessPayload(nameSize: 18, dataSize: 3, name: bootName, tail: [1, 2])
    #expect(throws: MMDecodeError.sizesBeyondPayload) { try SetVariableRequest(payload: p) }
    #expect(throws: MMDecodeError.sizesBeyondPayload) { try GetVariableRequest(payload: p) }
    // 36 + NameSize + DataSize wraps to a small number in 64 bits
    let wrap = accessPayload(nameSize: 18, dataSize: UInt64.max - 36 - 18 + 3, name: bootName, tail: [1, 2, 3])
    #expect(throws: MMDecodeError.sizesBeyondPayload) { try SetVariableRequest(payload: wrap) }
    #expect(throws: MMDecodeError.sizesBeyondPayload) { try GetVariableRequest(payload: wrap) }
}

@Test func accessVariableNameMustBeATerminatedEvenSizedString() {
    #expect(throws: MMDecodeError.nameSizeTooSmall) { try SetVariableRequest(payload: accessPayload(nameSize: 0, dataSize: 0, name: [])) }
    #expect(throws: MMDecodeError.nameSizeTooSmall) { try SetVariableRequest(payload: accessPayload(nameSize: 1, dataSize: 0, name: [0])) }
    #expect(throws: MMDecodeError.nameSizeOdd) { try SetVariableRequest(payload: accessPayload(nameSize: 3, dataSize: 0, name: [0x41, 0, 0])) }
    #expect(throws: MMDecodeError.nameNotTerminated) {
        try SetVariableRequest(payload: accessPayload(nameSize: 4, dataSize: 0, name: [0x41, 0, 0x42, 0]))
    }
    #expect(throws: MMDecodeError.nameNotTerminated) {
        try GetVariableResponse(payload: accessPayload(nameSize: 4, dataSize: 0, name: [0x41, 0, 0, 0x42]))
    }
}

@Test func accessVariableMayHaveSpareBytesAfterTheData() throws {
    // U-Boot sizes with sizeof (40), leaving spare bytes after the data.
    let p = accessPayload(nameSize: 18, dataSize: 1, name: bootName, tail: [9, 0, 0, 0, 0])
    let r = try SetVariableRequest(payload: p)
    #expect(r.data == [9] && r.name == bootName && r.attributes == 7)
}

@Test func getVariableResponseDataOnlyWhenItIsThere() throws {
    let full = try GetVariableResponse(payload: accessPayload(nameSize: 18, dataSize: 2, name: bootName, tail: [5, 6, 7]))
    #expect(full.data == [5, 6] && full.dataSize == 2)
    let needed = try GetVariableResponse(payload: accessPayload(nameSize: 18, dataSize: 4, name: bootName, tail: [5, 6, 7]))
    #expect(needed.data.isEmpty && needed.dataSize == 4)
}

@Test func getNextVariableNameRequestOnlyBoundsTheNameSize() throws {
    #expect(throws: MMDecodeError.truncatedPayload) { try GetNextVariableNameRequest(payload: [UInt8](repeating: 0, count: 23)) }
    #expect(throws: MMDecodeError.sizesBeyondPayload) { try GetNextVariableNameRequest(payload: vendorBytes + le(5, 8) + [0, 0, 0, 0]) }
    #expect(throws: MMDecodeError.sizesBeyondPayload) { try GetNextVariableNameRequest(payload: vendorBytes + le(.max, 8) + [0, 0]) }
    // odd sizes and missing terminators are the store's to judge (EFI_INVALID_PARAMETER)
    let odd = try GetNextVariableNameRequest(payload: vendorBytes + le(3, 8) + [0x41, 0, 0x42, 0])
    #expect(odd.nameBuffer == [0x41, 0, 0x42] && odd.guid == vendor)
}

@Test func getNextVariableNameResponseChecksAReturnedName() throws {
    #expect(throws: MMDecodeError.nameNotTerminated) { try GetNextVariableNameResponse(payload: vendorBytes + le(2, 8) + [0x41, 0]) }
    #expect(throws: MMDecodeError.nameSizeOdd) { try GetNextVariableNameResponse(payload: vendorBytes + le(3, 8) + [0, 0, 0]) }
    let needed = try GetNextVariableNameResponse(payload: vendorBytes + le(64, 8) + [0, 0])
    #expect(needed.nameSize == 64 && needed.name.isEmpty)
}

@Test func queryVariableInfoNeedsAll32Bytes() {
    #expect(throws: MMDecodeError.truncatedPayload) { try QueryVariableInfoMessage(payload: [UInt8](repeating: 0, count: 28)) }
    #expect(throws: MMDecodeError.truncatedPayload) { try GetPayloadSizeMessage(payload: [1, 2, 3, 4, 5, 6, 7]) }
}

@Test func varCheckMessageChecksItsName() {
    let fixed = vendorBytes + le(4, 8) + [UInt8](repeating: 0, count: 24)
    #expect(throws: MMDecodeError.truncatedPayload) { try VarCheckPropertyMessage(payload: Array(fixed[0..<47])) }
    #expect(throws: MMDecodeError.sizesBeyondPayload) { try VarCheckPropertyMessage(payload: fixed + [0x41, 0]) }
    #expect(throws: MMDecodeError.nameNotTerminated) { try VarCheckPropertyMessage(payload: fixed + [0x41, 0, 0x41, 0]) }
    var odd = fixed + [0, 0, 0]
    odd.putLE64(3, at: 16)
    #expect(throws: MMDecodeError.nameSizeOdd) { try VarCheckPropertyMessage(payload: odd) }
    var none = fixed
    none.putLE64(0, at: 16)
    #expect(throws: MMDecodeError.nameSizeTooSmall) { try VarCheckPropertyMessage(payload: none) }
}

@Test func decodersRejectSpansOutsideTheBuffer() {
    let p = SetVariableRequest(guid: vendor, name: bootName, attributes: 7, data: [1]).encoded
    #expect(throws: MMDecodeError.truncatedPayload) { try SetVariableRequest(decoding: p, at: 1, length: p.count) }
    #expect(throws: MMDecodeError.truncatedPayload) { try SetVariableRequest(decoding: p, at: -1, length: 40) }
    #expect(throws: MMDecodeError.truncatedPayload) { try SetVariableRequest(decoding: p, at: Int.max, length: 40) }
    #expect(throws: MMDecodeError.truncatedPayload) { try SetVariableRequest(decoding: p, at: 0, length: -5) }
}

@Test func decodingAtAnOffsetReadsOnlyThatSpan() throws {
    let p = SetVariableRequest(guid: vendor, name: bootName, attributes: 7, data: [1, 2]).encoded
    let r = try SetVariableRequest(decoding: [0xFF, 0xFF] + p + [0xFF], at: 2, length: p.count)
    #expect(r.data == [1, 2])
    #expect(throws: MMDecodeError.sizesBeyondPayload) { try SetVariableRequest(decoding: [0xFF, 0xFF] + p, at: 2, length: p.count - 1) }
}
