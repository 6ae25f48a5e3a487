import MM
import Variables

/// Entry for fuzzing the partition's request handling with raw bytes (a libFuzzer
/// `LLVMFuzzerTestOneInput` calls `run`). The input is cut into requests, each preceded by a
/// 2-byte little-endian length; a request whose first byte is even gets valid headers written
/// over its first 24 bytes so the payload decoders are reached too. Every answer is checked
/// against the handler's promises; a broken promise traps, which is what a fuzzer reports.
public enum MMVariableFuzz {
    static func makeHandler() -> MMVariableHandler<InMemoryPersistence> {
        MMVariableHandler(
            store: VariableStore(persistence: InMemoryPersistence(capacity: 2048, maximumVariableSize: 256),
                                 limits: VariableStoreLimits(volatileCapacity: 1024, maximumVolatileVariableSize: 128,
                                                             propertyCapacity: 256),
                                 verifier: .standard),  // authenticated writes reach the descriptor and PKCS#7 parsers
            bufferSize: 4096)
    }

    /// A second handler serves each request in place (`handle(message:)`, the partition's path):
    /// its answer must be the array path's, byte for byte.
    public static func run(_ input: [UInt8]) {
        var handler = makeHandler()
        var inPlace = makeHandler()
        var at = 0
        var rounds = 0
        while at + 2 <= input.count && rounds < 64 {
            rounds += 1
            let length = Int(input[at]) | Int(input[at + 1]) << 8
            at += 2
            let end = length <= input.count - at ? at + length : input.count
            var request = Array(input[at..<end])
            at = end
            if let first = request.first, first & 1 == 0, request.count >= MMCommunicateHeader.size {
                MMCommunicateHeader(headerGuid: .smmVariableProtocol,
                                    messageLength: UInt64(request.count - MMCommunicateHeader.size))
                    .encode(into: &request, at: 0)
            }
            let answer = handler.handle(request: request)
            check(request: request, answer: answer)
            let message = UnsafeMutableRawBufferPointer.allocate(byteCount: request.count, alignment: 16)
            defer { message.deallocate() }
            request.withUnsafeBytes { if let from = $0.baseAddress, !request.isEmpty { message.baseAddress!.copyMemory(from: from, byteCount: request.count) } }
            let (count, code) = inPlace.handle(message: message)
            precondition(code == answer.mmReturn, "the in-place path answers another MM return code")
            let bytes = code == .success ? [UInt8](UnsafeRawBufferPointer(rebasing: message[0..<count])) : []
            precondition(bytes == answer.response, "the in-place path answers other bytes")
        }
    }

    static func check(request: [UInt8], answer: (response: [UInt8], mmReturn: MMReturnCode)) {
        guard answer.mmReturn == .success else {
            precondition(answer.response.isEmpty, "a transport fault writes nothing back")
            return
        }
        precondition(answer.response.count <= request.count, "response beyond the request buffer")
        let decoded: SMMVariableResponse
        do throws(MMDecodeError) {
            decoded = try SMMVariableResponse(decoding: answer.response)
        } catch {
            preconditionFailure("the handler wrote a response its own decoder rejects")
        }
        precondition(decoded.encoded == answer.response, "response is not in canonical form")
    }
}
