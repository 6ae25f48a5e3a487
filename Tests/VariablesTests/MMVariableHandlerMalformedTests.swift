import Testing
import MM
@testable import Variables

/// A whole buffer for `function` with `payload` as given (no checks).
func rawRequest(_ function: UInt64, _ payload: [UInt8]) -> [UInt8] {
    SMMVariableFrame.frame(function: function, returnStatus: .success, payload: payload)
}

/// The ReturnStatus of the answer to a buffer that passed the transport checks.
func answerStatus(_ request: [UInt8]) -> EFIStatus? {
    var h = makeHandler()
    let (response, code) = h.handle(request: request)
    guard code == .success, response.count == 40, let r = try? SMMVariableResponse(decoding: response) else { return nil }
    return r.status
}

func accessBytes(nameSize: UInt64, dataSize: UInt64, name: [UInt8], tail: [UInt8] = []) -> [UInt8] {
    storeVendor.bytes + le8(dataSize) + le8(nameSize) + [7, 0, 0, 0] + name + tail
}

@Test func transportFaultsAreMMReturnCodesWithNothingWrittenBack() {
    var h = makeHandler()
    let good = SMMVariableRequest.getPayloadSize.encoded
    #expect(h.handle(request: []) == ([], .invalidParameter))
    #expect(h.handle(request: Array(good[0..<23])) == ([], .invalidParameter))
    var beyond = good
    beyond.replaceSubrange(16..<24, with: le8(25))  // 24 + 25 > 48
    #expect(h.handle(request: beyond) == ([], .invalidParameter))
    var huge = good
    huge.replaceSubrange(16..<24, with: le8(.max))
    #expect(h.handle(request: huge) == ([], .invalidParameter))
    var wrapping = good
    wrapping.replaceSubrange(16..<24, with: le8(UInt64.max - 23))  // 24 + length wraps to 0
    #expect(h.handle(request: wrapping) == ([], .invalidParameter))
    var guid = good
    guid[15] ^= 0xFF
    #expect(h.handle(request: guid) == ([], .notSupported))
    var short = good
    short.replaceSubrange(16..<24, with: le8(15))
    #expect(h.handle(request: short) == ([], .denied))
}

@Test func truncatedPayloadsAreAccessDenied() {
    #expect(answerStatus(rawRequest(1, [UInt8](repeating: 0, count: 35))) == .accessDenied)
    #expect(answerStatus(rawRequest(2, [UInt8](repeating: 0, count: 23))) == .accessDenied)
    #expect(answerStatus(rawRequest(3, [UInt8](repeating: 0, count: 35))) == .accessDenied)
    #expect(answerStatus(rawRequest(4, [UInt8](repeating: 0, count: 28))) == .accessDenied)  // a packed QUERY_INFO
    #expect(answerStatus(rawRequest(9, [UInt8](repeating: 0, count: 47))) == .accessDenied)
    #expect(answerStatus(rawRequest(10, [UInt8](repeating: 0, count: 47))) == .accessDenied)
    #expect(answerStatus(rawRequest(11, [UInt8](repeating: 0, count: 7))) == .accessDenied)
    #expect(answerStatus(rawRequest(11, [])) == .accessDenied)
}

@Test func oddNameSizesAreAccessDenied() {
    #expect(answerStatus(rawRequest(3, accessBytes(nameSize: 3, dataSize: 0, name: [0x41, 0, 0]))) == .accessDenied)
    #expect(answerStatus(rawRequest(1, accessBytes(nameSize: 5, dataSize: 0, name: [0x41, 0, 0, 0, 0]))) == .accessDenied)
}

@Test func hugeNameSizesAreAccessDenied() {
    for size: UInt64 in [20, 0x1_0000, .max, .max - 35] {
        #expect(answerStatus(rawRequest(3, accessBytes(nameSize: size, dataSize: 0, name: ucs("A")))) == .accessDenied)
        #expect(answerStatus(rawRequest(1, accessBytes(nameSize: size, dataSize: 0, name: ucs("A")))) == .accessDenied)
        #expect(answerStatus(rawRequest(2, storeVendor.bytes + le8(size) + [0, 0])) == .accessDenied)
        #expect(answerStatus(rawRequest(10, storeVendor.bytes + le8(size) + [UInt8](repeating: 0, count: 26))) == .accessDenied)
    }
}

@Test func overflowingDataSizesAreAccessDenied() {
    for size: UInt64 in [2, .max, .max - 36 - 4 + 1, UInt64(Int.max)] {
        #expect(answerStatus(rawRequest(3, accessBytes(nameSize: 4, dataSize: size, name: ucs("A"), tail: [1]))) == .accessDenied)
        #expect(answerStatus(rawRequest(1, accessBytes(nameSize: 4, dataSize: size, name: ucs("A"), tail: [1]))) == .accessDenied)
    }
}

@Test func unterminatedNamesAreAccessDenied() {
    #expect(answerStatus(rawRequest(3, accessBytes(nameSize: 4, dataSize: 0, name: [0x41, 0, 0x42, 0]))) == .accessDenied)
    #expect(answerStatus(rawRequest(1, accessBytes(nameSize: 2, dataSize: 0, name: [0x41, 0]))) == .accessDenied)
    let prop = storeVendor.bytes + le8(4) + [UInt8](repeating: 0, count: 24) + [0x41, 0, 0x42, 0]
    #expect(answerStatus(rawRequest(9, prop)) == .accessDenied)
    #expect(answerStatus(rawRequest(10, prop)) == .accessDenied)
}

@Test func zeroNameSizesAreAccessDenied() {
    #expect(answerStatus(rawRequest(3, accessBytes(nameSize: 0, dataSize: 0, name: []))) == .accessDenied)
    #expect(answerStatus(rawRequest(9, storeVendor.bytes + le8(0) + [UInt8](repeating: 0, count: 24))) == .accessDenied)
}

@Test func aMalformedRequestChangesNothing() {
    var h = makeHandler()
    // DataSize one beyond the bytes present: the variable must not be created
    _ = h.handle(request: rawRequest(3, accessBytes(nameSize: 4, dataSize: 2, name: ucs("A"), tail: [1])))
    #expect(h.store.getVariable(name: ucs("A"), guid: storeVendor, dataSize: 8).status == .notFound)
}
