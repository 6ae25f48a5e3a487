import Hardware

/// System power through QEMU's secure PL061 (virt wires pin 0 to power-off and pin 1 to reset,
/// as TF-A's QEMU platform uses them); semihosting exit is the fallback for power-off.
enum Power {
    static let GPIODIR: UInt64 = 0x400

    static func drive(pin: UInt32) {
        let base = QEMUVirt.secureGPIO
        hw_mmio_write32(base + GPIODIR, hw_mmio_read32(base + GPIODIR) | 1 << pin)
        hw_mmio_write32(base + (UInt64(1 << pin) << 2), 1 << pin)  // address bits 9:2 mask the data
    }

    static func off() -> Never {
        drive(pin: 0)
        hw_semihosting_exit(0)
        while true { hw_wfi() }
    }

    static func reset() -> Never {
        drive(pin: 1)
        while true { hw_wfi() }
    }
}
