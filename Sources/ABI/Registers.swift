/// The general-purpose registers x0..x17 that carry an SMCCC v1.2 call and its result.
///
/// One value type in and out of every call across worlds (SMCCC v1.2 §2.6: SMC64/HVC64 calls
/// pass arguments in x1..x17 and results in x0..x17). The layout is shared with the assembly
/// trampolines and the monitor's context save: 18 consecutive 64-bit words.
public struct Registers: Equatable, Sendable {
    public var x0: UInt64 = 0, x1: UInt64 = 0, x2: UInt64 = 0, x3: UInt64 = 0
    public var x4: UInt64 = 0, x5: UInt64 = 0, x6: UInt64 = 0, x7: UInt64 = 0
    public var x8: UInt64 = 0, x9: UInt64 = 0, x10: UInt64 = 0, x11: UInt64 = 0
    public var x12: UInt64 = 0, x13: UInt64 = 0, x14: UInt64 = 0, x15: UInt64 = 0
    public var x16: UInt64 = 0, x17: UInt64 = 0

    public static let count = 18

    public init() {}

    public init(_ x0: UInt64, _ x1: UInt64 = 0, _ x2: UInt64 = 0, _ x3: UInt64 = 0,
                _ x4: UInt64 = 0, _ x5: UInt64 = 0, _ x6: UInt64 = 0, _ x7: UInt64 = 0) {
        self.x0 = x0; self.x1 = x1; self.x2 = x2; self.x3 = x3
        self.x4 = x4; self.x5 = x5; self.x6 = x6; self.x7 = x7
    }

    /// Register `xN` by number (0...17); out-of-range reads are 0 and writes are ignored. One
    /// load or store at the register's word (the layout is 18 consecutive words, shared with the
    /// assembly): a switch here was a jump table at every access.
    public subscript(index: Int) -> UInt64 {
        get {
            guard index >= 0, index < Registers.count else { return 0 }
            var copy = self  // a local the optimiser keeps in place of `self`
            return withUnsafeBytes(of: &copy) { $0.load(fromByteOffset: index &* 8, as: UInt64.self) }
        }
        set {
            guard index >= 0, index < Registers.count else { return }
            withUnsafeMutableBytes(of: &self) { $0.storeBytes(of: newValue, toByteOffset: index &* 8, as: UInt64.self) }
        }
    }

    /// `wN`: the low 32 bits. SMC32 results are compared on these only (SMCCC: upper halves
    /// are unspecified; some firmware answers a full 64-bit -1).
    public func w(_ index: Int) -> UInt32 { UInt32(truncatingIfNeeded: self[index]) }
}

extension Registers {
    /// `self` with x0...x(`count` - 1) taken from `answer`. The callee of an SMCCC v1.1+ call
    /// writes only the registers that carry its results and preserves every other one: x4...x17
    /// "unless they contain results" (DEN0028 v1.2). So an answer is written over the registers
    /// of the world it goes to, never over zeros.
    @inlinable @inline(__always)
    public func overwriting(first count: Int, from answer: Registers) -> Registers {
        if count >= Registers.count { return answer }
        var out = self
        if count >= 8 {
            // The usual span, field by field: the subscript is a switch per access.
            out.x0 = answer.x0; out.x1 = answer.x1; out.x2 = answer.x2; out.x3 = answer.x3
            out.x4 = answer.x4; out.x5 = answer.x5; out.x6 = answer.x6; out.x7 = answer.x7
            for i in 8..<count { out[i] = answer[i] }
        } else {
            for i in 0..<count { out[i] = answer[i] }
        }
        return out
    }
}

extension Registers {
    /// The function ID in w0 with bit 16 (SMCCC v1.3's SVE live-state hint) cleared.
    @inlinable @inline(__always)
    public var function: UInt32 { UInt32(truncatingIfNeeded: x0) & ~0x0001_0000 }
}
