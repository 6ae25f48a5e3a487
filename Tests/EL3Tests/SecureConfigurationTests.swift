import Testing
@testable import EL3

typealias SCR = SecureConfiguration

@Suite struct SecureConfigurationTests {
    @Test func alwaysOnControls() {
        let none = IDRegisters()
        #expect(SCR.scr(none, nonSecure: true) == SCR.res1 | SCR.rw | SCR.sif | SCR.ea | SCR.ns | SCR.hce)
        #expect(SCR.scr(none, nonSecure: false) == SCR.res1 | SCR.rw | SCR.sif | SCR.ea)
    }

    @Test func scxtnumFollowsCSV2() {
        var id = IDRegisters()
        id.pfr0 = 2 << 56
        #expect(SCR.scr(id, nonSecure: true) & SCR.enSCXT != 0)          // FEAT_CSV2_2
        id.pfr0 = 1 << 56; id.pfr1 = 2 << 32
        #expect(SCR.scr(id, nonSecure: true) & SCR.enSCXT != 0)          // FEAT_CSV2_1p2
        id.pfr1 = 1 << 32
        #expect(SCR.scr(id, nonSecure: true) & SCR.enSCXT == 0)          // CSV2_1p1: no SCXTNUM
    }

    /// Each ID field, set alone, turns on exactly its enable.
    @Test func eachFeatureEnablesExactlyItsBit() {
        let base = SCR.scr(IDRegisters(), nonSecure: true)
        let cases: [(WritableKeyPath<IDRegisters, UInt64>, UInt64, UInt64)] = [
            (\.isar1, 1 << 4, SCR.apk | SCR.api),
            (\.isar1, 1 << 28, SCR.apk | SCR.api),
            (\.pfr1, 2 << 8, SCR.ata),
            (\.pfr1, 1 << 8, 0),                       // MTE instructions only: no tags to allow
            (\.mmfr0, 1 << 56, SCR.fgtEn),
            (\.mmfr0, 2 << 56, SCR.fgtEn | SCR.fgtEn2),
            (\.mmfr0, 1 << 60, 0),                     // ECV without CNTPOFF
            (\.mmfr0, 2 << 60, SCR.ecvEn),
            (\.pfr0, 2 << 44, SCR.amvoffEn),
            (\.isar1, 3 << 60, SCR.enAS0 | SCR.adEn),
            (\.mmfr1, 1 << 40, SCR.hxEn),
            (\.pfr1, 1 << 44, SCR.gcsEn),
            (\.pfr1, 1 << 24, SCR.enTP2),
            (\.pfr1, 1 << 48, SCR.rcwMaskEn),
            (\.mmfr3, 1 << 0, SCR.tcr2En),
            (\.mmfr3, 1 << 4, SCR.sctlr2En),
            (\.mmfr3, 1 << 8, SCR.pieEn),
            (\.mmfr3, 1 << 12, SCR.pieEn),
            (\.mmfr3, 1 << 16, SCR.pieEn),
            (\.mmfr3, 1 << 24, SCR.aieEn),
            (\.mmfr3, 1 << 32, SCR.d128En),
            (\.pfr2, 1 << 32, SCR.enFPM),
        ]
        for (field, value, bits) in cases {
            var id = IDRegisters()
            id[keyPath: field] = value
            #expect(SCR.scr(id, nonSecure: true) == base | bits, "\(field) = 0x\(String(value, radix: 16))")
        }
    }

    @Test func bitPositionsAsTheArmARMNamesThem() {
        #expect(SCR.ea == 0x8 && SCR.sif == 0x200 && SCR.enSCXT == 0x200_0000)
        #expect(SCR.ecvEn == 1 << 28 && SCR.gcsEn == 1 << 39 && SCR.tcr2En == 1 << 43 && SCR.pieEn == 1 << 45)
    }
}
