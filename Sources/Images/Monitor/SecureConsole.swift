import Platform

/// FFA_CONSOLE_LOG output goes to the secure UART (UART1), kept apart from the normal console.
enum SecureConsole {
    static let uart = PL011(base: QEMUVirt.uart1)
    static func put(_ b: UInt8) { uart.write(b) }
}
