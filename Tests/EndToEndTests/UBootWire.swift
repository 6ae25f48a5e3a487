// A normal world that behaves like mainline U-Boot's FF-A bus (drivers/firmware/arm-ffa) and its
// MM variable client (lib/efi_loader/efi_variable_tee.c), as docs/mm-protocol.md "U-Boot's MM flow, step
// by step" describes them. It issues raw register calls and builds every MM message byte by byte
// with U-Boot's struct sizes, using none of this project's MM encoders: it is an independent writer
// against which the partition's layouts are checked.

/// Little-endian field access by explicit offsets (U-Boot's structs on AArch64).
func storeLE(_ value: UInt64, width: Int, into bytes: inout [UInt8], at offset: Int) {
    for i in 0..<width { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
}

func loadLE(width: Int, from bytes: [UInt8], at offset: Int) -> UInt64 {
    var v: UInt64 = 0
    for i in 0..<width { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
    return v
}

/// A u16 string as U-Boot holds one: UTF-16LE code units and a NUL (`u16_strsize` counts it).
func u16String(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    for unit in text.utf16 { out.append(UInt8(unit & 0xFF)); out.append(UInt8(unit >> 8)) }
    return out + [0, 0]
}

/// EFI_STATUS values, written out as U-Boot's efi.h has them.
enum EFIRaw {
    static let success: UInt64 = 0
    static let invalidParameter: UInt64 = 0x8000_0000_0000_0002
    static let unsupported: UInt64 = 0x8000_0000_0000_0003
    static let bufferTooSmall: UInt64 = 0x8000_0000_0000_0005
    static let deviceError: UInt64 = 0x8000_0000_0000_0007
    static let writeProtected: UInt64 = 0x8000_0000_0000_0008
    static let outOfResources: UInt64 = 0x8000_0000_0000_0009
    static let notFound: UInt64 = 0x8000_0000_0000_000E
    static let accessDenied: UInt64 = 0x8000_0000_0000_000F
    static let securityViolation: UInt64 = 0x8000_0000_0000_001A
}

/// The errno values U-Boot's FF-A code returns (`ffa_to_std_errno` and friends).
enum Errno: Int32, Equatable {
    case ok = 0
    case eperm = -1
    case eintr = -4
    case enomem = -12
    case eacces = -13
    case ebusy = -16
    case einval = -22
    case enodata = -61
    case eagain = -11
    case eopnotsupp = -95
    case ecanceled = -125
    case eproto = -71

    /// `ffa_to_std_errno`: FF-A error code → errno.
    init(ffaError code: UInt64) {
        switch Int32(truncatingIfNeeded: code) {
        case -1: self = .eopnotsupp
        case -2: self = .einval
        case -3: self = .enomem
        case -4: self = .ebusy
        case -5: self = .eintr
        case -6: self = .eacces
        case -7: self = .eagain
        case -8: self = .ecanceled
        default: self = .eproto
        }
    }
}
