import Platform

@_extern(c, "probe_read32") func probe_read32(_ address: UInt64, _ value: UnsafeMutablePointer<UInt32>) -> Bool
@_extern(c, "probe_fixup") func probe_fixup(_ elr: UInt64) -> UInt64

/// Reads of addresses a user typed (`md`): where no memory or device answers (a translation
/// fault, an external abort), the read says so instead of stopping the machine.
/// Startup/probe.S holds the one load allowed to fault.
enum MemoryProbe {
    static func read32(_ address: UInt64) -> UInt32? {
        var word: UInt32 = 0
        return probe_read32(address, &word) ? word : nil
    }

    /// A data abort at the current EL on the probe's load resumes at its fault exit.
    @inline(never)   // one copy for the EL1 and EL2 handlers
    static func resume(_ frame: ExceptionFrame) -> Bool {
        guard frame.exceptionClass == 0x25 else { return false }
        let exit = probe_fixup(frame.elr)
        guard exit != 0 else { return false }
        frame.elr = exit
        return true
    }
}
