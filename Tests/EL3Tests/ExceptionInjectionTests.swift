import Testing
@testable import EL3

typealias Source = ExceptionInjection.Source
let nsSCR: UInt64 = 0x5B1          // NS, RES1, HCE, RW (enough for the routing)
let tge: UInt64 = 1 << 27

@Suite struct ExceptionInjectionTests {
    @Test func callerAtEL2TakesItAtEL2() {
        let s = Source(spsr: 0x3C9, scr: nsSCR, hcrEL2: 0)             // EL2h, DAIF masked
        #expect(ExceptionInjection.targetEL(s) == 2)
        #expect(ExceptionInjection.vectorOffset(s, target: 2) == 0x200)
        let t = Source(spsr: 0x008, scr: nsSCR, hcrEL2: 0)             // EL2t
        #expect(ExceptionInjection.vectorOffset(t, target: 2) == 0x000)
    }

    @Test func callerAtEL1TakesItAtEL1WhateverTGE() {
        let s = Source(spsr: 0x3C5, scr: nsSCR, hcrEL2: tge)
        #expect(ExceptionInjection.targetEL(s) == 1)
        #expect(ExceptionInjection.vectorOffset(s, target: 1) == 0x200)
        #expect(ExceptionInjection.targetEL(Source(spsr: 0x3C5, scr: nsSCR, hcrEL2: nil)) == 1)
    }

    @Test func el0GoesToEL2OnlyWithTGEAndAnEL2ForItsWorld() {
        let el0 = Source(spsr: 0x0, scr: nsSCR, hcrEL2: tge)
        #expect(ExceptionInjection.targetEL(el0) == 2)
        #expect(ExceptionInjection.vectorOffset(el0, target: 2) == 0x400)
        #expect(ExceptionInjection.targetEL(Source(spsr: 0x0, scr: nsSCR, hcrEL2: 0)) == 1)
        #expect(ExceptionInjection.targetEL(Source(spsr: 0x0, scr: nsSCR, hcrEL2: nil)) == 1)    // no EL2
        #expect(ExceptionInjection.targetEL(Source(spsr: 0x0, scr: 0x430, hcrEL2: tge)) == 1)    // Secure, no S-EL2
        #expect(ExceptionInjection.targetEL(Source(spsr: 0x0, scr: 0x430 | 1 << 18, hcrEL2: tge)) == 2)  // S-EL2
        #expect(ExceptionInjection.vectorOffset(Source(spsr: 0x0, scr: nsSCR, hcrEL2: 0), target: 1) == 0x400)
    }

    @Test func aarch32EL0UsesTheAArch32LowerELVector() {
        let s = Source(spsr: 0x10, scr: nsSCR, hcrEL2: 0)              // AArch32 User mode
        #expect(ExceptionInjection.targetEL(s) == 1)
        #expect(ExceptionInjection.vectorOffset(s, target: 1) == 0x600)
    }

    @Test func onlyAnAArch64TargetCanBeEntered() {
        #expect(ExceptionInjection.canInject(Source(spsr: 0x3C5, scr: nsSCR, hcrEL2: 0), target: 1))
        #expect(ExceptionInjection.canInject(Source(spsr: 0x10, scr: nsSCR, hcrEL2: 1 << 31), target: 1))
        #expect(ExceptionInjection.canInject(Source(spsr: 0x10, scr: nsSCR, hcrEL2: nil), target: 1))
        #expect(!ExceptionInjection.canInject(Source(spsr: 0x10, scr: nsSCR, hcrEL2: 0), target: 1))    // EL1 AArch32
        #expect(!ExceptionInjection.canInject(Source(spsr: 0x13, scr: nsSCR, hcrEL2: 0), target: 1))    // SVC mode
        #expect(ExceptionInjection.canInject(Source(spsr: 0x10, scr: nsSCR, hcrEL2: tge), target: 2))
    }

    @Test func handlerStartsInELxhWithEverythingMaskedAndFlagsKept() {
        let old: UInt64 = 0xF000_0000 | 1 << 24 | 1 << 21 | 1 << 20 | 0x9   // NZCV, DIT, SS, IL, EL2h unmasked
        let p = ExceptionInjection.handlerPSTATE(Source(spsr: old, scr: nsSCR, hcrEL2: 0), target: 2,
                                                 sctlr: 0, gcscr: 0, features: .init())
        #expect(p & 0x1F == 0x9)
        #expect(p & 0x3C0 == 0x3C0)                     // DAIF
        #expect(p & 0xF000_0000 == 0xF000_0000)         // NZCV kept
        #expect(p & 1 << 24 != 0)                       // DIT kept
        #expect(p & (1 << 21 | 1 << 20) == 0)           // SS and IL cleared
        let el1 = ExceptionInjection.handlerPSTATE(Source(spsr: 0x3C5, scr: nsSCR, hcrEL2: 0), target: 1,
                                                   sctlr: 0, gcscr: 0, features: .init())
        #expect(el1 & 0x1F == 0x5)
    }

    @Test func featureBitsFollowTheTargetsSCTLR() {
        var f = ExceptionInjection.Features()
        f.pan = true; f.ssbs = true; f.mte2 = true; f.bti = true; f.uao = true
        let s = Source(spsr: 0x3C5 | 3 << 10 | 1 << 23, scr: nsSCR, hcrEL2: 0)   // BTYPE, UAO set
        let p = ExceptionInjection.handlerPSTATE(s, target: 1, sctlr: 1 << 44, gcscr: 0, features: f)
        #expect(p & 1 << 22 != 0)          // PAN set: SCTLR_EL1.SPAN = 0
        #expect(p & 1 << 12 != 0)          // SSBS = SCTLR.DSSBS
        #expect(p & 1 << 25 != 0)          // TCO with MTE2
        #expect(p & 3 << 10 == 0)          // BTYPE cleared with BTI
        #expect(p & 1 << 23 == 0)          // UAO cleared with FEAT_UAO
        let q = ExceptionInjection.handlerPSTATE(s, target: 1, sctlr: 1 << 23, gcscr: 0, features: f)
        #expect(q & 1 << 22 == 0 && q & 1 << 12 == 0)   // SPAN = 1 keeps PAN; DSSBS = 0
        let noFeatures = ExceptionInjection.handlerPSTATE(s, target: 1, sctlr: 0, gcscr: 0, features: .init())
        #expect(noFeatures & 3 << 10 == 3 << 10 && noFeatures & 1 << 22 == 0 && noFeatures & 1 << 25 == 0)
        // PAN at EL2 only in the EL2&0 host regime (TGE).
        let el2 = Source(spsr: 0x3C9, scr: nsSCR, hcrEL2: 0)
        #expect(ExceptionInjection.handlerPSTATE(el2, target: 2, sctlr: 0, gcscr: 0, features: f) & 1 << 22 == 0)
        let host = Source(spsr: 0x3C9, scr: nsSCR, hcrEL2: tge)
        #expect(ExceptionInjection.handlerPSTATE(host, target: 2, sctlr: 0, gcscr: 0, features: f) & 1 << 22 != 0)
    }

    @Test func undefinedIsUnknownReasonWithTheInstructionLength() {
        let trapped: UInt64 = 0x18 << 26 | 1 << 25 | 0x3_2C1E   // an MRS trap
        #expect(ExceptionInjection.undefinedSyndrome(trappedESR: trapped) == 1 << 25)
        #expect(ExceptionInjection.undefinedSyndrome(trappedESR: 0x18 << 26) == 0)
    }

    @Test func routedAbortsKeepTheirSyndromeInTheTargetsView() {
        let dabt: UInt64 = 0x24 << 26 | 1 << 25 | 0x10         // data abort from a lower EL, SEA
        #expect(ExceptionInjection.abortSyndrome(trappedESR: dabt, sourceEL: 2, target: 2) == 0x25 << 26 | 1 << 25 | 0x10)
        #expect(ExceptionInjection.abortSyndrome(trappedESR: dabt, sourceEL: 0, target: 1) == dabt)
        let iabt: UInt64 = 0x20 << 26 | 1 << 25 | 0x10
        #expect(ExceptionInjection.abortSyndrome(trappedESR: iabt, sourceEL: 1, target: 1) == 0x21 << 26 | 1 << 25 | 0x10)
        #expect(ExceptionInjection.abortSyndrome(trappedESR: 0x18 << 26, sourceEL: 2, target: 2) == nil)
    }

    @Test func planEntersTheVectorAndKeepsTheCallersState() {
        let s = Source(spsr: 0x3C9, scr: nsSCR, hcrEL2: 0)
        let p = ExceptionInjection.plan(s, elr: 0x6000_1234, esr: 1 << 25, target: 2, vbar: 0x6001_0000,
                                        sctlr: 0, gcscr: 0, features: .init())
        #expect(p.elrTarget == 0x6000_1234 && p.spsrTarget == 0x3C9 && p.esrTarget == 1 << 25)
        #expect(p.elrEL3 == 0x6001_0200)
        #expect(p.spsrEL3 == 0x3C9)
    }
}
