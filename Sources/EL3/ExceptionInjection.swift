/// Sending an exception that trapped to EL3 back to the lower EL as if that EL had taken it
/// (as TF-A's inject_undef64 does): which EL takes it, where its vector is, and the PSTATE it
/// starts with (Arm ARM, AArch64.TakeException). Pure; the monitor reads and writes the registers.
public enum ExceptionInjection {
    /// ESR_ELx.EC values used here.
    public static let ecUnknown: UInt64 = 0x00
    public static let ecInstructionAbortLower: UInt64 = 0x20
    public static let ecInstructionAbortSame: UInt64 = 0x21
    public static let ecDataAbortLower: UInt64 = 0x24
    public static let ecDataAbortSame: UInt64 = 0x25
    static let il: UInt64 = 1 << 25

    /// What the caller was doing: SPSR_EL3 and SCR_EL3 of its world, and HCR_EL2 when that
    /// world has EL2 (nil otherwise; reading HCR_EL2 where EL2 is absent is UNDEFINED at EL3).
    public struct Source: Equatable, Sendable {
        public var spsr: UInt64
        public var scr: UInt64
        public var hcrEL2: UInt64?
        public init(spsr: UInt64, scr: UInt64, hcrEL2: UInt64?) {
            self.spsr = spsr; self.scr = scr; self.hcrEL2 = hcrEL2
        }
        public var isAArch32: Bool { spsr & 0x10 != 0 }
        public var el: Int { isAArch32 ? 0 : Int((spsr >> 2) & 3) }
        public var usesSPx: Bool { !isAArch32 && spsr & 1 != 0 }
    }

    /// The CPU features that change the PSTATE an exception starts with.
    public struct Features: Equatable, Sendable {
        public var pan = false, uao = false, ssbs = false, bti = false, mte2 = false, nmi = false, gcs = false
        public init() {}
        public init(pfr0: UInt64, pfr1: UInt64, mmfr1: UInt64, mmfr2: UInt64) {
            pan = (mmfr1 >> 20) & 0xF != 0
            uao = (mmfr2 >> 4) & 0xF != 0
            ssbs = (pfr1 >> 4) & 0xF != 0
            bti = pfr1 & 0xF != 0
            mte2 = (pfr1 >> 8) & 0xF >= 2
            nmi = (pfr1 >> 36) & 0xF != 0
            gcs = (pfr1 >> 44) & 0xF != 0
        }
    }

    /// The EL that takes the exception: the caller's own EL2, or EL1 unless EL2 exists for that
    /// world and HCR_EL2.TGE sends EL0's exceptions to it.
    public static func targetEL(_ s: Source) -> Int {
        if s.el >= 1 && !s.isAArch32 { return s.el }
        let el2Enabled = s.hcrEL2 != nil && (s.scr & 1 != 0 || s.scr & (1 << 18) != 0)   // NS or EEL2
        if el2Enabled, let hcr = s.hcrEL2, hcr & (1 << 27) != 0 { return 2 }           // TGE
        return 1
    }

    /// Whether the target EL runs AArch64, which is all this injection can enter (as TF-A's
    /// inject_undef64). Only an AArch32 EL0 task under an AArch64 EL1 or EL2 qualifies among
    /// AArch32 callers; an AArch32 EL1 (HCR_EL2.RW = 0 under a hypervisor) does not.
    public static func canInject(_ s: Source, target: Int) -> Bool {
        guard s.isAArch32 else { return true }
        guard s.spsr & 0xF == 0 else { return false }                 // not User mode: AArch32 EL1
        if target == 1, let hcr = s.hcrEL2, hcr & (1 << 31) == 0 { return false }   // EL1 is AArch32
        return true
    }

    /// Offset of the vector in VBAR_ELx: current EL with SP_EL0 0x000, with SP_ELx 0x200,
    /// lower EL in AArch64 0x400, lower EL in AArch32 0x600 (each + 0 for a synchronous exception).
    public static func vectorOffset(_ s: Source, target: Int) -> UInt64 {
        if s.el == target && !s.isAArch32 { return s.usesSPx ? 0x200 : 0x000 }
        return s.isAArch32 ? 0x600 : 0x400
    }

    /// The PSTATE the target EL starts its handler with (AArch64.TakeException): ELxh, DAIF
    /// masked, IL and SS clear, NZCV and DIT kept, and the feature-dependent bits.
    /// `sctlr` is SCTLR of the target EL; `gcscr` is its GCSCR (read only with FEAT_GCS).
    public static func handlerPSTATE(_ s: Source, target: Int, sctlr: UInt64, gcscr: UInt64,
                                     features f: Features) -> UInt64 {
        let old = s.spsr
        var new: UInt64 = (target == 2 ? 0x9 : 0x5) | 0xF << 6       // M = ELxh, DAIF
        new |= old & (0xF << 28)                                       // NZCV
        new |= old & (1 << 24)                                         // DIT
        if !f.bti { new |= old & (3 << 10) }                           // BTYPE cleared with BTI
        if f.ssbs { new |= sctlr & (1 << 44) != 0 ? 1 << 12 : 0 } else { new |= old & (1 << 12) }
        if f.nmi { new |= sctlr & (1 << 45) != 0 ? 0 : 1 << 13 } else { new |= old & (1 << 13) }  // ALLINT = !SPINTMASK
        let tge = (s.hcrEL2 ?? 0) & (1 << 27) != 0
        new |= old & (1 << 22)                                         // PAN
        if f.pan && (target == 1 || (target == 2 && tge)) && sctlr & (1 << 23) == 0 { new |= 1 << 22 }
        if !f.uao { new |= old & (1 << 23) }                           // UAO cleared with FEAT_UAO
        new |= f.mte2 ? 1 << 25 : old & (1 << 25)                      // TCO: tag checks off
        if f.gcs { new |= gcscr & (1 << 6) != 0 ? 1 << 34 : 0 } else { new |= old & (1 << 34) }  // EXLOCK
        return new
    }

    /// The syndrome the target EL sees for a trap EL3 does not serve: an UNDEFINED instruction
    /// (EC 0, "unknown reason"), with the trapped instruction's length bit.
    public static func undefinedSyndrome(trappedESR: UInt64) -> UInt64 {
        ecUnknown << 26 | trappedESR & il
    }

    /// The syndrome for an external abort that SCR_EL3.EA routed to EL3, as the target EL would
    /// have seen it: the same ISS, with the "same EL" class when the caller runs at that EL.
    public static func abortSyndrome(trappedESR: UInt64, sourceEL: Int, target: Int) -> UInt64? {
        let ec = (trappedESR >> 26) & 0x3F
        let same = sourceEL == target
        let newEC: UInt64
        switch ec {
        case ecInstructionAbortLower: newEC = same ? ecInstructionAbortSame : ecInstructionAbortLower
        case ecDataAbortLower: newEC = same ? ecDataAbortSame : ecDataAbortLower
        default: return nil
        }
        return newEC << 26 | trappedESR & (il | 0x1FF_FFFF)
    }

    /// Everything the monitor writes: the target EL's ELR/SPSR/ESR (the caller's PC and PSTATE,
    /// the syndrome) and the new ELR_EL3/SPSR_EL3 that enter the target's vector.
    public struct Plan: Equatable, Sendable {
        public var target: Int
        public var elrTarget: UInt64
        public var spsrTarget: UInt64
        public var esrTarget: UInt64
        public var elrEL3: UInt64
        public var spsrEL3: UInt64
    }

    public static func plan(_ s: Source, elr: UInt64, esr: UInt64, target: Int, vbar: UInt64,
                            sctlr: UInt64, gcscr: UInt64, features: Features) -> Plan {
        Plan(target: target, elrTarget: elr, spsrTarget: s.spsr, esrTarget: esr,
             elrEL3: vbar &+ vectorOffset(s, target: target),
             spsrEL3: handlerPSTATE(s, target: target, sctlr: sctlr, gcscr: gcscr, features: features))
    }
}
