/// Which layout CCSIDR_EL1 has: the Armv8.0 32-bit one, or the 64-bit one of FEAT_CCIDX.
public enum CCSIDRFormat: Equatable, Sendable {
    case legacy
    case ccidx
}

/// ID_AA64MMFR2_EL1 (read as `s3_0_c0_c7_2`); only the CCIDX field matters here.
public struct IDAA64MMFR2: Equatable, Sendable {
    public var raw: UInt64

    public init(_ raw: UInt64) { self.raw = raw }

    /// CCIDX [23:20]: 0b0000 = 32-bit CCSIDR, 0b0001 = 64-bit CCSIDR (FEAT_CCIDX).
    public var ccidx: UInt8 { UInt8((raw >> 20) & 0xF) }

    /// Any nonzero CCIDX selects the 64-bit layout (ID fields grow upward; the assembly tests
    /// the field with `cbnz`, so the two agree on reserved values too).
    public var ccsidrFormat: CCSIDRFormat { ccidx != 0 ? .ccidx : .legacy }
}

/// CCSIDR_EL1 for the cache CSSELR_EL1 selected (Arm ARM D23.2 "CCSIDR_EL1").
///
/// Legacy: LineSize [2:0], Associativity [12:3], NumSets [27:13] (bits [31:28] were Armv8.0
/// WT/WB/RA/WA hints and are ignored). FEAT_CCIDX: LineSize [2:0], Associativity [23:3],
/// NumSets [55:32]. LineSize = log2(line bytes) − 4; the other two fields are count − 1.
public struct CCSIDR: Equatable, Sendable {
    public var raw: UInt64
    public var format: CCSIDRFormat

    public init(_ raw: UInt64, format: CCSIDRFormat) { self.raw = raw; self.format = format }

    public var lineSizeField: UInt64 { raw & 0b111 }

    public var associativityField: UInt64 {
        switch format {
        case .legacy: return (raw >> 3) & 0x3FF
        case .ccidx: return (raw >> 3) & 0x1F_FFFF
        }
    }

    public var numSetsField: UInt64 {
        switch format {
        case .legacy: return (raw >> 13) & 0x7FFF
        case .ccidx: return (raw >> 32) & 0xFF_FFFF
        }
    }

    public var geometry: CacheGeometry {
        CacheGeometry(lineShift: Int(lineSizeField) + 4,
                      ways: UInt32(associativityField) + 1,
                      sets: UInt32(numSetsField) + 1)
    }
}

/// The shape of one cache level and the set/way operand it implies.
public struct CacheGeometry: Equatable, Sendable {
    /// L = log2(line bytes): 4...11 from CCSIDR.
    public let lineShift: Int
    /// 1...2^21 (CCIDX) or 1...2^10 (legacy).
    public let ways: UInt32
    /// 1...2^24 (CCIDX) or 1...2^15 (legacy).
    public let sets: UInt32

    public init(lineShift: Int, ways: UInt32, sets: UInt32) {
        precondition(lineShift >= 4 && lineShift <= 11 && ways >= 1 && sets >= 1, "not a CCSIDR geometry")
        self.lineShift = lineShift; self.ways = ways; self.sets = sets
    }

    public var lineBytes: UInt64 { 1 << UInt64(lineShift) }
    public var lineCount: UInt64 { UInt64(ways) * UInt64(sets) }
    /// At most 2^11 · 2^21 · 2^24 = 2^56: cannot overflow.
    public var sizeBytes: UInt64 { lineBytes * lineCount }

    /// A = ceil(log2(ways)), the width of the operand's way field (0 for a direct-mapped cache).
    public var wayBits: Int { ways <= 1 ? 0 : UInt32.bitWidth - (ways - 1).leadingZeroBitCount }

    /// 32 − A: where the way field starts. For one way this is 32 and the way is always 0, as
    /// with the assembly's `clz` of (ways − 1) = 0.
    public var wayShift: Int { 32 - wayBits }

    /// The DC CISW/ISW/CSW operand: way << (32 − A) | set << L | level << 1 (level 0-based).
    public func operand(level: Int, set: UInt32, way: UInt32) -> UInt64 {
        UInt64(way) << UInt64(wayShift) | UInt64(set) << UInt64(lineShift) | UInt64(level & 0b111) << 1
    }
}
