import Foundation
import Testing
import MM
import TestSupport
@testable import Variables

// Time-based authenticated writes (AuthenticatedVariables.swift) with .auth files made by
// efitools' sign-efi-sig-list from openssl-made certificates, as a user would make them.

let authAttributes = NV | BS | RT | AT

func authStore() -> VariableStore<InMemoryPersistence> {
    makeStore(capacity: 65536, maxNV: 16384)
}

func served(_ s: VariableStore<InMemoryPersistence>, _ name: StaticString) -> UInt8? {
    let r = s.getVariable(name: ucs(name), guid: global, dataSize: 16)
    return r.status == .success ? r.data.first : nil
}

/// PK, KEK, db, db2 and a stranger's certificates with their signature lists.
func keySet() throws -> ExternalTools {
    let t = ExternalTools()
    for name in ["PK", "KEK", "db", "db2", "stranger"] {
        try t.makeCertificate(name)
        try t.signatureList(name)
    }
    try t.write("empty", [])
    return t
}

@Test func secureBootEnrolmentAppendAndPlatformKeyDeletion() throws {
    let t = try keySet()
    defer { t.cleanUp() }
    var s = authStore()
    #expect(served(s, "SetupMode") == 1)
    // Setup mode: a PK not signed by itself is refused; the self-signed one enrols.
    let wrongPK = try t.authenticatedWrite("PK", esl: "PK.esl", signer: "stranger", time: "2026-01-01 00:00:01", output: "w.auth")
    #expect(s.setVariable(name: ucs("PK"), guid: global, attributes: authAttributes, data: wrongPK) == .securityViolation)
    let pk = try t.authenticatedWrite("PK", esl: "PK.esl", signer: "PK", time: "2026-01-01 00:00:01", output: "PK.auth")
    #expect(s.setVariable(name: ucs("PK"), guid: global, attributes: authAttributes, data: pk) == .success)
    #expect(served(s, "SetupMode") == 0)
    #expect(served(s, "SecureBoot") == 1)
    let pkRead = s.getVariable(name: ucs("PK"), guid: global, dataSize: 4096)
    #expect(pkRead.attributes == authAttributes)
    #expect(pkRead.data == (try t.read("PK.esl")))

    // User mode: KEK only from PK.
    let kekByKek = try t.authenticatedWrite("KEK", esl: "KEK.esl", signer: "KEK", time: "2026-01-01 00:00:02", output: "k1.auth")
    #expect(s.setVariable(name: ucs("KEK"), guid: global, attributes: authAttributes, data: kekByKek) == .securityViolation)
    let kek = try t.authenticatedWrite("KEK", esl: "KEK.esl", signer: "PK", time: "2026-01-01 00:00:02", output: "KEK.auth")
    #expect(s.setVariable(name: ucs("KEK"), guid: global, attributes: authAttributes, data: kek) == .success)

    // db from KEK (or PK); not from a stranger.
    let dbByStranger = try t.authenticatedWrite("db", esl: "db.esl", signer: "stranger", time: "2026-01-01 00:00:03", output: "d0.auth")
    #expect(s.setVariable(name: ucs("db"), guid: imageDB, attributes: authAttributes, data: dbByStranger) == .securityViolation)
    let db = try t.authenticatedWrite("db", esl: "db.esl", signer: "KEK", time: "2026-01-01 00:00:03", output: "db.auth")
    #expect(s.setVariable(name: ucs("db"), guid: imageDB, attributes: authAttributes, data: db) == .success)
    // Unauthenticated writes stay refused.
    #expect(s.setVariable(name: ucs("db"), guid: imageDB, attributes: NV | BS | RT, data: [0x78]) == .writeProtected)
    #expect(s.setVariable(name: ucs("db"), guid: imageDB, attributes: 0, data: []) == .writeProtected)

    // Append of db2, signed by KEK with an older timestamp (appends may): two lists.
    let append = try t.authenticatedWrite("db", esl: "db2.esl", signer: "KEK", time: "2026-01-01 00:00:00",
                                          append: true, output: "append.auth")
    #expect(s.setVariable(name: ucs("db"), guid: imageDB, attributes: authAttributes | APPEND, data: append) == .success)
    let dbValue = s.getVariable(name: ucs("db"), guid: imageDB, dataSize: 65536).data
    #expect(SignatureList.parse(dbValue)?.count == 2)
    #expect(dbValue == (try t.read("db.esl")) + (try t.read("db2.esl")))
    // The same append again adds nothing (no duplicates).
    #expect(s.setVariable(name: ucs("db"), guid: imageDB, attributes: authAttributes | APPEND, data: append) == .success)
    #expect(s.getVariable(name: ucs("db"), guid: imageDB, dataSize: 65536).data == dbValue)
    // One byte changed anywhere (timestamp, signature, data) fails.
    for offset in [2, 40, append.count / 2, append.count - 1] {
        var tampered = append
        tampered[offset] ^= 0x01
        let status = s.setVariable(name: ucs("db"), guid: imageDB, attributes: authAttributes | APPEND, data: tampered)
        #expect(status == .securityViolation || status == .invalidParameter, "byte \(offset)")
    }
    // Replacing with an older or equal timestamp fails; a later one works.
    let older = try t.authenticatedWrite("db", esl: "db2.esl", signer: "KEK", time: "2026-01-01 00:00:02", output: "o.auth")
    #expect(s.setVariable(name: ucs("db"), guid: imageDB, attributes: authAttributes, data: older) == .securityViolation)
    #expect(s.setVariable(name: ucs("db"), guid: imageDB, attributes: authAttributes, data: db) == .securityViolation)
    let byPK = try t.authenticatedWrite("db", esl: "db2.esl", signer: "PK", time: "2026-01-01 00:00:09", output: "p.auth")
    #expect(s.setVariable(name: ucs("db"), guid: imageDB, attributes: authAttributes, data: byPK) == .success)
    #expect(s.getVariable(name: ucs("db"), guid: imageDB, dataSize: 65536).data == (try t.read("db2.esl")))

    // Deleting PK needs PK's signature; then setup mode again.
    let delByKek = try t.authenticatedWrite("PK", esl: "empty", signer: "KEK", time: "2026-01-01 00:01:00", output: "x.auth")
    #expect(s.setVariable(name: ucs("PK"), guid: global, attributes: authAttributes, data: delByKek) == .securityViolation)
    let delete = try t.authenticatedWrite("PK", esl: "empty", signer: "PK", time: "2026-01-01 00:01:00", output: "del.auth")
    #expect(s.setVariable(name: ucs("PK"), guid: global, attributes: authAttributes, data: delete) == .success)
    #expect(served(s, "SetupMode") == 1)
    #expect(s.getVariable(name: ucs("PK"), guid: global, dataSize: 4096).status == .notFound)
    // Setup mode: KEK and db are writable with any signature (timestamps still increase).
    let kekAny = try t.authenticatedWrite("KEK", esl: "stranger.esl", signer: "stranger", time: "2026-01-01 00:02:00", output: "k2.auth")
    #expect(s.setVariable(name: ucs("KEK"), guid: global, attributes: authAttributes, data: kekAny) == .success)
}

@Test func malformedAuthenticatedWritesAreRefused() throws {
    let t = try keySet()
    defer { t.cleanUp() }
    var s = authStore()
    let pk = try t.authenticatedWrite("PK", esl: "PK.esl", signer: "PK", time: "2026-01-01 00:00:01", output: "PK.auth")
    // Wrong attributes for a key; AW with AT; too short; not PKCS#7; non-zero time padding.
    #expect(s.setVariable(name: ucs("PK"), guid: global, attributes: BS | RT | AT, data: pk) == .invalidParameter)
    #expect(s.setVariable(name: ucs("PK"), guid: global, attributes: authAttributes | AW, data: pk) == .invalidParameter)
    #expect(s.setVariable(name: ucs("PK"), guid: global, attributes: authAttributes, data: Array(pk[0..<30])) == .invalidParameter)
    var badType = pk
    badType[22] = 0x02
    #expect(s.setVariable(name: ucs("PK"), guid: global, attributes: authAttributes, data: badType) == .securityViolation)
    var nanos = pk
    nanos[8] = 1
    #expect(s.setVariable(name: ucs("PK"), guid: global, attributes: authAttributes, data: nanos) == .securityViolation)
    // Two certificates in PK, or data that is no signature list.
    try t.write("two.esl", try t.read("PK.esl") + t.read("KEK.esl"))
    let two = try t.authenticatedWrite("PK", esl: "two.esl", signer: "PK", time: "2026-01-01 00:00:01", output: "two.auth")
    #expect(s.setVariable(name: ucs("PK"), guid: global, attributes: authAttributes, data: two) == .invalidParameter)
    try t.write("junk", [1, 2, 3])
    let junk = try t.authenticatedWrite("KEK", esl: "junk", signer: "PK", time: "2026-01-01 00:00:01", output: "j.auth")
    #expect(s.setVariable(name: ucs("KEK"), guid: global, attributes: authAttributes, data: junk) == .invalidParameter)
    // The defaults and the served state stay write-protected; defined settings never take AT.
    #expect(s.setVariable(name: ucs("PKDefault"), guid: global, attributes: BS | RT | AT, data: pk) == .writeProtected)
    #expect(s.setVariable(name: ucs("SetupMode"), guid: global, attributes: BS | RT | AT, data: pk) == .writeProtected)
    #expect(s.setVariable(name: ucs("BootOrder"), guid: global, attributes: authAttributes, data: pk) == .invalidParameter)
    #expect(served(s, "SetupMode") == 1)
    #expect(s.persistence.variables.isEmpty)
}

@Test func privateAuthenticatedVariableKeepsItsSigner() throws {
    let t = try keySet()
    defer { t.cleanUp() }
    var s = authStore()
    let vendor = "12345678-9abc-def0-0102-030405060708"  // storeVendor
    try t.write("v1", Array("first".utf8))
    try t.write("v2", Array("second".utf8))
    let first = try t.authenticatedWrite("MyVar", esl: "v1", signer: "db", time: "2026-01-01 00:00:01", guid: vendor, output: "1.auth")
    #expect(s.setVariable(name: ucs("MyVar"), guid: storeVendor, attributes: authAttributes, data: first) == .success)
    #expect(s.getVariable(name: ucs("MyVar"), guid: storeVendor, dataSize: 64).data == Array("first".utf8))
    // Another signer may not replace it, nor may a plain write or delete.
    let other = try t.authenticatedWrite("MyVar", esl: "v2", signer: "stranger", time: "2026-01-01 00:00:02", guid: vendor, output: "2.auth")
    #expect(s.setVariable(name: ucs("MyVar"), guid: storeVendor, attributes: authAttributes, data: other) == .securityViolation)
    #expect(s.setVariable(name: ucs("MyVar"), guid: storeVendor, attributes: NV | BS | RT, data: [1]) == .securityViolation)
    #expect(s.setVariable(name: ucs("MyVar"), guid: storeVendor, attributes: 0, data: []) == .securityViolation)
    let same = try t.authenticatedWrite("MyVar", esl: "v2", signer: "db", time: "2026-01-01 00:00:02", guid: vendor, output: "3.auth")
    #expect(s.setVariable(name: ucs("MyVar"), guid: storeVendor, attributes: authAttributes, data: same) == .success)
    #expect(s.getVariable(name: ucs("MyVar"), guid: storeVendor, dataSize: 64).data == Array("second".utf8))
    let delete = try t.authenticatedWrite("MyVar", esl: "empty", signer: "db", time: "2026-01-01 00:00:03", guid: vendor, output: "4.auth")
    #expect(s.setVariable(name: ucs("MyVar"), guid: storeVendor, attributes: authAttributes, data: delete) == .success)
    #expect(s.getVariable(name: ucs("MyVar"), guid: storeVendor, dataSize: 64).status == .notFound)
}

@Test func provisionedKeysGoLiveAndMerge() throws {
    let t = try keySet()
    defer { t.cleanUp() }
    var s = authStore()
    #expect(s.provisionAuthenticated(name: ucs("KEK"), guid: global, value: try t.read("KEK.esl")) == .success)
    #expect(s.provisionAuthenticated(name: ucs("db"), guid: imageDB, value: try t.read("db.esl")) == .success)
    #expect(s.provisionAuthenticated(name: ucs("PK"), guid: global, value: [1, 2, 3]) == .invalidParameter)
    #expect(s.provisionAuthenticated(name: ucs("PK"), guid: global, value: try t.read("PK.esl")) == .success)
    #expect(served(s, "SetupMode") == 0)
    let append = try t.authenticatedWrite("db", esl: "db2.esl", signer: "KEK", time: "2026-01-01 00:00:00",
                                          append: true, output: "append.auth")
    #expect(s.setVariable(name: ucs("db"), guid: imageDB, attributes: authAttributes | APPEND, data: append) == .success)
    #expect(SignatureList.parse(s.getVariable(name: ucs("db"), guid: imageDB, dataSize: 65536).data)?.count == 2)
}
