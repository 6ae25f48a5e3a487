import Testing
import MM
@testable import Variables
import TestSupport

// The partition's in-place path (`handle(message:)`) against the array path (`handle(request:)`)
// on the flash log: SetVariable's same-size update (written from the message, no array) and
// GetNextVariableName (read and answered where the message lies).

private let vendor = EFIGuid(0x1234_5678, 0x9abc, 0xdef0, (1, 2, 3, 4, 5, 6, 7, 8))

private func handler(_ f: RAMFlash) throws -> MMVariableHandler<FlashVariableLog<RAMFlash>> {
    let log = try FlashVariableLog(flash: f, maximumVariableSize: 512)
    return MMVariableHandler(store: VariableStore(persistence: log), bufferSize: 4096)
}

/// `request` served in place, from a copy at an 8-aligned address + 4 (names then sit at 4-aligned
/// addresses, as in the partition's copy); the answer's bytes.
private func inPlace<P>(_ h: inout MMVariableHandler<P>, _ request: SMMVariableRequest) -> [UInt8] {
    let bytes = request.encoded
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count + 4, alignment: 16)
    defer { buffer.deallocate() }
    let message = UnsafeMutableRawBufferPointer(rebasing: buffer[4...])
    bytes.withUnsafeBytes { message.copyMemory(from: $0) }
    let (count, code) = h.handle(message: message)
    #expect(code == .success)
    return [UInt8](UnsafeRawBufferPointer(rebasing: message[0..<count]))
}

private func set(_ name: StaticString, _ data: [UInt8], guid: EFIGuid = vendor, attributes: UInt32 = 7) -> SMMVariableRequest {
    .setVariable(SetVariableRequest(guid: guid, name: UCS2.fromASCII(name), attributes: attributes, data: data))
}

private func status(_ answer: [UInt8]) -> EFIStatus? { (try? SMMVariableResponse(decoding: answer))?.status }

@Test func aSameSizeUpdateIsWrittenFromTheMessageAndSurvivesARemount() throws {
    let f = RAMFlash(blockCount: 4, eraseBlockSize: 4096)
    var h = try handler(f)
    #expect(status(inPlace(&h, set("Counter", [1, 2, 3, 4]))) == .success)
    let before = h.store.persistence.statistics.recordsWritten
    let held = h.store.persistence.variable(guid: vendor, name: UCS2.fromASCII("Counter"))!.data
    #expect(status(inPlace(&h, set("Counter", [5, 6, 7, 8]))) == .success)
    #expect(h.store.persistence.statistics.recordsWritten == before + 1)
    // The value the store held is untouched: the update went into the index's own array.
    #expect(held == [1, 2, 3, 4])
    #expect(h.store.getVariable(name: UCS2.fromASCII("Counter"), guid: vendor, dataSize: 16).data == [5, 6, 7, 8])
    // The same value again writes nothing, and answers EFI_SUCCESS.
    #expect(status(inPlace(&h, set("Counter", [5, 6, 7, 8]))) == .success)
    #expect(h.store.persistence.statistics.recordsWritten == before + 1)
    let again = try FlashVariableLog(flash: f, maximumVariableSize: 512)
    #expect(again.variable(guid: vendor, name: UCS2.fromASCII("Counter"))?.data == [5, 6, 7, 8])
    #expect(f.misuses == 0)
}

@Test func updatesUntilReclaimKeepEveryValue() throws {
    // Enough same-size updates to fill the small log several times over: each reclaim copies
    // the live records forward and the in-place value stays the latest one.
    let f = RAMFlash(blockCount: 4, eraseBlockSize: 4096)
    var h = try handler(f)
    #expect(status(inPlace(&h, set("Other", [9, 9]))) == .success)
    for k in 0..<600 {
        let v = UInt8(truncatingIfNeeded: k)
        #expect(status(inPlace(&h, set("Counter", [v, v &+ 1, v &+ 2, v &+ 3]))) == .success)
    }
    #expect(h.store.persistence.statistics.reclaims > 0)
    let again = try FlashVariableLog(flash: f, maximumVariableSize: 512)
    let last = UInt8(truncatingIfNeeded: 599)
    #expect(again.variable(guid: vendor, name: UCS2.fromASCII("Counter"))?.data == [last, last &+ 1, last &+ 2, last &+ 3])
    #expect(again.variable(guid: vendor, name: UCS2.fromASCII("Other"))?.data == [9, 9])
}

@Test func theInPlacePathAnswersAsTheArrayPath() throws {
    // Same requests to two handlers over two flashes: answers byte for byte, stores alike.
    let fa = RAMFlash(blockCount: 4, eraseBlockSize: 4096), fb = RAMFlash(blockCount: 4, eraseBlockSize: 4096)
    var a = try handler(fa), b = try handler(fb)
    let global = EFIGuid.globalVariable
    var requests: [SMMVariableRequest] = [
        set("A", [1, 2, 3, 4]), set("A", [4, 3, 2, 1]),            // same size: the in-place path
        set("A", [1, 2]),                                              // another size
        set("A", [7, 7], attributes: 3),                               // other attributes: EFI_INVALID_PARAMETER
        set("B", [1], attributes: 6), set("B", [2], attributes: 7),    // a volatile one, then NV over it
        set("C", [1, 2, 3], attributes: 7), set("C", [3, 2, 1], attributes: 7),
        set("Lang", [0x65, 0x6e, 0x67, 0], guid: global), set("Lang", [0x66, 0x72, 0x61, 0], guid: global),
        set("PlatformLang", [0x65, 0x6e, 0], guid: global, attributes: 7),
        set("D", [1, 2, 3, 4], attributes: 0x27), set("D", [5, 6, 7, 8], attributes: 0x27),  // AT: refused alike
        // Under the GUIDs with defined names: a name with no rule takes the in-place path; the
        // defined ones keep their rules (odd-sized BootOrder, a served name, a key, Boot####).
        set("BenchProfile", [1, 2, 3, 4], guid: global), set("BenchProfile", [4, 3, 2, 1], guid: global),
        set("BootOrder", [1, 0], guid: global, attributes: 7), set("BootOrder", [2, 0], guid: global, attributes: 7),
        set("BootOrder", [1, 0, 2], guid: global, attributes: 7),
        set("SecureBoot", [1], guid: global, attributes: 6), set("SecureBoot", [0], guid: global, attributes: 6),
        set("PK", [1, 2, 3, 4], guid: global, attributes: 7), set("PK", [1, 2, 3, 4], guid: global, attributes: 7),
        set("Boot0001", [1, 2, 3, 4, 5, 6, 7, 8], guid: global, attributes: 7),
        // A stored load option, then one of the same size that its rule refuses (FilePathListLength
        // beyond the value), and a stored Lang, then the same size without its NUL.
        set("Boot0001", [1, 0, 0, 0, 4, 0, 0x41, 0, 0, 0, 0x7f, 0xff, 0x04, 0x00], guid: global, attributes: 7),
        set("Boot0001", [1, 0, 0, 0, 0xff, 0, 0x41, 0, 0, 0, 0x7f, 0xff, 0x04, 0x00], guid: global, attributes: 7),
        set("Lang", [0x66, 0x72, 0x61, 0x62], guid: global),
        set("BootX001", [1, 2, 3, 4], guid: global, attributes: 7), set("BootX001", [4, 3, 2, 1], guid: global, attributes: 7),
        set("db", [1, 2, 3, 4], guid: .imageSecurityDatabase, attributes: 7),
        set("dbq", [1, 2, 3, 4], guid: .imageSecurityDatabase, attributes: 7),
        set("dbq", [4, 3, 2, 1], guid: .imageSecurityDatabase, attributes: 7),
        set("C", [], attributes: 7),                                   // delete
    ]
    // A listing, from L"" in buffers large and too small, and from a name that is not there.
    requests.append(.getNextVariableName(GetNextVariableNameRequest.first(nameBufferSize: 64)))
    requests.append(.getNextVariableName(GetNextVariableNameRequest.first(nameBufferSize: 2)))
    requests.append(.getNextVariableName(GetNextVariableNameRequest(guid: vendor, previousName: UCS2.fromASCII("A"),
                                                                    nameBufferSize: 32)))
    requests.append(.getNextVariableName(GetNextVariableNameRequest(guid: vendor, previousName: UCS2.fromASCII("Zz"),
                                                                    nameBufferSize: 32)))
    requests.append(.getNextVariableName(GetNextVariableNameRequest(guid: vendor, nameBuffer: [0x41, 0])))  // unterminated
    for r in requests {
        let expected = b.handle(request: r.encoded)
        #expect(expected.mmReturn == .success)
        #expect(inPlace(&a, r) == expected.response, "\(r.function)")
    }
    // A whole listing through the in-place path equals the array path's.
    var previous: (EFIGuid, [UInt8]) = (.zero, [0, 0])
    for _ in 0..<20 {
        let r = SMMVariableRequest.getNextVariableName(GetNextVariableNameRequest(guid: previous.0, previousName: previous.1,
                                                                                  nameBufferSize: 64))
        let expected = b.handle(request: r.encoded)
        let answer = inPlace(&a, r)
        #expect(answer == expected.response)
        guard let decoded = try? SMMVariableResponse(decoding: answer), decoded.status == .success,
              case .nextVariableName(let next) = decoded.payload else { break }
        previous = (next.guid, next.name)
    }
    #expect(powerCutSameVariables(a.store.persistence.variables, b.store.persistence.variables))
}

@Test(arguments: ["Var", "V", "Boot"])
func namesAlikeButForOneCharacterSpreadOverTheSlots(prefix: String) {
    // 4,096 names of one family in 8,192 slots: a uniform hash fills about 3,200 of them. The
    // word-at-a-time hash without its finaliser filled 16 to 121 (the mount then crawled).
    var slots = Set<Int>()
    for k in 0..<4096 {
        let name = UCS2.fromASCII(bytes: Array((prefix + String(k, radix: 16)).utf8))
        slots.insert(FlashVariableLog<RAMFlash>.hash(guid: vendor, name: name) & 8191)
    }
    #expect(slots.count > 3000)
}
