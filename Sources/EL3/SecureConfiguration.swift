/// The CPU's ID registers, as EL3 reads them once at boot.
public struct IDRegisters: Equatable, Sendable {
    public var pfr0: UInt64 = 0, pfr1: UInt64 = 0, pfr2: UInt64 = 0
    public var mmfr0: UInt64 = 0, mmfr1: UInt64 = 0, mmfr2: UInt64 = 0, mmfr3: UInt64 = 0
    public var isar0: UInt64 = 0, isar1: UInt64 = 0
    public init() {}

    public static func field(_ reg: UInt64, _ shift: UInt64) -> UInt64 { (reg >> shift) & 0xF }
}

/// SCR_EL3 for a world (Arm ARM D23.2.148): the controls EL3 always wants, and every feature
/// enable whose feature the ID registers report, so an OS finds nothing trapped to EL3 that
/// the CPU implements (TF-A's el3 context set-up does the same, feature by feature).
public enum SecureConfiguration {
    public static let ns: UInt64 = 1 << 0
    public static let ea: UInt64 = 1 << 3        // external aborts and SErrors to EL3
    public static let res1: UInt64 = 0x30
    public static let hce: UInt64 = 1 << 8
    public static let sif: UInt64 = 1 << 9       // no Secure instruction fetch from NS memory
    public static let rw: UInt64 = 1 << 10       // lower ELs are AArch64
    public static let apk: UInt64 = 1 << 16, api: UInt64 = 1 << 17
    public static let enSCXT: UInt64 = 1 << 25
    public static let ata: UInt64 = 1 << 26
    public static let fgtEn: UInt64 = 1 << 27
    public static let ecvEn: UInt64 = 1 << 28
    public static let amvoffEn: UInt64 = 1 << 35
    public static let enAS0: UInt64 = 1 << 36, adEn: UInt64 = 1 << 37
    public static let hxEn: UInt64 = 1 << 38
    public static let gcsEn: UInt64 = 1 << 39
    public static let enTP2: UInt64 = 1 << 41
    public static let rcwMaskEn: UInt64 = 1 << 42
    public static let tcr2En: UInt64 = 1 << 43
    public static let sctlr2En: UInt64 = 1 << 44
    public static let pieEn: UInt64 = 1 << 45
    public static let aieEn: UInt64 = 1 << 46
    public static let d128En: UInt64 = 1 << 47
    public static let enFPM: UInt64 = 1 << 50
    public static let fgtEn2: UInt64 = 1 << 59

    public static func scr(_ id: IDRegisters, nonSecure: Bool) -> UInt64 {
        let f = IDRegisters.field
        var scr = res1 | rw | sif | ea
        if nonSecure { scr |= ns | hce }
        let pauth = f(id.isar1, 4) | f(id.isar1, 8) | f(id.isar1, 24) | f(id.isar1, 28)
        if pauth != 0 { scr |= apk | api }
        // FEAT_CSV2_2, or FEAT_CSV2_1p2: SCXTNUM_ELx accessible.
        let csv2 = f(id.pfr0, 56)
        if csv2 >= 2 || (csv2 == 1 && f(id.pfr1, 32) >= 2) { scr |= enSCXT }
        if f(id.pfr1, 8) >= 2 { scr |= ata }                        // FEAT_MTE2
        if f(id.mmfr0, 56) != 0 { scr |= fgtEn }                     // FEAT_FGT
        if f(id.mmfr0, 56) >= 2 { scr |= fgtEn2 }                    // FEAT_FGT2
        if f(id.mmfr0, 60) >= 2 { scr |= ecvEn }                     // FEAT_ECV_POFF: CNTPOFF_EL2
        if f(id.pfr0, 44) >= 2 { scr |= amvoffEn }                   // FEAT_AMUv1p1
        if f(id.isar1, 60) >= 2 { scr |= enAS0 }                     // FEAT_LS64_V
        if f(id.isar1, 60) >= 3 { scr |= adEn }                      // FEAT_LS64_ACCDATA
        if f(id.mmfr1, 40) != 0 { scr |= hxEn }                      // FEAT_HCX
        if f(id.pfr1, 44) != 0 { scr |= gcsEn }                      // FEAT_GCS
        if f(id.pfr1, 24) != 0 { scr |= enTP2 }                      // FEAT_SME: TPIDR2_EL0
        if f(id.pfr1, 48) != 0 { scr |= rcwMaskEn }                  // FEAT_THE
        if f(id.mmfr3, 0) != 0 { scr |= tcr2En }                     // FEAT_TCR2
        if f(id.mmfr3, 4) != 0 { scr |= sctlr2En }                   // FEAT_SCTLR2
        // FEAT_S1PIE, S2PIE, S1POE, S2POE: PIEn covers the PIR and POR registers alike.
        if f(id.mmfr3, 8) | f(id.mmfr3, 12) | f(id.mmfr3, 16) | f(id.mmfr3, 20) != 0 { scr |= pieEn }
        if f(id.mmfr3, 24) != 0 { scr |= aieEn }                     // FEAT_AIE
        if f(id.mmfr3, 32) != 0 { scr |= d128En }                    // FEAT_D128
        if f(id.pfr2, 32) != 0 { scr |= enFPM }                      // FEAT_FPMR
        return scr
    }
}
