import Board
import DeviceTree

/// What the normal world takes from the board (board.h) where the DTB says nothing.
enum BoardDefaults {
    /// RAM when the DTB has no /memory.
    static let ram = FDTRegion(base: UInt64(BOARD_RAM_BASE), size: UInt64(BOARD_RAM_DEFAULT_SIZE))
    /// Flash and devices: everything below RAM, mapped as device memory.
    static let deviceEnd = UInt64(BOARD_RAM_BASE)
    /// Where QEMU puts the DTB for payloads it loads itself, and the slot it may grow in.
    static let dtb = UInt64(BOARD_DTB_BASE)
    static let dtbSlot = UInt64(BOARD_DTB_SIZE)
    /// `qfw load` and `booti` defaults (U-Boot's kernel_addr_r and ramdisk_addr_r).
    static let kernel = UInt64(BOARD_KERNEL_LOAD)
    static let initrd = UInt64(BOARD_INITRD_LOAD)
    /// fw_cfg when there is no DTB at all.
    static let fwCfg = UInt64(BOARD_FW_CFG)
}
