import Testing
import MM
@testable import Variables
import TestSupport

/// Checks the promises of one answer: a transport fault writes nothing back; anything else is a
/// well-formed response no longer than the request, with MessageLength = its own length.
func checkAnswer(request: [UInt8], answer: (response: [UInt8], mmReturn: MMReturnCode)) -> Bool {
    guard answer.mmReturn == .success else { return answer.response.isEmpty }
    guard answer.response.count <= request.count,
          let frame = try? SMMVariableFrame(parsing: answer.response),
          Int(frame.communicateHeader.messageLength) + 24 == answer.response.count,
          let decoded = try? SMMVariableResponse(decoding: answer.response) else { return false }
    return decoded.encoded == answer.response
}

/// Valid requests to mutate: one of each served function.
func seedRequests() -> [[UInt8]] {
    let n = ucs("Var")
    let requests: [SMMVariableRequest] = [
        .setVariable(SetVariableRequest(guid: storeVendor, name: n, attributes: NV | BS | RT, data: [1, 2, 3])),
        .setVariable(SetVariableRequest(guid: storeVendor, name: n, attributes: BS | APPEND, data: [4])),
        .getVariable(GetVariableRequest(guid: storeVendor, name: n, dataSize: 8)),
        .getNextVariableName(.first(nameBufferSize: 16)),
        .getNextVariableName(GetNextVariableNameRequest(guid: storeVendor, previousName: n, nameBufferSize: 16)),
        .queryVariableInfo(QueryVariableInfoMessage(attributes: NV | BS)),
        .varCheckVariablePropertySet(VarCheckPropertyMessage(guid: storeVendor, name: n,
            property: VarCheckVariableProperty(property: 0, attributes: 0, minSize: 0, maxSize: 100))),
        .varCheckVariablePropertyGet(VarCheckPropertyMessage(guid: storeVendor, name: n)),
        .getPayloadSize, .readyToBoot, .exitBootService,
    ]
    return requests.map { $0.encoded }
}

@Test func randomBuffersNeverTrapAndAlwaysGetAWellFormedAnswer() {
    var rng = SplitMix64(seed: 0x5EED)
    var h = MMVariableHandler(store: makeStore(), bufferSize: 4096)
    var answered = 0, faults = 0
    for _ in 0..<3000 {
        let request = rng.bytes(rng.below(300))
        let answer = h.handle(request: request)
        #expect(checkAnswer(request: request, answer: answer))
        if answer.mmReturn == .success { answered += 1 } else { faults += 1 }
    }
    #expect(faults > 0)  // almost every raw buffer has the wrong GUID
}

@Test func randomPayloadsBehindValidHeadersNeverTrap() {
    var rng = SplitMix64(seed: 0xFEED)
    var h = MMVariableHandler(store: makeStore(), bufferSize: 4096)
    var statuses: [UInt64] = []
    for _ in 0..<3000 {
        let payload = rng.bytes(rng.below(200))
        let function = UInt64(rng.below(16))
        var request = SMMVariableFrame.frame(function: function, returnStatus: .success, payload: payload)
        if rng.below(4) == 0 { request.append(contentsOf: rng.bytes(rng.below(64))) }  // slack after the message
        let answer = h.handle(request: request)
        #expect(answer.mmReturn == .success)
        #expect(checkAnswer(request: request, answer: answer))
        if let r = try? SMMVariableResponse(decoding: answer.response), !statuses.contains(r.status.rawValue) {
            statuses.append(r.status.rawValue)
        }
    }
    #expect(statuses.contains(EFIStatus.accessDenied.rawValue) && statuses.contains(EFIStatus.unsupported.rawValue))
}

@Test func mutatedValidRequestsNeverTrap() {
    var rng = SplitMix64(seed: 42)
    var h = MMVariableHandler(store: makeStore(), bufferSize: 4096)
    let seeds = seedRequests()
    let sizeFields = [16, 40 + 16, 40 + 24, 40 + 36]  // MessageLength, DataSize, NameSize, attributes…
    var successes = 0
    for i in 0..<4000 {
        var request = seeds[rng.below(seeds.count)]
        switch rng.below(4) {
        case 0:  // flip a few bytes
            for _ in 0..<(1 + rng.below(4)) { let at = rng.below(request.count); request[at] ^= UInt8(truncatingIfNeeded: rng.next() | 1) }
        case 1:  // a size field set to an interesting value
            let at = sizeFields[rng.below(sizeFields.count)]
            let values: [UInt64] = [0, 1, 2, 3, .max, .max - 1, UInt64(Int.max), 1 << 32, UInt64(request.count), rng.next()]
            if at + 8 <= request.count { request.replaceSubrange(at..<(at + 8), with: le8(values[rng.below(values.count)])) }
        case 2:  // truncated
            request = Array(request[0..<rng.below(request.count + 1)])
        default:  // valid
            break
        }
        if i == 3000 { _ = h.store.exitBootServices() }
        let answer = h.handle(request: request)
        #expect(checkAnswer(request: request, answer: answer))
        if answer.mmReturn == .success, let r = try? SMMVariableResponse(decoding: answer.response), r.status == .success { successes += 1 }
    }
    #expect(successes > 100)  // the valid quarter did real work
}

@Test func theFuzzEntryAcceptsAnyBytes() {
    var rng = SplitMix64(seed: 7)
    MMVariableFuzz.run([])
    MMVariableFuzz.run([0xFF, 0xFF])
    for _ in 0..<300 {
        MMVariableFuzz.run(rng.bytes(rng.below(1500)))
    }
    // a corpus-like input: length-prefixed valid requests
    var corpus: [UInt8] = []
    for r in seedRequests() { corpus += [UInt8(r.count & 0xFF), UInt8(r.count >> 8)] + r }
    MMVariableFuzz.run(corpus)
}
