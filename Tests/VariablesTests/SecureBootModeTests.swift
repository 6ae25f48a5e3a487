import Foundation
import Testing
import MM
import TestSupport
@testable import Variables

// The secure-boot modes of UEFI 2.10 §32.3 (SecureBootModes.swift): setup, user, audit and
// deployed, their transitions through PK and the AuditMode/DeployedMode variables, refusals,
// and the mode after a restart.

/// SetupMode, SecureBoot, AuditMode, DeployedMode as the store serves them.
func modeBytes<P>(_ s: VariableStore<P>) -> [UInt8?] {
    ["SetupMode", "SecureBoot", "AuditMode", "DeployedMode"].map { (n: StaticString) in
        let r = s.getVariable(name: ucs(n), guid: global, dataSize: 1)
        return r.status == .success && r.attributes == BS | RT ? r.data.first : nil
    }
}

let setupBytes: [UInt8?] = [1, 0, 0, 0], userBytes: [UInt8?] = [0, 1, 0, 0]
let auditBytes: [UInt8?] = [1, 0, 1, 0], deployedBytes: [UInt8?] = [0, 1, 0, 1]

/// A SetVariable of AuditMode or DeployedMode as a caller makes it.
func setMode<P>(_ s: inout VariableStore<P>, _ name: StaticString, _ data: [UInt8], attributes: UInt32 = BS | RT) -> EFIStatus {
    s.setVariable(name: ucs(name), guid: global, attributes: attributes, data: data)
}

/// The store's log lines, collected.
final class LogLines {
    var lines: [String] = []
    func attach<P>(_ s: inout VariableStore<P>) { s.log = { [self] in lines.append("\($0)") } }
}

struct ModeKeys {
    let t: ExternalTools
    let pk, kek, deletePK: [UInt8]

    init() throws {
        t = try keySet()
        pk = try t.authenticatedWrite("PK", esl: "PK.esl", signer: "PK", time: "2026-01-01 00:00:01", output: "PK.auth")
        kek = try t.authenticatedWrite("KEK", esl: "KEK.esl", signer: "PK", time: "2026-01-01 00:00:02", output: "KEK.auth")
        deletePK = try t.authenticatedWrite("PK", esl: "empty", signer: "PK", time: "2026-01-01 00:01:00", output: "del.auth")
    }

    func enrolPK<P>(_ s: inout VariableStore<P>) -> EFIStatus {
        s.setVariable(name: ucs("PK"), guid: global, attributes: authAttributes, data: pk)
    }

    func deletePK<P>(_ s: inout VariableStore<P>) -> EFIStatus {
        s.setVariable(name: ucs("PK"), guid: global, attributes: authAttributes, data: deletePK)
    }
}

func pkStored<P>(_ s: VariableStore<P>) -> Bool {
    s.getVariable(name: ucs("PK"), guid: global, dataSize: 8192).status == .success
}

func modeMarkRead<P>(_ s: VariableStore<P>) -> VariableReadResult {
    s.getVariable(name: ucs("SecureBootMode"), guid: .storeState, dataSize: 8)
}

@Test func setupToAuditThenPlatformKeyEnrolmentToDeployedThenDeletionToSetup() throws {
    let k = try ModeKeys()
    defer { k.t.cleanUp() }
    var s = authStore()
    let log = LogLines()
    log.attach(&s)
    #expect(modeBytes(s) == setupBytes && s.secureBootMode == .setup)
    // Setup: DeployedMode is read-only; AuditMode := 1 enters audit mode.
    #expect(setMode(&s, "DeployedMode", [1]) == .writeProtected)
    #expect(setMode(&s, "AuditMode", [1]) == .success)
    #expect(modeBytes(s) == auditBytes && s.secureBootMode == .audit)
    #expect(modeMarkRead(s).data == [SecureBootMode.audit.rawValue] && modeMarkRead(s).attributes == NV | BS)
    // Audit: both read-only (the value they have may be written again, as U-Boot does).
    #expect(setMode(&s, "AuditMode", [0]) == .writeProtected)
    #expect(setMode(&s, "DeployedMode", [1]) == .writeProtected)
    #expect(setMode(&s, "AuditMode", [1]) == .success)
    #expect(setMode(&s, "DeployedMode", [0]) == .success)
    #expect(modeBytes(s) == auditBytes)
    // Audit mode is a setup mode for the keys: KEK without PK's signature checked.
    #expect(s.setVariable(name: ucs("KEK"), guid: global, attributes: authAttributes, data: k.kek) == .success)
    // Enrolling the self-signed PK: deployed mode.
    #expect(k.enrolPK(&s) == .success)
    #expect(modeBytes(s) == deployedBytes && s.secureBootMode == .deployed)
    #expect(modeMarkRead(s).data == [SecureBootMode.deployed.rawValue])
    // Deployed: neither may change.
    #expect(setMode(&s, "DeployedMode", [0]) == .writeProtected)
    #expect(setMode(&s, "AuditMode", [1]) == .writeProtected)
    #expect(setMode(&s, "DeployedMode", [1]) == .success)
    #expect(modeBytes(s) == deployedBytes)
    // A PK-signed deletion of PK: setup mode, the mark gone.
    #expect(k.deletePK(&s) == .success)
    #expect(modeBytes(s) == setupBytes && !pkStored(s))
    #expect(modeMarkRead(s).status == .notFound)
    #expect(log.lines.contains("secure boot: setup mode -> audit mode (AuditMode := 1)"))
    #expect(log.lines.contains("secure boot: audit mode -> deployed mode (PK enrolled)"))
    #expect(log.lines.contains("secure boot: deployed mode -> setup mode (PK deleted)"))
    #expect(log.lines.contains { $0.hasPrefix("secure boot: DeployedMode can change only in user mode") })
    #expect(log.lines.contains { $0.hasPrefix("secure boot: AuditMode is read-only") })
}

@Test func userToDeployedAndUserToAuditDeletingPlatformKey() throws {
    let k = try ModeKeys()
    defer { k.t.cleanUp() }
    var s = authStore()
    let log = LogLines()
    log.attach(&s)
    #expect(k.enrolPK(&s) == .success)
    #expect(modeBytes(s) == userBytes && s.secureBootMode == .user)
    #expect(s.setVariable(name: ucs("KEK"), guid: global, attributes: authAttributes, data: k.kek) == .success)
    // User: writing 0 changes nothing; DeployedMode := 1 enters deployed mode.
    #expect(setMode(&s, "AuditMode", [0]) == .success)
    #expect(setMode(&s, "DeployedMode", [0]) == .success)
    #expect(modeBytes(s) == userBytes && modeMarkRead(s).status == .notFound)
    #expect(setMode(&s, "DeployedMode", [1]) == .success)
    #expect(modeBytes(s) == deployedBytes && pkStored(s))
    // Back to user mode only through setup mode (PK deleted by its owner) and a new PK.
    #expect(k.deletePK(&s) == .success)
    #expect(modeBytes(s) == setupBytes)
    let pk2 = try k.t.authenticatedWrite("PK", esl: "PK.esl", signer: "PK", time: "2026-01-01 00:02:00", output: "PK2.auth")
    #expect(s.setVariable(name: ucs("PK"), guid: global, attributes: authAttributes, data: pk2) == .success)
    #expect(modeBytes(s) == userBytes)
    // User: AuditMode := 1 deletes PK and enters audit mode; KEK stays.
    #expect(setMode(&s, "AuditMode", [1]) == .success)
    #expect(modeBytes(s) == auditBytes && !pkStored(s))
    #expect(s.getVariable(name: ucs("KEK"), guid: global, dataSize: 8192).status == .success)
    #expect(log.lines.contains("secure boot: setup mode -> user mode (PK enrolled)"))
    #expect(log.lines.contains("secure boot: user mode -> deployed mode (DeployedMode := 1)"))
    #expect(log.lines.contains("secure boot: user mode -> audit mode (AuditMode := 1, PK deleted)"))
    #expect(log.lines.contains("secure boot: user mode -> setup mode (PK deleted)") == false)
}

@Test func modeVariableWritesOutsideTheTransitionsAreRefused() throws {
    let k = try ModeKeys()
    defer { k.t.cleanUp() }
    var s = authStore()
    let log = LogLines()
    log.attach(&s)
    #expect(k.enrolPK(&s) == .success)
    // Where writable (user mode): one byte 0 or 1 with exactly BS|RT.
    for (name, attributes, data) in [("AuditMode", NV | BS | RT, [UInt8(1)]), ("AuditMode", BS | RT, [1, 0]),
                                     ("AuditMode", BS | RT, [2]), ("AuditMode", BS | RT | APPEND, [1]),
                                     ("DeployedMode", BS | RT, []), ("DeployedMode", 0, []),
                                     ("DeployedMode", BS | RT, [0xff])] as [(StaticString, UInt32, [UInt8])] {
        #expect(setMode(&s, name, data, attributes: attributes) == .invalidParameter, "\(name) \(attributes) \(data)")
    }
    #expect(log.lines.last == "secure boot: AuditMode and DeployedMode take one byte, 0 or 1, with BS|RT: EFI_INVALID_PARAMETER")
    // An authenticated write, or AW, is no way in either.
    #expect(s.setVariable(name: ucs("AuditMode"), guid: global, attributes: NV | BS | RT | AT, data: k.pk) == .writeProtected)
    #expect(modeBytes(s) == userBytes && pkStored(s))
    // Other served variables stay read-only.
    #expect(setMode(&s, "SetupMode", [1]) == .writeProtected)
    #expect(setMode(&s, "SecureBoot", [0]) == .writeProtected)
    // After ExitBootServices both are read-only, even to their own value.
    #expect(s.exitBootServices() == .success)
    #expect(setMode(&s, "DeployedMode", [1]) == .writeProtected)
    #expect(setMode(&s, "AuditMode", [1]) == .writeProtected)
    #expect(setMode(&s, "AuditMode", [0]) == .writeProtected)
    #expect(modeBytes(s) == userBytes && pkStored(s))
}

@Test func theModeMarkIsReadableButNoCallerWritesIt() throws {
    var s = authStore()
    #expect(setMode(&s, "AuditMode", [1]) == .success)
    let name = ucs("SecureBootMode")
    for (attributes, data) in [(NV | BS, [SecureBootMode.deployed.rawValue]), (NV | BS | RT, [3]), (0, []),
                               (NV | BS, []), (NV | BS | AW, [3])] as [(UInt32, [UInt8])] {
        #expect(s.setVariable(name: name, guid: .storeState, attributes: attributes, data: data) == .writeProtected,
                "\(attributes)")
    }
    #expect(s.setVariable(name: name, guid: .storeState, attributes: NV | BS | RT | AT, data: [UInt8](repeating: 0, count: 64))
            == .writeProtected)
    #expect(modeBytes(s) == auditBytes)
    // Listed before ExitBootServices (NV|BS), not after.
    #expect(enumerate(s).contains { $0.0 == .storeState && $0.1 == name })
    #expect(s.exitBootServices() == .success)
    #expect(!enumerate(s).contains { $0.0 == .storeState })
}

@Test func theModeSurvivesARestartOfTheFlashStore() throws {
    let k = try ModeKeys()
    defer { k.t.cleanUp() }
    let flash = RAMFlash(blockCount: 32, eraseBlockSize: 4096)
    func mount() throws -> VariableStore<FlashVariableLog<RAMFlash>> {
        VariableStore(persistence: try FlashVariableLog(flash: flash, maximumVariableSize: 4096), verifier: .standard)
    }
    var s = try mount()
    #expect(setMode(&s, "AuditMode", [1]) == .success)
    #expect(modeBytes(try mount()) == auditBytes)
    s = try mount()
    #expect(k.enrolPK(&s) == .success)
    #expect(modeBytes(try mount()) == deployedBytes)
    s = try mount()
    #expect(k.deletePK(&s) == .success)
    #expect(modeBytes(try mount()) == setupBytes)
    #expect(modeMarkRead(try mount()).status == .notFound)
}

@Test func eachStepOfATransitionReadsAsAModeBesideIt() {
    // What a failure between the two writes of a transition leaves (SecureBootMode.derive).
    #expect(SecureBootMode.derive(platformKeyEnrolled: true, mark: .audit) == .deployed)  // audit → deployed, mark not yet rewritten
    #expect(SecureBootMode.derive(platformKeyEnrolled: false, mark: .deployed) == .setup)  // deployed → setup, mark not yet removed
    #expect(SecureBootMode.derive(platformKeyEnrolled: false, mark: nil) == .setup)  // user → audit, PK deleted, mark not yet written
    #expect(SecureBootMode.derive(platformKeyEnrolled: true, mark: nil) == .user)
    #expect(SecureBootMode.derive(platformKeyEnrolled: true, mark: .deployed) == .deployed)
    #expect(SecureBootMode.derive(platformKeyEnrolled: false, mark: .audit) == .audit)
    #expect(SecureBootMode.derive(platformKeyEnrolled: true, mark: .setup) == .user)  // a mark the store never writes
}

@Test func leftoverMarksDoNotSurviveTheNextTransition() throws {
    let k = try ModeKeys()
    defer { k.t.cleanUp() }
    // Setup mode with a deployed mark left behind: enrolling PK gives user mode, not deployed.
    var s = authStore()
    #expect(s.provisionRaw(StoredVariable(guid: .storeState, name: ucs("SecureBootMode"), attributes: NV | BS,
                                          data: [SecureBootMode.deployed.rawValue])) == .success)
    #expect(modeBytes(s) == setupBytes)
    #expect(k.enrolPK(&s) == .success)
    #expect(modeBytes(s) == userBytes && modeMarkRead(s).status == .notFound)
    // Deployed through an audit mark (PK enrolled, mark not rewritten): deleting PK gives setup.
    var d = authStore()
    #expect(d.provisionRaw(StoredVariable(guid: .storeState, name: ucs("SecureBootMode"), attributes: NV | BS,
                                          data: [SecureBootMode.audit.rawValue])) == .success)
    #expect(k.enrolPK(&d) == .success)
    #expect(d.provisionRaw(StoredVariable(guid: .storeState, name: ucs("SecureBootMode"), attributes: NV | BS,
                                          data: [SecureBootMode.audit.rawValue])) == .success)
    #expect(modeBytes(d) == deployedBytes)
    #expect(k.deletePK(&d) == .success)
    #expect(modeBytes(d) == setupBytes && modeMarkRead(d).status == .notFound)
}

@Test func aFailingMediumLeavesTheModeAsItWas() throws {
    var s = VariableStore(persistence: ScriptedPersistence(), verifier: .standard)
    s.persistence.failWith = .deviceError
    #expect(setMode(&s, "AuditMode", [1]) == .deviceError)
    s.persistence.failWith = nil
    #expect(modeBytes(s) == setupBytes)
    s.persistence.failWith = .full
    #expect(setMode(&s, "AuditMode", [1]) == .outOfResources)
    s.persistence.failWith = nil
    #expect(modeBytes(s) == setupBytes)
}

@Test func uBootsStartUpCallsInEachMode() throws {
    let k = try ModeKeys()
    defer { k.t.cleanUp() }
    var s = authStore()
    // U-Boot's efi_init_secure_state publishes the four values of the mode it derived.
    func publish(_ values: [UInt8]) -> [EFIStatus] {
        zip(["SecureBoot", "SetupMode", "AuditMode", "DeployedMode"] as [StaticString], values).map { setMode(&s, $0.0, [$0.1]) }
    }
    #expect(publish([0, 1, 0, 0]) == [.success, .success, .success, .success])  // setup
    #expect(k.enrolPK(&s) == .success)
    #expect(publish([1, 0, 0, 0]) == [.success, .success, .success, .success])  // user
    #expect(setMode(&s, "DeployedMode", [1]) == .success)
    #expect(publish([1, 0, 0, 1]) == [.success, .success, .success, .success])  // deployed
    #expect(publish([1, 0, 0, 0]).last == .writeProtected)  // U-Boot's idea of user mode is not taken
    #expect(modeBytes(s) == deployedBytes)
    // In audit mode U-Boot first deletes PK without AT: refused in every mode, audit mode
    // included (a success would make U-Boot's MM client run its start-up again, endlessly).
    #expect(k.deletePK(&s) == .success)
    #expect(setMode(&s, "AuditMode", [1]) == .success)
    #expect(s.setVariable(name: ucs("PK"), guid: global, attributes: BS | RT, data: []) == .writeProtected)
    #expect(publish([0, 1, 1, 0]) == [.success, .success, .success, .success])  // audit
    #expect(modeBytes(s) == auditBytes)
}

@Test func provisioningFollowsTheModes() throws {
    let t = try keySet()
    defer { t.cleanUp() }
    let pk = try t.read("PK.esl")
    var s = authStore()
    #expect(setMode(&s, "AuditMode", [1]) == .success)
    // A factory PK in audit mode: deployed, as an enrolment through SetVariable.
    #expect(s.provisionAuthenticated(name: ucs("PK"), guid: global, value: pk) == .success)
    #expect(modeBytes(s) == deployedBytes)
    // Removing PK is the platform's own PK clear: setup mode.
    #expect(s.provisionRemove(guid: global, name: ucs("PK")) == .success)
    #expect(modeBytes(s) == setupBytes && modeMarkRead(s).status == .notFound)
    // Removing the mark is the platform's own DeployedMode clear: user mode.
    #expect(s.provisionAuthenticated(name: ucs("PK"), guid: global, value: pk) == .success)
    #expect(setMode(&s, "DeployedMode", [1]) == .success)
    #expect(s.provisionRemove(guid: .storeState, name: ucs("SecureBootMode")) == .success)
    #expect(modeBytes(s) == userBytes)
}
