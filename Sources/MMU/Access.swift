/// What a mapping lets software at the regime's exception level do with it. Nothing is both
/// writable and executable except `.readWriteExecute`, which only the normal world's boot map
/// uses and which SCTLR_ELx.WXN turns execute-never.
public enum Access: Equatable, Sendable {
    /// Normal memory, read-only, executable: an image's text.
    case code
    /// Normal memory, read-only, execute-never: read-only data.
    case readOnly
    /// Normal memory, read/write, execute-never: data, stacks, heaps, shared buffers.
    case readWrite
    /// Normal memory, read/write and executable (no W^X).
    case readWriteExecute
    /// Device-nGnRnE, read/write, execute-never: MMIO and flash.
    case device

    public var isWritable: Bool { self != .code && self != .readOnly }
    public var isExecutable: Bool { self == .code || self == .readWriteExecute }
}

/// The translation regime the tables serve: EL1&0 has two privilege levels (UXN and PXN, AP[1]
/// grants EL0), EL2 (E2H = 0) and EL3 have one (a single XN bit, AP[1] RES1).
public enum Regime: Equatable, Sendable {
    case el1, el2, el3

    public init(el: Int) { self = el == 3 ? .el3 : el == 2 ? .el2 : .el1 }
}

/// Stage-1 VMSAv8-64 block and page descriptor bits (Arm ARM D8.3, 4 KiB granule).
public enum Descriptor {
    public static let valid: UInt64 = 1 << 0
    /// Bit 1: a table (levels 0-2) or a page (level 3); clear for a block (levels 1-2).
    public static let tableOrPage: UInt64 = 1 << 1
    /// AttrIndx[2:0], bits 4:2, into MAIR (index 0 device, 1 normal: see `mair`).
    public static let attrIndexShift: UInt64 = 2
    /// NS, bit 5: the output address is in the non-secure PA space (secure regimes only).
    public static let nonSecure: UInt64 = 1 << 5
    /// AP[1], bit 6: EL0 access in EL1&0; RES1 in the EL2 and EL3 regimes.
    public static let ap1: UInt64 = 1 << 6
    /// AP[2], bit 7: read-only.
    public static let readOnly: UInt64 = 1 << 7
    /// SH[1:0], bits 9:8 = 0b11: inner shareable.
    public static let innerShareable: UInt64 = 3 << 8
    /// AF, bit 10: the access flag (set, so no access-flag faults).
    public static let accessFlag: UInt64 = 1 << 10
    /// PXN, bit 53 (EL1&0 only; RES0 in EL2/EL3).
    public static let pxn: UInt64 = 1 << 53
    /// UXN in EL1&0, XN in EL2 and EL3: bit 54.
    public static let xn: UInt64 = 1 << 54
    /// The output address of a 48-bit PA, bits 47:12.
    public static let outputAddressMask: UInt64 = 0x0000_FFFF_FFFF_F000
    /// Attribute bits a split block hands down to its finer entries: 63:50 and 11:2.
    public static let attributeMask: UInt64 = 0xFFFC_0000_0000_0FFC

    /// MAIR_ELx: index 0 Device-nGnRnE (0x00), index 1 Normal inner/outer write-back RA/WA (0xFF).
    public static let mair: UInt64 = 0x00 | 0xFF << 8

    /// The lower and upper attributes of a block or page mapping `access` in `regime`.
    public static func attributes(_ access: Access, nonSecure ns: Bool, regime: Regime) -> UInt64 {
        var a = accessFlag
        if access == .device { a |= 0 << attrIndexShift } else { a |= 1 << attrIndexShift | innerShareable }
        if !access.isWritable { a |= readOnly }
        if ns { a |= nonSecure }
        switch regime {
        case .el1:
            a |= xn                                   // nothing runs at EL0
            if !access.isExecutable { a |= pxn }
        case .el2, .el3:
            a |= ap1
            if !access.isExecutable { a |= xn }
        }
        return a
    }

    /// The access a descriptor grants at the regime's privileged level (nil: not a block/page).
    public static func access(of d: UInt64, regime: Regime) -> Access? {
        guard d & valid != 0 else { return nil }
        if (d >> attrIndexShift) & 7 == 0 { return .device }
        let executable = regime == .el1 ? d & pxn == 0 : d & xn == 0
        let writable = d & readOnly == 0
        switch (writable, executable) {
        case (false, true): return .code
        case (false, false): return .readOnly
        case (true, false): return .readWrite
        case (true, true): return .readWriteExecute
        }
    }
}
