import Platform

/// The proof build's additions to the normal world (build/proof/normal.elf; the product's
/// defaults are in Sources/Images/NormalWorld/ImageExtensions.swift).
enum ImageExtensions {
    /// Commands for the proof tests (hostile normal world, benchmarks, EL3 traps and the GIC, RX/TX
    /// placement, a full variable store, ExitBootServices and a test OS calling the runtime services).
    static var commands: [Command] {
        [Commands.hostileCommand, Commands.benchCommand, Commands.sysregsCommand, Commands.irqtestCommand,
         Commands.rxtxCommand, Commands.fillStoreCommand, Commands.stringTestCommand, Commands.benchAuthCommand,
         Commands.el1KeepCommand, Commands.exitbsCommand]
    }

    /// Exceptions that a proof command provokes on purpose (and, at EL2, the set/way operations
    /// the self-test traps); anything else is a crash.
    static func handleException(_ frame: ExceptionFrame, kind: UInt64, el: Int) -> Bool {
        if el == 2 && kind == 8 && SetWaySelfTest.recordTrap(frame) { return true }
        return ExpectedException.handle(frame, kind: kind) || InterruptProbe.handle(frame, kind: kind)
    }

    /// "setway": HCR_EL2.TSW traps every set/way operation at EL1 to the stub, which records it.
    static func el2StubTraps(_ mode: [UInt8]) -> UInt64? {
        guard mode.starts(with: [0x73, 0x65, 0x74, 0x77, 0x61, 0x79]) else { return nil }  // "setway"
        SetWaySelfTest.startRecording()
        return SetWaySelfTest.HCR_TSW
    }

    static func shellAtEL1() {
        if SetWaySelfTest.log != nil { SetWaySelfTest.run() }
    }
}
