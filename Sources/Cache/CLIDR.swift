/// The kind of cache at one level, CLIDR_EL1.Ctype<n> (Arm ARM D23.2 "CLIDR_EL1").
public enum CacheType: Equatable, Sendable {
    case none               // 0b000
    case instructionOnly    // 0b001
    case dataOnly           // 0b010
    case separate           // 0b011: separate instruction and data caches
    case unified            // 0b100
    case reserved(UInt8)    // 0b101...0b111

    public init(field: UInt8) {
        switch field & 0b111 {
        case 0: self = .none
        case 1: self = .instructionOnly
        case 2: self = .dataOnly
        case 3: self = .separate
        case 4: self = .unified
        default: self = .reserved(field & 0b111)
        }
    }

    public var field: UInt8 {
        switch self {
        case .none: return 0
        case .instructionOnly: return 1
        case .dataOnly: return 2
        case .separate: return 3
        case .unified: return 4
        case .reserved(let v): return v & 0b111
        }
    }

    /// Whether the set/way walk visits this level: Ctype ≥ 2, the same unsigned compare the
    /// assembly does (so a reserved Ctype is walked too, as in every set/way loop we know of).
    public var isWalkedBySetWay: Bool { field >= 2 }
}

/// CLIDR_EL1, the cache level ID register. Levels here are 0-based (0 = L1), the numbering of
/// CSSELR_EL1.Level and of the set/way operand's Level field.
public struct CLIDR: Equatable, Sendable {
    public var raw: UInt64

    /// Ctype1...Ctype7: seven levels at most.
    public static let levelCount = 7

    public init(_ raw: UInt64) { self.raw = raw }

    /// Ctype of `level` (0-based), bits [3·level+2 : 3·level]; `.none` outside 0..<7.
    public func cacheType(level: Int) -> CacheType {
        guard level >= 0, level < CLIDR.levelCount else { return .none }
        return CacheType(field: UInt8(truncatingIfNeeded: raw >> UInt64(3 * level)))
    }

    /// LoUIS [23:21]: level of unification, inner shareable.
    public var levelOfUnificationInnerShareable: Int { Int((raw >> 21) & 0b111) }
    /// LoC [26:24]: level of coherence. The set/way walk covers levels 0..<LoC.
    public var levelOfCoherence: Int { Int((raw >> 24) & 0b111) }
    /// LoUU [29:27]: level of unification, uniprocessor.
    public var levelOfUnificationUniprocessor: Int { Int((raw >> 27) & 0b111) }
    /// ICB [32:30]: inner cache boundary (0 = not disclosed).
    public var innerCacheBoundary: Int { Int((raw >> 30) & 0b111) }

    /// The levels a whole-cache set/way operation visits, in order: 0..<LoC with Ctype ≥ 2.
    public var setWayLevels: [Int] {
        var levels: [Int] = []
        for level in 0..<levelOfCoherence where cacheType(level: level).isWalkedBySetWay {
            levels.append(level)
        }
        return levels
    }
}
