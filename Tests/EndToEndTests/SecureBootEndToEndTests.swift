import Foundation
import Testing
import MM
import TestSupport
import Variables

/// Secure boot through the U-Boot-like client, the real SPMC and the partition: .auth files made
/// by efitools travel whole through the MM buffer, the partition verifies them, and U-Boot's own
/// start-up writes agree with the mode the store serves.
@Suite struct SecureBootEndToEndTests {
    let global = EFIGuid.globalVariable.bytes
    let imageDB = EFIGuid.imageSecurityDatabase.bytes

    @Test func enrolmentAppendAndDeletionThroughTheMMPath() throws {
        let t = ExternalTools()
        defer { t.cleanUp() }
        for n in ["PK", "KEK", "db", "db2"] {
            try t.makeCertificate(n)
            try t.signatureList(n)
        }
        try t.write("empty", [])
        let m = try Machine()
        var u = UBootMMClient(bus: UBootFFABus(smc: { m.world.smc($0) }, ram: m.ram))
        #expect(u.bus.probe() == .ok)
        #expect(u.initVariables().status == EFIRaw.success)
        let at: UInt32 = 0x27
        let pk = try t.authenticatedWrite("PK", esl: "PK.esl", signer: "PK", time: "2026-01-01 00:00:01", output: "PK.auth")
        let kek = try t.authenticatedWrite("KEK", esl: "KEK.esl", signer: "PK", time: "2026-01-01 00:00:02", output: "KEK.auth")
        let db = try t.authenticatedWrite("db", esl: "db.esl", signer: "KEK", time: "2026-01-01 00:00:03", output: "db.auth")
        let append = try t.authenticatedWrite("db", esl: "db2.esl", signer: "KEK", time: "2026-01-01 00:00:04",
                                              append: true, output: "a.auth")
        let delete = try t.authenticatedWrite("PK", esl: "empty", signer: "PK", time: "2026-01-01 00:00:05", output: "d.auth")
        #expect(u.setVariable(name: u16String("PK"), guid: global, attributes: at, data: pk) == EFIRaw.success)
        #expect(u.getVariable(name: u16String("SetupMode"), guid: global, dataSize: 8).data == [0])
        #expect(u.setVariable(name: u16String("KEK"), guid: global, attributes: at, data: kek) == EFIRaw.success)
        #expect(u.setVariable(name: u16String("db"), guid: imageDB, attributes: at, data: db) == EFIRaw.success)
        var tampered = append
        tampered[append.count / 2] ^= 1
        #expect(u.setVariable(name: u16String("db"), guid: imageDB, attributes: at | 0x40, data: tampered)
                == EFIRaw.securityViolation)
        #expect(u.setVariable(name: u16String("db"), guid: imageDB, attributes: at | 0x40, data: append) == EFIRaw.success)
        let read = u.getVariable(name: u16String("db"), guid: imageDB, dataSize: 8192)
        #expect(read.status == EFIRaw.success && read.attributes == at)
        let expected = (try t.read("db.esl")) + (try t.read("db2.esl"))
        #expect(read.data == expected, "\(read.data.count) bytes read, \(expected.count) expected, dataSize \(read.dataSize)")
        #expect(u.setVariable(name: u16String("PK"), guid: global, attributes: at, data: delete) == EFIRaw.success)
        #expect(u.getVariable(name: u16String("SetupMode"), guid: global, dataSize: 8).data == [1])
        #expect(m.world.faults.isEmpty)
    }
}
