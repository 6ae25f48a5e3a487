/// Arithmetic modulo an odd n of 2048, 3072 or 4096 bits with its top bit set, in Montgomery
/// form over fixed-width 64-bit limbs (least significant first). Every operation runs the same
/// instructions and memory accesses whatever the values: the loops depend only on the width, and
/// the final subtractions select by mask, not by branch.
public struct MontgomeryModulus {
    let n: [UInt64]
    let n0inv: UInt64  // −n⁻¹ mod 2⁶⁴
    let r2: [UInt64]   // R² mod n, R = 2^(64·limbs)
    var limbs: Int { n.count }

    /// From the big-endian modulus (no leading zero byte); nil when its width is not supported,
    /// it is even, or its top bit is clear.
    public init?(bigEndian bytes: [UInt8]) { self.init(bigEndian: bytes, 0..<bytes.count) }

    /// From `bytes[range]`, big-endian.
    init?(bigEndian bytes: [UInt8], _ range: Range<Int>) {
        let count = range.count
        guard count == 256 || count == 384 || count == 512, bytes[range.lowerBound] & 0x80 != 0,
              bytes[range.upperBound - 1] & 1 == 1 else { return nil }
        let n = MontgomeryModulus.limbs(bigEndian: bytes, range, count: count / 8)
        self.n = n
        // Newton's iteration doubles the correct low bits of the inverse each step: 1 → 64.
        var inv: UInt64 = 1
        for _ in 0..<6 { inv = inv &* (2 &- n[0] &* inv) }
        n0inv = 0 &- inv
        // R mod n = R − n (n > R/2). With 64·limbs = k·2^j (k odd): k doublings give R·2^k, and
        // each Montgomery squaring turns R·2^m into R·2^(2m), so j of them give R·R mod n.
        var x = [UInt64](repeating: 0, count: n.count)
        var borrow: UInt64 = 0
        for i in 0..<n.count {
            let (d, b1) = UInt64(0).subtractingReportingOverflow(n[i])
            let (d2, b2) = d.subtractingReportingOverflow(borrow)
            x[i] = d2
            borrow = (b1 ? 1 : 0) | (b2 ? 1 : 0)
        }
        var k = 64 * n.count, j = 0
        while k % 2 == 0 { k /= 2; j += 1 }
        for _ in 0..<k { MontgomeryModulus.doubleMod(&x, n) }
        for _ in 0..<j { x = MontgomeryModulus.multiply(x, x, n, n0inv) }
        r2 = x
    }

    /// Big-endian bytes to limbs, zero-extended to the modulus width by the caller's choice of count.
    static func limbs(bigEndian bytes: [UInt8], count: Int? = nil) -> [UInt64] {
        limbs(bigEndian: bytes, 0..<bytes.count, count: count ?? (bytes.count + 7) / 8)
    }

    /// `bytes[range]` (big-endian) as `count` limbs; bytes above them are dropped.
    static func limbs(bigEndian bytes: [UInt8], _ range: Range<Int>, count: Int) -> [UInt64] {
        var out = [UInt64](repeating: 0, count: count)
        var i = 0
        while i < range.count && i / 8 < count {
            out[i / 8] |= UInt64(bytes[range.upperBound - 1 - i]) << (8 * UInt64(i % 8))
            i += 1
        }
        return out
    }

    static func bigEndian(_ limbs: [UInt64]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: limbs.count * 8)
        for i in 0..<out.count {
            out[out.count - 1 - i] = UInt8(truncatingIfNeeded: limbs[i / 8] >> (8 * UInt64(i % 8)))
        }
        return out
    }

    /// x = 2x mod n, for x < n.
    static func doubleMod(_ x: inout [UInt64], _ n: [UInt64]) {
        var carry: UInt64 = 0
        for i in 0..<x.count {
            let top = x[i] >> 63
            x[i] = x[i] << 1 | carry
            carry = top
        }
        subtractIfNotBelow(&x, carry: carry, n)
    }

    /// x = x − n when (carry:x) ≥ n, chosen by mask.
    static func subtractIfNotBelow(_ x: inout [UInt64], carry: UInt64, _ n: [UInt64]) {
        var d = [UInt64](repeating: 0, count: x.count)
        var borrow: UInt64 = 0
        for i in 0..<x.count {
            let (a, b1) = x[i].subtractingReportingOverflow(n[i])
            let (b, b2) = a.subtractingReportingOverflow(borrow)
            d[i] = b
            borrow = (b1 ? 1 : 0) | (b2 ? 1 : 0)
        }
        // Keep d when there was a carry out or no borrow: (carry | ~borrow) & 1.
        let keep = 0 &- ((carry | (borrow ^ 1)) & 1)
        for i in 0..<x.count { x[i] = (d[i] & keep) | (x[i] & ~keep) }
    }

    /// a·b·R⁻¹ mod n (CIOS), for a, b < n.
    func multiply(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        MontgomeryModulus.multiply(a, b, n, n0inv)
    }

    static func multiply(_ a: [UInt64], _ b: [UInt64], _ n: [UInt64], _ n0inv: UInt64) -> [UInt64] {
        let k = n.count
        var t = [UInt64](repeating: 0, count: k + 2)
        for i in 0..<k {
            var carry: UInt64 = 0
            let bi = b[i]
            for j in 0..<k {
                (carry, t[j]) = multiplyAdd(a[j], bi, t[j], carry)
            }
            let (s, c) = t[k].addingReportingOverflow(carry)
            t[k] = s
            t[k + 1] = c ? 1 : 0
            let m = t[0] &* n0inv
            (carry, _) = multiplyAdd(m, n[0], t[0], 0)
            for j in 1..<k {
                (carry, t[j - 1]) = multiplyAdd(m, n[j], t[j], carry)
            }
            let (s2, c2) = t[k].addingReportingOverflow(carry)
            t[k - 1] = s2
            t[k] = t[k + 1] &+ (c2 ? 1 : 0)
        }
        var out = [UInt64](t[0..<k])
        subtractIfNotBelow(&out, carry: t[k], n)
        return out
    }

    /// (high, low) of x·y + a + c; never overflows 128 bits.
    @inline(__always)
    static func multiplyAdd(_ x: UInt64, _ y: UInt64, _ a: UInt64, _ c: UInt64) -> (UInt64, UInt64) {
        var (hi, lo) = x.multipliedFullWidth(by: y)
        let (l1, o1) = lo.addingReportingOverflow(a)
        let (l2, o2) = l1.addingReportingOverflow(c)
        lo = l2
        hi = hi &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
        return (hi, lo)
    }

    /// base^exponent mod n, big-endian in and out (width of n). `base` must be below n; the
    /// exponent is public (an RSA verification exponent), so its bits may steer the loop.
    public func power(bigEndian base: [UInt8], exponent: UInt64) -> [UInt8] {
        power(bigEndian: base, 0..<base.count, exponent: exponent)
    }

    func power(bigEndian base: [UInt8], _ range: Range<Int>, exponent: UInt64) -> [UInt8] {
        var one = [UInt64](repeating: 0, count: limbs)
        one[0] = 1
        let x = multiply(MontgomeryModulus.limbs(bigEndian: base, range, count: limbs), r2)  // x·R
        var acc = multiply(r2, one)  // 1·R
        var started = false
        var bit = 63
        while bit >= 0 {
            if started { acc = multiply(acc, acc) }
            if (exponent >> UInt64(bit)) & 1 == 1 {
                acc = started ? multiply(acc, x) : x
                started = true
            }
            bit -= 1
        }
        return MontgomeryModulus.bigEndian(multiply(acc, one))
    }

    /// Whether the big-endian `value` (of the modulus width) is below n.
    public func isBelow(bigEndian value: [UInt8]) -> Bool { isBelow(bigEndian: value, 0..<value.count) }

    func isBelow(bigEndian value: [UInt8], _ range: Range<Int>) -> Bool {
        guard range.count == limbs * 8 else { return false }
        let v = MontgomeryModulus.limbs(bigEndian: value, range, count: limbs)
        var borrow: UInt64 = 0
        for i in 0..<limbs {
            let (a, b1) = v[i].subtractingReportingOverflow(n[i])
            let (_, b2) = a.subtractingReportingOverflow(borrow)
            borrow = (b1 ? 1 : 0) | (b2 ? 1 : 0)
        }
        return borrow == 1
    }
}
