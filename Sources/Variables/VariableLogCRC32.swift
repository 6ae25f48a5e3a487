/// CRC-32 as in IEEE 802.3 / zlib (reflected polynomial 0xEDB88320, initial value and final XOR
/// 0xFFFFFFFF); `crc32("123456789") == 0xCBF43926`. A byte-wise table in software; an image whose
/// CPU has the CRC32 instructions installs them as `accelerator` (Platform reads ID_AA64ISAR0).
public struct VariableLogCRC32 {
    public private(set) var state: UInt32 = 0xFFFF_FFFF

    /// Advances a raw (not inverted) state over `count` bytes at `start`: the same function as
    /// `step`, done by the CPU's CRC32 instructions. Set once at boot, before any store use.
    public typealias Accelerator = @convention(c) (UInt32, UnsafeRawPointer?, Int) -> UInt32
    nonisolated(unsafe) public static var accelerator: Accelerator? = nil

    public init() {}

    /// Resumes a computation from a raw state (`state` of an earlier value).
    public init(resuming state: UInt32) { self.state = state }

    public mutating func update(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        let stop = min(end ?? bytes.count, bytes.count)
        let first = max(start, 0)
        guard first < stop else { return }
        bytes.withUnsafeBytes { raw in
            update(UnsafeRawBufferPointer(rebasing: raw[first..<stop]))
        }
    }

    /// Advances over the bytes of `raw`.
    public mutating func update(_ raw: UnsafeRawBufferPointer) {
        guard let base = raw.baseAddress, raw.count > 0 else { return }
        if let hardware = VariableLogCRC32.accelerator {
            state = hardware(state, base, raw.count)
            return
        }
        var c = state
        for byte in raw {
            c = (c >> 8) ^ VariableLogCRC32.table(UInt8(truncatingIfNeeded: c) ^ byte)
        }
        state = c
    }

    public var value: UInt32 { state ^ 0xFFFF_FFFF }

    /// CRC-32 of `bytes[start..<end]`.
    public static func checksum(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) -> UInt32 {
        var c = VariableLogCRC32()
        c.update(bytes, from: start, to: end)
        return c.value
    }

    /// CRC-32 of `raw`.
    public static func checksum(_ raw: UnsafeRawBufferPointer) -> UInt32 {
        var c = VariableLogCRC32()
        c.update(raw)
        return c.value
    }

    /// The CRC of the byte `n` shifted through the reflected polynomial, from the 16-word
    /// nibble table (no 1 KiB table in the images: they use the instructions).
    @inline(__always)
    static func table(_ n: UInt8) -> UInt32 {
        var c = UInt32(n)
        c = (c >> 4) ^ nibble(c & 0xF)
        c = (c >> 4) ^ nibble(c & 0xF)
        return c
    }

    /// The CRC of the 4-bit value `n` shifted through the reflected polynomial.
    @inline(__always)
    static func nibble(_ n: UInt32) -> UInt32 {
        switch n {
        case 0: 0x0000_0000
        case 1: 0x1DB7_1064
        case 2: 0x3B6E_20C8
        case 3: 0x26D9_30AC
        case 4: 0x76DC_4190
        case 5: 0x6B6B_51F4
        case 6: 0x4DB2_6158
        case 7: 0x5005_713C
        case 8: 0xEDB8_8320
        case 9: 0xF00F_9344
        case 10: 0xD6D6_A3E8
        case 11: 0xCB61_B38C
        case 12: 0x9B64_C2B0
        case 13: 0x86D3_D2D4
        case 14: 0xA00A_E278
        default: 0xBDBD_F21C
        }
    }
}
