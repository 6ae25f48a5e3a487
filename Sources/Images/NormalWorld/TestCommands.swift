import Platform

extension Commands {
    /// Commands for the proof tests (hostile normal world, benchmarks, EL3 traps and the GIC, RX/TX
    /// placement, a full variable store).
    static let testCommands: [Command] = [hostileCommand, benchCommand, sysregsCommand, irqtestCommand, rxtxCommand,
                                          fillStoreCommand]

    /// Exceptions that a proof command provokes on purpose; anything else is a crash.
    static func handleTestException(_ frame: ExceptionFrame, kind: UInt64) -> Bool {
        ExpectedException.handle(frame, kind: kind) || InterruptProbe.handle(frame, kind: kind)
    }
}
