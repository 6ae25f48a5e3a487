import Board

/// The QEMU `virt` secure platform, named for the monitor; every value comes from board.h.
enum QEMUVirt {
    static let flashBase = UInt64(BOARD_FLASH_BASE)
    static let flashSize = UInt64(BOARD_FLASH_SIZE)
    static let partitionInFlash = UInt64(BOARD_PARTITION_FLASH_OFFSET)   // the MM partition's image
    static let partitionFlashSlot = UInt64(BOARD_PARTITION_FLASH_SLOT)
    static let bl33HeaderInFlash = UInt64(BOARD_BL33_HEADER_OFFSET)      // "BL33" header, then the payload
    static let bl33PayloadInFlash = UInt64(BOARD_BL33_PAYLOAD_OFFSET)
    static let bl33FlashSlot = UInt64(BOARD_BL33_FLASH_SLOT)             // up to the variable store
    static let gicDistributor = UInt64(BOARD_GIC_DISTRIBUTOR)
    static let gicCPUInterface = UInt64(BOARD_GIC_CPU_INTERFACE)         // GICv2 only
    static let gicRedistributors = UInt64(BOARD_GIC_REDISTRIBUTORS)      // GICv3 only
    static let uart0 = UInt64(BOARD_UART0)
    static let uart1 = UInt64(BOARD_UART1)                               // secure UART
    static let secureGPIO = UInt64(BOARD_SECURE_GPIO)                    // PL061: pin 0 power-off, pin 1 reset
    static let devicePage = UInt64(BOARD_DEVICE_PAGE)
    static let partitionBase = UInt64(BOARD_PARTITION_BASE)
    static let partitionSize = UInt64(BOARD_PARTITION_SIZE)
    static let ramBase = UInt64(BOARD_RAM_BASE)
    static let ramDefaultSize = UInt64(BOARD_RAM_DEFAULT_SIZE)
    static let dtb = UInt64(BOARD_DTB_BASE)
    static let dtbSlot = UInt64(BOARD_DTB_SIZE)
    static let mmBuffer = UInt64(BOARD_MM_BUFFER_BASE)
    static let mmBufferSize = UInt64(BOARD_MM_BUFFER_SIZE)
    static let bl33Base = UInt64(BOARD_BL33_BASE)
    static let bl33Magic = UInt64(BOARD_BL33_MAGIC)                      // "SWIMBL33" little-endian
}
