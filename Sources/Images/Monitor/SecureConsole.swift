import Platform

/// FFA_CONSOLE_LOG output and the monitor's run-time log go to the secure UART (UART1), kept
/// apart from the normal world's console.
enum SecureConsole {
    static let uart = PL011(base: QEMUVirt.uart1)
    static func put(_ b: UInt8) { uart.write(b) }

    /// Runs `body` with Console's formatting writing to the secure UART.
    static func log(_ body: () -> Void) {
        let saved = Console.uart
        Console.uart = .pl011(uart)
        body()
        Console.uart = saved
    }
}
