import Foundation
import Testing
import MM
import TestSupport
import Variables
@testable import VarStoreKit

/// A blank 1 MiB store image in `tools`' directory.
func blankStore(_ tools: ExternalTools, _ name: String = "store.img") throws -> String {
    try tools.write(name, [UInt8](repeating: 0xFF, count: StoreImage.storeSize))
    return tools.directory.appendingPathComponent(name).path
}

func varstore(_ image: String, _ args: [String]) throws -> String {
    String(decoding: try VarStoreCommand.run(["--image", image] + args), as: UTF8.self)
}

/// The partition's code on the image's region: the log, the store, and the MM handler in front.
func partitionHandler(_ path: String) throws -> MMVariableHandler<FlashVariableLog<RAMFlash>> {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    let log = try FlashVariableLog(flash: RAMFlash(bytes: bytes, eraseBlockSize: StoreImage.blockSize))
    #expect(!log.foundNoLog)
    return MMVariableHandler(store: VariableStore(persistence: log, verifier: .standard))
}

@Test func enrolledKeysBootInUserModeAndAcceptAnAppend() throws {
    let t = ExternalTools()
    defer { t.cleanUp() }
    for n in ["PK", "KEK", "db", "db2"] { try t.makeCertificate(n) }
    try t.signatureList("db2")
    let image = try blankStore(t)
    let dir = t.directory.path
    _ = try varstore(image, ["enroll", "--pk", "\(dir)/PK.crt", "--kek", "\(dir)/KEK.der", "--db", "\(dir)/db.crt"])
    let listing = try varstore(image, ["list"])
    #expect(listing.hasPrefix("secure boot: user mode\n"))
    #expect(listing.contains("PK  8be4df61-93ca-11d2-aa0d-00e098032b8c  NV|BS|RT|AT"))
    #expect(listing.contains("db  d719b2cb-3d3a-4596-a3bc-dad00e67656f  NV|BS|RT|AT"))
    #expect(listing.contains("1 signature list\n"))

    // The partition mounts it in user mode and verifies a KEK-signed append against it.
    var h = try partitionHandler(image)
    #expect(h.store.getVariable(name: UCS2.fromASCII("SetupMode"), guid: .globalVariable, dataSize: 8).data == [0])
    let append = try t.authenticatedWrite("db", esl: "db2.esl", signer: "KEK", time: "2026-03-01 00:00:00",
                                          append: true, output: "a.auth")
    #expect(h.store.setVariable(name: UCS2.fromASCII("db"), guid: .imageSecurityDatabase, attributes: 0x67, data: append) == .success)
    try Data(h.store.persistence.flash.bytes).write(to: URL(fileURLWithPath: image))
    #expect(try varstore(image, ["list"]).contains("db  d719b2cb-3d3a-4596-a3bc-dad00e67656f  NV|BS|RT|AT  "))
    #expect(try varstore(image, ["list"]).contains(", 2 signature lists"))
    // A PK-signed deletion of PK made by efitools, applied by the tool itself, means setup mode again.
    try t.write("empty", [])
    try t.authenticatedWrite("PK", esl: "empty", signer: "PK", time: "2026-03-02 00:00:00", output: "del.auth")
    _ = try varstore(image, ["enroll", "--pk", "\(dir)/del.auth"])
    #expect(!(try varstore(image, ["list"])).contains("PK  "))
    #expect(try varstore(image, ["list"]).hasPrefix("secure boot: setup mode\n"))
    h = try partitionHandler(image)
    #expect(h.store.getVariable(name: UCS2.fromASCII("SetupMode"), guid: .globalVariable, dataSize: 8).data == [1])
}

@Test func setGetDeleteExportImportRoundTrip() throws {
    let t = ExternalTools()
    defer { t.cleanUp() }
    try t.makeCertificate("PK")
    let image = try blankStore(t)
    _ = try varstore(image, ["set", "Greeting", "--data", "hello", "--attrs", "nv,bs,rt"])
    try t.write("order", [1, 0, 2, 0])
    _ = try varstore(image, ["set", "BootOrder", "--file", t.directory.appendingPathComponent("order").path])
    #expect(throws: VarStoreError.self) { _ = try varstore(image, ["set", "BootOrder", "--data", "odd"]) }  // the store's policy
    #expect(throws: VarStoreError.self) { _ = try varstore(image, ["set", "PK", "--data", "x"]) }  // keys: enroll only
    _ = try varstore(image, ["enroll", "--pk", t.directory.appendingPathComponent("PK.crt").path])
    #expect(try varstore(image, ["get", "Greeting", "--hex"]) == "68656c6c6f\n")
    let json = try varstore(image, ["export", "--json"])
    #expect(json.contains("\"timestamp\""))
    try t.write("v.json", Array(json.utf8))
    let other = try blankStore(t, "other.img")
    _ = try varstore(other, ["import", "--json", t.directory.appendingPathComponent("v.json").path])
    #expect(try varstore(other, ["export", "--json"]) == json)
    #expect(try partitionHandler(other).store.getVariable(name: UCS2.fromASCII("SetupMode"), guid: .globalVariable,
                                                           dataSize: 8).data == [0])
    _ = try varstore(other, ["delete", "Greeting"])
    #expect(throws: VarStoreError.self) { _ = try varstore(other, ["get", "Greeting"]) }
    #expect(throws: VarStoreError.self) { _ = try varstore(other, ["delete", "Greeting"]) }
}

@Test func damagedStoresAreRefusedAndLeftAlone() throws {
    let t = ExternalTools()
    defer { t.cleanUp() }
    let image = try blankStore(t)
    _ = try varstore(image, ["set", "Greeting", "--data", "hello"])
    var bytes = try t.read("store.img")
    // The value's byte inside the first record: its body checksum no longer holds.
    let at = bytes.firstIndex(of: UInt8(ascii: "h"))!
    bytes[at] = UInt8(ascii: "j")
    try t.write("store.img", bytes)
    #expect(throws: VarStoreError.self) { _ = try varstore(image, ["list"]) }
    #expect(throws: VarStoreError.self) { _ = try varstore(image, ["set", "Other", "--data", "x"]) }
    #expect(try t.read("store.img") == bytes)
    // Not a log at all, or a file of another size.
    try t.write("store.img", [UInt8](repeating: 0x5A, count: StoreImage.storeSize))
    #expect(throws: VarStoreError.self) { _ = try varstore(image, ["list"]) }
    try t.write("store.img", [UInt8](repeating: 0xFF, count: 4096))
    #expect(throws: VarStoreError.self) { _ = try varstore(image, ["list"]) }
}
