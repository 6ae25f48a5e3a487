/// The QEMU `virt` secure platform (docs/design.md memory map; TF-A's QEMU platform uses the same).
enum QEMUVirt {
    static let flashBase: UInt64 = 0x0000_0000
    static let flashSize: UInt64 = 0x0400_0000
    static let partitionInFlash: UInt64 = 0x0008_0000     // the MM partition's image
    static let partitionImageSize: UInt64 = 0x0008_0000
    static let bl33HeaderInFlash: UInt64 = 0x0010_0000    // "BL33" header, then the payload
    static let bl33PayloadInFlash: UInt64 = 0x0010_1000
    static let variableStore: UInt64 = 0x03F0_0000         // last 1 MiB of flash0
    static let gicDistributor: UInt64 = 0x0800_0000
    static let gicCPUInterface: UInt64 = 0x0801_0000     // GICv2 only
    static let gicRedistributors: UInt64 = 0x080A_0000   // GICv3 only
    static let uart0: UInt64 = 0x0900_0000
    static let uart1: UInt64 = 0x0904_0000                 // secure UART
    static let secureGPIO: UInt64 = 0x090B_0000            // PL061: pin 0 power-off, pin 1 reset
    static let secureSRAM: UInt64 = 0x0E00_0000
    static let secureSRAMSize: UInt64 = 0x0100_0000
    static let partitionBase: UInt64 = 0x0E10_0000
    static let partitionSize: UInt64 = 0x0050_0000
    static let ramBase: UInt64 = 0x4000_0000
    static let dtb: UInt64 = 0x4000_0000
    static let dtbSlot: UInt64 = 0x0010_0000
    static let mmBuffer: UInt64 = 0x4010_0000
    static let mmBufferSize: UInt64 = 0x1_0000
    static let bl33Base: UInt64 = 0x6000_0000
    static let bl33Magic: UInt64 = 0x3333_4C42_4D49_5753      // "SWIMBL33" little-endian
}
