import Board
import Platform

/// The MM partition's image in flash starts with a header (Startup/partition_entry.S): a branch
/// to its entry, at +8 the magic "SWIMMMSP" and at +16 the image's size from its linker script.
/// The monitor copies exactly that many bytes (not the whole flash slot) and refuses an image
/// whose header is missing or whose size does not fit its flash slot or its secure SRAM slot.
enum PartitionImage {
    static let magic = UInt64(BOARD_PARTITION_MAGIC)
    static let headerSize: UInt64 = 24

    /// The bytes to copy (the size rounded up to 8, still within both slots), or nil with the
    /// reason logged.
    static func sizeInFlash() -> UInt64? {
        let header = unsafe UnsafePointer<UInt64>(bitPattern: UInt(QEMUVirt.partitionInFlash))!
        let found = unsafe header[1], size = unsafe header[2]
        let limit = min(QEMUVirt.partitionFlashSlot, QEMUVirt.partitionSize)
        guard found == magic else {
            Console.line("secure: the MM partition image in flash has no header (magic SWIMMMSP at +8); not loaded")
            return nil
        }
        guard size >= headerSize, size <= limit else {
            Console.write("secure: the MM partition image in flash claims "); Console.dec(size)
            Console.write(" bytes, outside 24..."); Console.dec(limit)
            Console.line(" (its flash and SRAM slots); not loaded")
            return nil
        }
        return (size + 7) & ~7
    }
}
