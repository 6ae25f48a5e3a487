import Testing
import MM
@testable import Variables
import TestSupport

// The store's rules for the variables the UEFI spec defines (VariablePolicy, DefinedVariables,
// ReadOnlyGlobals).

let global = EFIGuid.globalVariable
let imageDB = EFIGuid.imageSecurityDatabase

/// A minimal valid device path: one hardware vendor node (type 1, subtype 4, 20 bytes) and the
/// End Entire node.
let vendorNode: [UInt8] = [0x01, 0x04, 20, 0] + [UInt8](repeating: 0xAB, count: 16)
let endEntire: [UInt8] = [0x7F, 0xFF, 4, 0]
let devicePath = vendorNode + endEntire

/// EFI_LOAD_OPTION: attributes, FilePathListLength, L"Boot", the path, optional data.
func loadOption(description: [UInt8] = ucs("Disk"), path: [UInt8] = devicePath, pathLength: Int? = nil,
                optional: [UInt8] = []) -> [UInt8] {
    let length = pathLength ?? path.count
    return [1, 0, 0, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + description + path + optional
}

let secureBootKeys: [(String, EFIGuid)] = [
    ("PK", global), ("KEK", global), ("db", imageDB), ("dbx", imageDB), ("dbt", imageDB), ("dbr", imageDB),
    ("PKDefault", global), ("KEKDefault", global), ("dbDefault", global), ("dbxDefault", global),
    ("dbtDefault", global), ("dbrDefault", global)]

@Test(arguments: secureBootKeys)
func secureBootKeysAreWriteProtected(name: String, guid: EFIGuid) {
    var s = makeStore()
    let n = UCS2.fromASCII(bytes: Array(name.utf8))
    #expect(s.setVariable(name: n, guid: guid, attributes: NV | BS | RT, data: [0x78]) == .writeProtected)
    #expect(s.setVariable(name: n, guid: guid, attributes: BS | RT, data: [0x78]) == .writeProtected)
    #expect(s.setVariable(name: n, guid: guid, attributes: NV | BS | RT | APPEND, data: [0x78]) == .writeProtected)
    #expect(s.setVariable(name: n, guid: guid, attributes: NV | BS | RT, data: []) == .writeProtected)
    #expect(s.setVariable(name: n, guid: guid, attributes: 0, data: []) == .writeProtected)
    // AT goes to the authenticated path: a key's data too short for its descriptor, a default's write-protected.
    let isDefault = name.hasSuffix("Default")
    #expect(s.setVariable(name: n, guid: guid, attributes: NV | BS | RT | AT, data: [0x78])
            == (isDefault ? .writeProtected : .invalidParameter))
    // The deprecated count-based authentication cannot be verified.
    #expect(s.setVariable(name: n, guid: guid, attributes: NV | BS | RT | AW, data: [0x78]) == .securityViolation)
    // Malformed attributes are still malformed first.
    #expect(s.setVariable(name: n, guid: guid, attributes: NV | BS | RT | 0x100, data: [0x78]) == .invalidParameter)
    #expect(s.setVariable(name: n, guid: guid, attributes: RT, data: [0x78]) == .invalidParameter)
    #expect(s.getVariable(name: n, guid: guid, dataSize: 8).status == .notFound)
    #expect(s.persistence.variables.isEmpty && s.volatileUsed == 0)
}

@Test func keyNamesUnderOtherVendorsAreOrdinary() {
    var s = makeStore()
    #expect(s.setVariable(name: ucs("PK"), guid: storeVendor, attributes: NV | BS | RT, data: [1]) == .success)
    #expect(s.setVariable(name: ucs("db"), guid: global, attributes: NV | BS | RT, data: [1]) == .success)
    #expect(s.setVariable(name: ucs("PK"), guid: imageDB, attributes: NV | BS | RT, data: [1]) == .success)
    #expect(s.setVariable(name: ucs("pk"), guid: global, attributes: NV | BS | RT, data: [1]) == .success)
}

@Test func theServedStateReadsAsSetupMode() {
    var s = makeStore()
    for (name, value) in [("SecureBoot", 0), ("SetupMode", 1), ("AuditMode", 0), ("DeployedMode", 0), ("VendorKeys", 0)] as [(StaticString, UInt8)] {
        #expect(s.getVariable(name: ucs(name), guid: global, dataSize: 8)
                == VariableReadResult(status: .success, attributes: BS | RT, dataSize: 1, data: [value]))
        #expect(s.getVariable(name: ucs(name), guid: global, dataSize: 0)
                == VariableReadResult(status: .bufferTooSmall, attributes: BS | RT, dataSize: 1))
        // Under another vendor the names mean nothing.
        #expect(s.getVariable(name: ucs(name), guid: storeVendor, dataSize: 8).status == .notFound)
    }
    // Runtime services see them too (they are RT).
    _ = s.exitBootServices()
    #expect(s.getVariable(name: ucs("SetupMode"), guid: global, dataSize: 8).data == [1])
    #expect(enumerate(s).map { $0.1 } == servedNames)
}

@Test func theServedStateIsReadOnly() {
    var s = makeStore()
    let setup = ucs("SetupMode")
    #expect(s.setVariable(name: setup, guid: global, attributes: NV | BS | RT, data: [0x78]) == .writeProtected)
    #expect(s.setVariable(name: setup, guid: global, attributes: BS | RT, data: [0]) == .writeProtected)
    #expect(s.setVariable(name: setup, guid: global, attributes: BS | RT, data: [1, 1]) == .writeProtected)
    #expect(s.setVariable(name: setup, guid: global, attributes: BS | RT | APPEND, data: [1]) == .writeProtected)
    #expect(s.setVariable(name: setup, guid: global, attributes: BS | RT, data: []) == .writeProtected)
    #expect(s.setVariable(name: setup, guid: global, attributes: 0, data: []) == .writeProtected)
    #expect(s.setVariable(name: ucs("SecureBoot"), guid: global, attributes: BS | RT | AT, data: [1]) == .writeProtected)
    // Its own value and attributes, before ExitBootServices: nothing to change, nothing stored.
    #expect(s.setVariable(name: setup, guid: global, attributes: BS | RT, data: [1]) == .success)
    #expect(s.setVariable(name: ucs("SecureBoot"), guid: global, attributes: BS | RT, data: [0]) == .success)
    #expect(s.persistence.variables.isEmpty && s.volatileUsed == 0)
    _ = s.exitBootServices()
    #expect(s.setVariable(name: setup, guid: global, attributes: BS | RT, data: [1]) == .writeProtected)
    #expect(s.getVariable(name: setup, guid: global, dataSize: 8).data == [1])
}

@Test func anEnrolledPlatformKeyMeansUserMode() throws {
    var p = InMemoryPersistence()
    try p.put(StoredVariable(guid: global, name: ucs("PK"), attributes: NV | BS | RT | AT, data: [0x30]))
    let s = VariableStore(persistence: p)
    #expect(s.getVariable(name: ucs("SetupMode"), guid: global, dataSize: 8).data == [0])
    #expect(s.getVariable(name: ucs("SecureBoot"), guid: global, dataSize: 8).data == [1])
    #expect(s.getVariable(name: ucs("AuditMode"), guid: global, dataSize: 8).data == [0])
    #expect(s.getVariable(name: ucs("PK"), guid: global, dataSize: 8).data == [0x30])
    // A PK of another vendor is not a platform key.
    var q = InMemoryPersistence()
    try q.put(StoredVariable(guid: storeVendor, name: ucs("PK"), attributes: NV | BS | RT, data: [0x30]))
    #expect(VariableStore(persistence: q).getVariable(name: ucs("SetupMode"), guid: global, dataSize: 8).data == [1])
}

/// A copy of a served name left on the medium (written before these rules) is shadowed: read
/// and listed once, with the served value, and cannot be replaced.
@Test func aStoredCopyOfAServedNameIsShadowed() throws {
    var p = InMemoryPersistence()
    try p.put(StoredVariable(guid: global, name: ucs("SetupMode"), attributes: NV | BS | RT, data: [0x78]))
    var s = VariableStore(persistence: p)
    #expect(s.getVariable(name: ucs("SetupMode"), guid: global, dataSize: 8)
            == VariableReadResult(status: .success, attributes: BS | RT, dataSize: 1, data: [1]))
    #expect(enumerate(s).map { $0.1 } == servedNames)
    #expect(s.setVariable(name: ucs("SetupMode"), guid: global, attributes: NV | BS | RT, data: [0x79]) == .writeProtected)
    #expect(s.persistence.variables.first?.data == [0x78])
}

@Test func globalVariablesNeedTheSpecsAttributes() {
    var s = makeStore()
    let option = loadOption()
    #expect(s.setVariable(name: ucs("Boot0001"), guid: global, attributes: BS | RT, data: option) == .invalidParameter)
    #expect(s.setVariable(name: ucs("Boot0001"), guid: global, attributes: NV | BS, data: option) == .invalidParameter)
    #expect(s.setVariable(name: ucs("Boot0001"), guid: global, attributes: NV | BS | RT, data: option) == .success)
    for name in ["BootOrder", "BootNext", "Timeout", "OsIndications", "DriverOrder", "SysPrepOrder"] as [StaticString] {
        #expect(s.setVariable(name: ucs(name), guid: global, attributes: NV | BS, data: [0, 0]) == .invalidParameter)
        #expect(s.setVariable(name: ucs(name), guid: global, attributes: BS | RT, data: [0, 0]) == .invalidParameter)
    }
    for name in ["Lang", "PlatformLang"] as [StaticString] {
        #expect(s.setVariable(name: ucs(name), guid: global, attributes: BS | RT, data: Array("eng\0".utf8)) == .invalidParameter)
        #expect(s.setVariable(name: ucs(name), guid: global, attributes: NV | BS | RT, data: Array("eng\0".utf8)) == .success)
    }
    // The firmware's own, volatile ones.
    for name in ["PlatformLangCodes", "LangCodes"] as [StaticString] {
        #expect(s.setVariable(name: ucs(name), guid: global, attributes: NV | BS | RT, data: Array("eng\0".utf8)) == .invalidParameter)
        #expect(s.setVariable(name: ucs(name), guid: global, attributes: BS | RT, data: Array("eng\0".utf8)) == .success)
    }
    #expect(s.setVariable(name: ucs("OsIndicationsSupported"), guid: global, attributes: NV | BS | RT,
                          data: [UInt8](repeating: 0, count: 8)) == .invalidParameter)
    #expect(s.setVariable(name: ucs("HwErrRecSupport"), guid: global, attributes: BS | RT, data: [1, 0]) == .invalidParameter)
    #expect(s.setVariable(name: ucs("HwErrRecSupport"), guid: global, attributes: NV | BS | RT, data: [1, 0]) == .success)
    // Any vendor's own variables keep free attributes, and so do names the spec does not define.
    #expect(s.setVariable(name: ucs("Boot0001"), guid: storeVendor, attributes: BS, data: [1]) == .success)
    #expect(s.setVariable(name: ucs("BootTest"), guid: global, attributes: BS, data: [1]) == .success)
}

@Test func globalVariablesNeedTheSpecsSizesAndShapes() {
    var s = makeStore()
    let nvbsrt = NV | BS | RT
    #expect(s.setVariable(name: ucs("Timeout"), guid: global, attributes: nvbsrt, data: [5]) == .invalidParameter)
    #expect(s.setVariable(name: ucs("Timeout"), guid: global, attributes: nvbsrt, data: [5, 0, 0]) == .invalidParameter)
    #expect(s.setVariable(name: ucs("Timeout"), guid: global, attributes: nvbsrt, data: [5, 0]) == .success)
    #expect(s.setVariable(name: ucs("BootOrder"), guid: global, attributes: nvbsrt, data: [1, 0, 2]) == .invalidParameter)
    #expect(s.setVariable(name: ucs("BootOrder"), guid: global, attributes: nvbsrt, data: [1, 0, 2, 0]) == .success)
    #expect(s.setVariable(name: ucs("BootNext"), guid: global, attributes: nvbsrt, data: [1, 0, 0, 0]) == .invalidParameter)
    #expect(s.setVariable(name: ucs("OsIndications"), guid: global, attributes: nvbsrt, data: [1, 0, 0, 0]) == .invalidParameter)
    #expect(s.setVariable(name: ucs("OsIndications"), guid: global, attributes: nvbsrt, data: [UInt8](repeating: 0, count: 8)) == .success)
    #expect(s.setVariable(name: ucs("PlatformLang"), guid: global, attributes: nvbsrt, data: Array("en-US".utf8)) == .invalidParameter)
    #expect(s.setVariable(name: ucs("Key0001"), guid: global, attributes: nvbsrt, data: [UInt8](repeating: 0, count: 10)) == .success)
    #expect(s.setVariable(name: ucs("Key0002"), guid: global, attributes: nvbsrt, data: [UInt8](repeating: 0, count: 14)) == .success)
    #expect(s.setVariable(name: ucs("Key0003"), guid: global, attributes: nvbsrt, data: [UInt8](repeating: 0, count: 12)) == .invalidParameter)
    #expect(s.setVariable(name: ucs("Key0004"), guid: global, attributes: nvbsrt, data: [UInt8](repeating: 0, count: 26)) == .invalidParameter)
    #expect(s.setVariable(name: ucs("SignatureSupport"), guid: global, attributes: BS | RT,
                          data: [UInt8](repeating: 1, count: 24)) == .invalidParameter)
    #expect(s.setVariable(name: ucs("SignatureSupport"), guid: global, attributes: BS | RT,
                          data: [UInt8](repeating: 1, count: 32)) == .success)
    // Console paths: whole nodes to an End Entire node; several instances are fine.
    #expect(s.setVariable(name: ucs("ConOut"), guid: global, attributes: nvbsrt, data: vendorNode) == .invalidParameter)
    #expect(s.setVariable(name: ucs("ConOut"), guid: global, attributes: nvbsrt,
                          data: vendorNode + [0x7F, 0x01, 4, 0] + vendorNode + endEntire) == .success)
    #expect(s.setVariable(name: ucs("ConIn"), guid: global, attributes: nvbsrt, data: [0x01, 0x04, 3, 0] + endEntire) == .invalidParameter)
    #expect(s.setVariable(name: ucs("ConIn"), guid: global, attributes: nvbsrt, data: [0x01, 0x04, 40, 0] + endEntire) == .invalidParameter)
    #expect(s.setVariable(name: ucs("ConIn"), guid: global, attributes: nvbsrt, data: [0x7F, 0xFF, 8, 0, 0, 0, 0, 0]) == .invalidParameter)
    #expect(s.setVariable(name: ucs("ConIn"), guid: global, attributes: nvbsrt, data: devicePath) == .success)
    // Deleting is not checked.
    #expect(s.setVariable(name: ucs("Timeout"), guid: global, attributes: 0, data: []) == .success)
}

@Test func loadOptionsAreChecked() {
    var s = makeStore()
    let nvbsrt = NV | BS | RT
    func set(_ name: StaticString, _ data: [UInt8]) -> EFIStatus {
        s.setVariable(name: ucs(name), guid: global, attributes: nvbsrt, data: data)
    }
    #expect(set("Boot0001", loadOption(optional: [9, 9, 9])) == .success)
    #expect(set("Boot00aF", loadOption()) == .success)  // hex digits in either case
    #expect(set("Driver0001", loadOption()) == .success)
    #expect(set("SysPrep0001", loadOption()) == .success)
    #expect(set("Boot0002", [1, 0, 0, 0, 24]) == .invalidParameter)                      // shorter than the header
    #expect(set("Boot0003", [1, 0, 0, 0, 24, 0, 0x44, 0]) == .invalidParameter)          // description unterminated
    #expect(set("Boot0004", loadOption(pathLength: 30)) == .invalidParameter)             // path runs past the data
    #expect(set("Boot0005", loadOption(pathLength: 2)) == .invalidParameter)              // shorter than a node
    #expect(set("Boot0006", loadOption(path: vendorNode, pathLength: 20)) == .invalidParameter)  // no end node
    #expect(set("Boot0007", loadOption(path: vendorNode + endEntire, pathLength: 20)) == .invalidParameter)  // end outside the list
    // Five digits, or a non-hex digit: not a load option name, so not checked.
    #expect(s.setVariable(name: ucs("Boot00001"), guid: global, attributes: BS, data: [1]) == .success)
    #expect(s.setVariable(name: ucs("Boot000G"), guid: global, attributes: BS, data: [1]) == .success)
    // PlatformRecovery#### is the firmware's, volatile.
    #expect(s.setVariable(name: ucs("PlatformRecovery0000"), guid: global, attributes: BS | RT, data: loadOption()) == .success)
    #expect(set("PlatformRecovery0001", loadOption()) == .invalidParameter)
}

@Test func appendingToGlobalVariables() {
    var s = makeStore()
    let nvbsrt = NV | BS | RT
    #expect(s.setVariable(name: ucs("BootOrder"), guid: global, attributes: nvbsrt, data: [1, 0]) == .success)
    #expect(s.setVariable(name: ucs("BootOrder"), guid: global, attributes: nvbsrt | APPEND, data: [2, 0]) == .success)
    #expect(s.setVariable(name: ucs("BootOrder"), guid: global, attributes: nvbsrt | APPEND, data: [3]) == .invalidParameter)
    #expect(s.getVariable(name: ucs("BootOrder"), guid: global, dataSize: 8).data == [1, 0, 2, 0])
    #expect(s.setVariable(name: ucs("Timeout"), guid: global, attributes: nvbsrt, data: [1, 0]) == .success)
    #expect(s.setVariable(name: ucs("Timeout"), guid: global, attributes: nvbsrt | APPEND, data: [1, 0]) == .invalidParameter)
    #expect(s.setVariable(name: ucs("Boot0001"), guid: global, attributes: nvbsrt, data: loadOption()) == .success)
    #expect(s.setVariable(name: ucs("Boot0001"), guid: global, attributes: nvbsrt | APPEND, data: [1]) == .invalidParameter)
    #expect(s.setVariable(name: ucs("BootOrder"), guid: global, attributes: BS | RT | APPEND, data: [2, 0]) == .invalidParameter)
}

@Test func theFirmwaresVariablesAreReadOnlyAfterExitBootServices() {
    var s = makeStore()
    let codes = Array("en-US;fr-FR\0".utf8)
    #expect(s.setVariable(name: ucs("PlatformLangCodes"), guid: global, attributes: BS | RT, data: codes) == .success)
    #expect(s.setVariable(name: ucs("HwErrRecSupport"), guid: global, attributes: NV | BS | RT, data: [1, 0]) == .success)
    #expect(s.setVariable(name: ucs("Timeout"), guid: global, attributes: NV | BS | RT, data: [3, 0]) == .success)
    _ = s.exitBootServices()
    #expect(s.setVariable(name: ucs("PlatformLangCodes"), guid: global, attributes: BS | RT, data: Array("fr\0".utf8)) == .writeProtected)
    #expect(s.setVariable(name: ucs("PlatformLangCodes"), guid: global, attributes: 0, data: []) == .writeProtected)
    #expect(s.setVariable(name: ucs("HwErrRecSupport"), guid: global, attributes: NV | BS | RT, data: [2, 0]) == .writeProtected)
    #expect(s.setVariable(name: ucs("BootCurrent"), guid: global, attributes: NV | BS | RT, data: [2, 0]) == .writeProtected)
    #expect(s.getVariable(name: ucs("PlatformLangCodes"), guid: global, dataSize: 32).data == codes)
    // The OS's own settings stay writable.
    #expect(s.setVariable(name: ucs("Timeout"), guid: global, attributes: NV | BS | RT, data: [5, 0]) == .success)
}

@Test func devicePathWalkNeverReadsPastTheData() {
    var random = SplitMix64(seed: 0x5EED)
    for _ in 0..<2000 {
        let data = random.bytes(random.below(40))
        _ = DefinedVariable.Content.devicePath.accepts(data)
        _ = DefinedVariable.Content.loadOption.accepts(data)
        _ = DefinedVariable.Content.keyOption.accepts(data)
        _ = DefinedVariable.Content.asciiString.accepts(data)
    }
    // Lengths that wrap or point past the end are refused.
    #expect(!DevicePath.isValid([0x01, 0x04, 0xFF, 0xFF], from: 0, count: 4))
    #expect(!DevicePath.isValid([0x01, 0x04, 0x00, 0x00] + endEntire, from: 0, count: 8))
    #expect(!DevicePath.isValid([], from: 0, count: 0))
    #expect(DevicePath.isValid(endEntire, from: 0, count: 4))
}
