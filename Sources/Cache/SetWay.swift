/// The data-cache maintenance instructions by set/way: SYS #0, C7, <CRm>, #2.
public enum SetWayInstruction: Equatable, Sendable {
    case invalidate         // DC ISW  (CRm = 6)
    case clean              // DC CSW  (CRm = 10)
    case cleanInvalidate    // DC CISW (CRm = 14)

    public var crm: UInt8 {
        switch self {
        case .invalidate: return 6
        case .clean: return 10
        case .cleanInvalidate: return 14
        }
    }

    public init?(crm: UInt8) {
        switch crm {
        case 6: self = .invalidate
        case 10: self = .clean
        case 14: self = .cleanInvalidate
        default: return nil
        }
    }
}

/// One set/way instruction as issued: which one, and its Xt operand.
public struct SetWayOperation: Equatable, Sendable {
    public var instruction: SetWayInstruction
    public var operand: UInt64

    public init(_ instruction: SetWayInstruction, _ operand: UInt64) {
        self.instruction = instruction; self.operand = operand
    }
}

/// A set/way instruction trapped to EL2 by HCR_EL2.TSW, from ESR_EL2.
///
/// EC 0x18 (trapped MSR, MRS or System instruction); ISS: Op0 [21:20], Op2 [19:17],
/// Op1 [16:14], CRn [13:10], Rt [9:5], CRm [4:1], Direction [0] (0 = write / SYS).
public struct SetWayTrap: Equatable, Sendable {
    public var instruction: SetWayInstruction
    /// The Xt register number; the handler reads the operand from the saved x[rt] (31 = xzr).
    public var rt: Int

    /// nil unless `esr` reports DC ISW, DC CSW or DC CISW.
    public init?(esr: UInt64) {
        let ec = (esr >> 26) & 0x3F
        let iss = esr & 0x1FF_FFFF
        let op0 = (iss >> 20) & 0b11, op2 = (iss >> 17) & 0b111, op1 = (iss >> 14) & 0b111
        let crn = (iss >> 10) & 0xF, crm = (iss >> 1) & 0xF, direction = iss & 1
        guard ec == 0x18, op0 == 1, op1 == 0, crn == 7, op2 == 2, direction == 0,
              let instruction = SetWayInstruction(crm: UInt8(crm)) else { return nil }
        self.instruction = instruction
        self.rt = Int((iss >> 5) & 0x1F)
    }
}

/// One level the walk visits (0-based) and its geometry.
public struct SetWayPass: Equatable, Sendable {
    public var level: Int
    public var geometry: CacheGeometry

    public init(level: Int, geometry: CacheGeometry) { self.level = level; self.geometry = geometry }
}

/// The exact sequence of set/way instructions the routines in `Startup/cache_setway.S` issue:
/// for each visited level in ascending order, sets from high to low, and for each set, ways
/// from high to low. Streams the operations without storing them.
public struct SetWaySequence: Sequence, Equatable, Sendable {
    public let instruction: SetWayInstruction
    public let passes: [SetWayPass]

    public init(instruction: SetWayInstruction, passes: [SetWayPass]) {
        self.instruction = instruction; self.passes = passes
    }

    /// `dcache_setway_level(level, invalidateOnly)`: empty unless `level` is 0...6 and its
    /// Ctype ≥ 2 (LoC does not limit it). `ccsidr` is that level's data/unified CCSIDR_EL1.
    public init(level: Int, clidr: CLIDR, ccsidr: CCSIDR, instruction: SetWayInstruction) {
        guard level >= 0, level < CLIDR.levelCount, clidr.cacheType(level: level).isWalkedBySetWay else {
            self.init(instruction: instruction, passes: [])
            return
        }
        self.init(instruction: instruction, passes: [SetWayPass(level: level, geometry: ccsidr.geometry)])
    }

    /// `dcache_clean_invalidate_all()` / `dcache_invalidate_all()`: levels 0..<LoC with
    /// Ctype ≥ 2. `ccsidr(level)` gives CCSIDR_EL1 with CSSELR_EL1 = level << 1.
    public init(allLevels clidr: CLIDR, instruction: SetWayInstruction, ccsidr: (Int) -> CCSIDR) {
        var passes: [SetWayPass] = []
        for level in clidr.setWayLevels {
            passes.append(SetWayPass(level: level, geometry: ccsidr(level).geometry))
        }
        self.init(instruction: instruction, passes: passes)
    }

    /// Instructions issued: Σ sets · ways over the visited levels (≤ 7 · 2^45, no overflow).
    public var count: UInt64 {
        var total: UInt64 = 0
        for pass in passes { total += pass.geometry.lineCount }
        return total
    }

    public var underestimatedCount: Int { count > UInt64(Int.max) ? Int.max : Int(count) }

    public func makeIterator() -> Iterator { Iterator(sequence: self) }

    public struct Iterator: IteratorProtocol {
        let sequence: SetWaySequence
        var passIndex = 0
        var set: UInt32 = 0
        var way: UInt32 = 0
        var inPass = false

        init(sequence: SetWaySequence) { self.sequence = sequence }

        public mutating func next() -> SetWayOperation? {
            guard passIndex < sequence.passes.count else { return nil }
            let pass = sequence.passes[passIndex]
            let g = pass.geometry
            if !inPass {
                set = g.sets - 1
                way = g.ways - 1
                inPass = true
            }
            let op = SetWayOperation(sequence.instruction, g.operand(level: pass.level, set: set, way: way))
            if way > 0 {
                way -= 1
            } else if set > 0 {
                set -= 1
                way = g.ways - 1
            } else {
                passIndex += 1
                inPass = false
            }
            return op
        }
    }
}
