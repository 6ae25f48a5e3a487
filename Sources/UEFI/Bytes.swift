/// Little-endian fields of the tables this module lays out (UEFI is little-endian on AArch64).
/// Out of line: inlined, each field access costs its own bounds checks and loop (-Osize).
extension Array where Element == UInt8 {
    @inline(never)
    func le(_ offset: Int, _ count: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<count { v |= UInt64(self[offset + i]) << (8 * UInt64(i)) }
        return v
    }

    @inline(never)
    mutating func put(_ value: UInt64, at offset: Int, _ count: Int = 8) {
        for i in 0..<count { self[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }
}
