import Testing
import MM
import Variables
@testable import Driver

/// The volatile fallback serves messages in place with the store alone; the partition's handler
/// (`MMVariableHandler.handle(request:)`, the message types) is the reference. Every request,
/// well-formed or not, must get the same bytes back, or the same MM return code.
struct VolatileReference {
    var volatile = VolatileMMTransport()
    var handler = MMVariableHandler(store: VariableStore(persistence: InMemoryPersistence(), limits: VariableStoreLimits()))

    /// Sends `request` to both; records a mismatch. Returns the reference's answer.
    @discardableResult
    mutating func same(_ request: [UInt8], _ what: String) -> [UInt8] {
        // Not a whole message: the transport refuses it before any handler sees it.
        guard request.count >= 24, request.withUnsafeBytes({ $0.mmLE64(16) }) == UInt64(request.count - 24) else {
            #expect(throws: MMTransportError.malformedRequest, "\(what)") { _ = try volatile.communicate(request) }
            return []
        }
        let (expected, code) = handler.handle(request: request)
        do {
            let answer = try volatile.communicate(request)
            #expect(code == .success, "\(what): volatile answered where the handler returned \(code)")
            #expect(answer == expected, "\(what): answers differ")
        } catch {
            #expect(code != .success && error == .mmReturn(UInt32(bitPattern: code.rawValue)), "\(what): \(error) vs \(code)")
        }
        return expected
    }
}

private func name16(_ s: String) -> [UInt8] { s.utf16.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8($0 >> 8)] } + [0, 0] }

private let vendor = EFIGuid(0x1234_5678, 0x9abc, 0xdef0, (1, 2, 3, 4, 5, 6, 7, 8))

private func set(_ name: String, _ guid: EFIGuid, _ attributes: UInt32, _ data: [UInt8]) -> [UInt8] {
    SMMVariableRequest.setVariable(SetVariableRequest(guid: guid, name: name16(name), attributes: attributes, data: data)).encoded
}

private func get(_ name: String, _ guid: EFIGuid, _ size: UInt64) -> [UInt8] {
    SMMVariableRequest.getVariable(GetVariableRequest(guid: guid, name: name16(name), dataSize: size)).encoded
}

private func next(_ name: [UInt8], _ guid: EFIGuid, _ size: Int) -> [UInt8] {
    SMMVariableRequest.getNextVariableName(GetNextVariableNameRequest(guid: guid, previousName: name, nameBufferSize: size)).encoded
}

private func query(_ attributes: UInt32) -> [UInt8] {
    SMMVariableRequest.queryVariableInfo(QueryVariableInfoMessage(attributes: attributes)).encoded
}

private func property(_ set: Bool, _ name: String, _ p: VarCheckVariableProperty) -> [UInt8] {
    let m = VarCheckPropertyMessage(guid: vendor, name: name16(name), property: p)
    return (set ? SMMVariableRequest.varCheckVariablePropertySet(m) : .varCheckVariablePropertyGet(m)).encoded
}

/// The whole listing, step by step, with a roomy buffer and with one too small.
private func list(_ r: inout VolatileReference, _ what: String) {
    var name: [UInt8] = [0, 0], guid = EFIGuid.zero
    for step in 0..<40 {
        r.same(next(name, guid, 4), "\(what) step \(step), small buffer")
        let answer = r.same(next(name, guid, 128), "\(what) step \(step)")
        guard answer.count > 64, answer.mmStatus == .success else { return }
        guid = EFIGuid(bytes: answer, at: 40)!
        name = Array(answer[64...])
    }
}

extension Array where Element == UInt8 {
    var mmStatus: EFIStatus { EFIStatus(rawValue: withUnsafeBytes { $0.mmLE64(32) }) }
}

@Test func volatileFallbackAnswersAsThePartitionsHandler() {
    var r = VolatileReference()
    let nvBsRt: UInt32 = 7, bsRt: UInt32 = 6
    r.same(SMMVariableRequest.getPayloadSize.encoded, "GET_PAYLOAD_SIZE")
    list(&r, "empty store")
    // Plain variables, both kinds; the attribute rules; append, same value, delete.
    r.same(set("Plain", vendor, bsRt, Array("hello".utf8)), "volatile set")
    r.same(set("Kept", vendor, nvBsRt, [1, 2, 3]), "NV set")
    r.same(set("Kept", vendor, nvBsRt, [1, 2, 3]), "same value")
    r.same(set("Kept", vendor, nvBsRt | 0x40, [4]), "append")
    r.same(set("Kept", vendor, bsRt, [9]), "other attributes")
    r.same(set("RtOnly", vendor, 4, [1]), "RT without BS")
    r.same(set("NvOnly", vendor, 1, [1]), "NV alone")
    r.same(set("Auth", vendor, nvBsRt | 0x20, [1, 2, 3, 4]), "time-based authenticated write")
    r.same(set("Counted", vendor, nvBsRt | 0x10, [1]), "AW")
    r.same(set("HwErr", vendor, nvBsRt | 0x8, [1]), "HR")
    r.same(set("Unknown", vendor, nvBsRt | 0x100, [1]), "unknown attribute")
    r.same(set("Big", vendor, bsRt, [UInt8](repeating: 7, count: 0x2100)), "over the maximum size")
    r.same(set("Missing", vendor, nvBsRt, []), "delete a missing variable")
    r.same(set("Missing", vendor, nvBsRt | 0x40, []), "append nothing to a missing variable")
    // The spec's variables: served state, keys, settings with shapes.
    r.same(set("SecureBoot", .globalVariable, bsRt, [0]), "served state, same value")
    r.same(set("SecureBoot", .globalVariable, bsRt, [1]), "served state, other value")
    r.same(set("PK", .globalVariable, nvBsRt, [1]), "PK without authentication")
    r.same(set("db", .imageSecurityDatabase, nvBsRt, [1]), "db without authentication")
    r.same(set("BootOrder", .globalVariable, nvBsRt, [1, 0, 2, 0]), "BootOrder")
    r.same(set("BootOrder", .globalVariable, nvBsRt, [1, 0, 2]), "BootOrder of odd size")
    r.same(set("BootOrder", .globalVariable, bsRt, [1, 0]), "BootOrder not NV")
    r.same(set("Timeout", .globalVariable, nvBsRt, [5, 0]), "Timeout")
    r.same(set("Lang", .globalVariable, nvBsRt, Array("eng".utf8)), "Lang without NUL")
    r.same(set("AuditMode", .globalVariable, nvBsRt, [1]), "AuditMode")
    // Reads: found, too small, missing, served, empty name.
    for (name, guid) in [("Plain", vendor), ("Kept", vendor), ("BootOrder", EFIGuid.globalVariable),
                         ("SetupMode", .globalVariable), ("SecureBoot", .globalVariable), ("VendorKeys", .globalVariable),
                         ("Missing", vendor), ("", vendor)] {
        for size: UInt64 in [0, 1, 2, 64] { r.same(get(name, guid, size), "get \(name) with \(size)") }
    }
    for a: UInt32 in [0, 1, 3, 6, 7, 0xf, 0x27] { r.same(query(a), "query \(a)") }
    list(&r, "with variables")
    r.same(next(name16("NoSuch"), vendor, 64), "GetNextVariableName from an unknown name")
    r.same(next([0x41, 0, 0x42, 0], vendor, 4), "GetNextVariableName without a NUL")
    // VarCheck properties.
    let readOnly = VarCheckVariableProperty(property: VarCheckVariableProperty.readOnly, attributes: 0, minSize: 0, maxSize: 100)
    r.same(property(false, "Plain", .zero), "property of a variable without one")
    r.same(property(true, "Locked", readOnly), "set a property")
    r.same(property(false, "Locked", .zero), "get the property")
    r.same(set("Locked", vendor, bsRt, [1]), "write a read-only variable")
    r.same(property(true, "Locked", VarCheckVariableProperty(revision: 2, property: 0, attributes: 0, minSize: 0, maxSize: 0)),
           "a property of another revision")
    // Phases.
    r.same(SMMVariableRequest.readyToBoot.encoded, "READY_TO_BOOT")
    r.same(property(true, "Later", readOnly), "a property after READY_TO_BOOT")
    r.same(SMMVariableRequest.exitBootService.encoded, "EXIT_BOOT_SERVICE")
    r.same(SMMVariableRequest.readyToBoot.encoded, "READY_TO_BOOT at runtime")
    r.same(get("Plain", vendor, 64), "a BS variable at runtime")
    r.same(set("Kept", vendor, nvBsRt, [5]), "an NV variable at runtime")
    r.same(set("Plain", vendor, bsRt, [5]), "a volatile variable at runtime")
    r.same(set("New", vendor, nvBsRt, [5]), "a new NV variable at runtime")
    list(&r, "at runtime")
}

@Test func volatileFallbackRefusesMalformedMessagesAsThePartitionsHandler() {
    var r = VolatileReference()
    var seed: UInt64 = 0x5eed_1234_abcd_0001
    func random() -> UInt64 {
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        return seed >> 33
    }
    let valid = [set("Fuzz", vendor, 7, [1, 2, 3, 4]), get("Fuzz", vendor, 8), next([0, 0], .zero, 32), query(7),
                 property(true, "Fuzz", .zero), property(false, "Fuzz", .zero),
                 SMMVariableRequest.getPayloadSize.encoded, SMMVariableRequest.exitBootService.encoded]
    for (i, m) in valid.enumerated() {
        // Cut short at every length (MessageLength kept consistent), and unknown functions.
        for cut in stride(from: 40, through: m.count, by: 1) {
            var short = Array(m[0..<cut])
            short.withUnsafeMutableBytes { $0.mmPut64(UInt64(cut - 24), at: 16) }  // cut ≥ 40
            r.same(short, "message \(i) cut to \(cut)")
        }
        for f: UInt64 in [0, 7, 8, 12, 13, 14, 99] {
            var other = m
            other.withUnsafeMutableBytes { $0.mmPut64(f, at: 24) }
            r.same(other, "message \(i) as function \(f)")
        }
    }
    // Random bytes in the sizes, names and headers (fixed seed).
    for round in 0..<3000 {
        var m = valid[Int(random() % UInt64(valid.count))]
        for _ in 0..<(1 + random() % 3) {
            let at = Int(random() % UInt64(m.count))
            m[at] = random() % 4 == 0 ? 0 : UInt8(truncatingIfNeeded: random())
        }
        let whole = UInt64(m.count - 24)
        if random() % 4 != 0 {  // mostly keep MessageLength whole
            m.withUnsafeMutableBytes { $0.mmPut64(whole, at: 16) }
        }
        r.same(m, "random message \(round)")
    }
}

@Test func theFallbackMediumRefusesAuthenticatedWritesEvenWithAVerifier() {
    // Whatever the write, a time-based authenticated one is EFI_SECURITY_VIOLATION, with or
    // without a verifier: the fallback's medium takes none (and a plain write still works).
    var store = VariableStore(persistence: FallbackPersistence(), verifier: .standard)
    let name = UCS2.fromASCII("Signed")
    #expect(store.setVariable(name: name, guid: vendor, attributes: 0x27, data: [UInt8](repeating: 0, count: 64)) == .securityViolation)
    #expect(store.setVariable(name: UCS2.fromASCII("PK"), guid: .globalVariable, attributes: 0x27, data: [1]) == .securityViolation)
    #expect(store.setVariable(name: name, guid: vendor, attributes: 7, data: [1]) == .success)
    var r = VolatileReference()
    let answer = r.same(set("Signed", vendor, 0x27, [UInt8](repeating: 0, count: 64)), "AT write")
    #expect(answer.mmStatus == .securityViolation)
}

@Test func theFallbackMediumRefusesProvisionedPKAndAuthenticatedVariables() {
    // Its store derives setup mode from holding no PK and skips the AT checks: provisioning may
    // not put either there, with or without a verifier (a plain variable still provisions).
    var store = VariableStore(persistence: FallbackPersistence(), verifier: .standard)
    #expect(store.provisionAuthenticated(name: UCS2.fromASCII("Private"), guid: vendor, value: [1]) == .securityViolation)
    #expect(store.provisionAuthenticated(name: UCS2.fromASCII("PK"), guid: .globalVariable, value: [1]) == .securityViolation)
    let record = AuthenticatedRecord.join(timestamp: [UInt8](repeating: 0, count: 16),
                                          signer: AuthenticatedRecord.zeroSigner, value: [1])
    #expect(store.provisionRaw(StoredVariable(guid: vendor, name: UCS2.fromASCII("Private"),
                                              attributes: 0x27, data: record)) == .securityViolation)
    #expect(store.provisionRaw(StoredVariable(guid: .globalVariable, name: UCS2.fromASCII("PK"),
                                              attributes: 7, data: [1])) == .securityViolation)
    #expect(store.provisionRaw(StoredVariable(guid: vendor, name: UCS2.fromASCII("Plain"), attributes: 7, data: [1])) == .success)
    #expect(store.getVariable(name: UCS2.fromASCII("SetupMode"), guid: .globalVariable, dataSize: 1).data == [1])
}
