import Hardware
import Variables

/// The CPU's CRC32 instructions (FEAT_CRC32) for the variable log's checksums: 8 bytes a step.
public enum CRC32Instructions {
    /// ID_AA64ISAR0_EL1.CRC32, bits [19:16]: non-zero when CRC32B..CRC32X exist.
    public static var available: Bool { (hw_read_id_aa64isar0() >> 16) & 0xF != 0 }

    /// Installs the instructions as `VariableLogCRC32.accelerator` when the CPU has them.
    public static func install() {
        if available { VariableLogCRC32.accelerator = { state, start, count in CRC32Instructions.update(state, start, count) } }
    }

    /// Bytes up to an 8-byte boundary, aligned 64-bit words, a 32-bit word, then the tail.
    static func update(_ state: UInt32, _ start: UnsafeRawPointer?, _ count: Int) -> UInt32 {
        guard let start else { return state }
        var c = state
        var p = UInt(bitPattern: start)
        let end = p + UInt(count)
        while p < end && p & 7 != 0 { c = hw_crc32b(c, UInt32(unsafe UnsafePointer<UInt8>(bitPattern: p)!.pointee)); p += 1 }
        while end - p >= 8 { c = hw_crc32x(c, unsafe UnsafePointer<UInt64>(bitPattern: p)!.pointee); p += 8 }
        if end - p >= 4 { c = hw_crc32w(c, unsafe UnsafePointer<UInt32>(bitPattern: p)!.pointee); p += 4 }
        while p < end { c = hw_crc32b(c, UInt32(unsafe UnsafePointer<UInt8>(bitPattern: p)!.pointee)); p += 1 }
        return c
    }
}
