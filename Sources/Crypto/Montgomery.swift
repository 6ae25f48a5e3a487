/// Arithmetic modulo an odd n of 2048, 3072 or 4096 bits with its top bit set, in Montgomery
/// form over fixed-width 64-bit limbs (least significant first). Every operation runs the same
/// instructions and memory accesses whatever the values: the loops depend only on the width, and
/// the final subtractions select by mask, not by branch.
///
/// n and R² mod n are kept as the bytes of their limbs (8-aligned in the array's storage): the
/// image then has no array of `UInt64` and none of the code each array element type brings.
public struct MontgomeryModulus {
    let n: [UInt8]
    let n0inv: UInt64  // −n⁻¹ mod 2⁶⁴
    let r2: [UInt8]    // R² mod n, R = 2^(64·limbs)
    var limbs: Int { n.count / 8 }

    /// From the big-endian modulus (no leading zero byte); nil when its width is not supported,
    /// it is even, or its top bit is clear.
    public init?(bigEndian bytes: [UInt8]) { self.init(bigEndian: bytes, 0..<bytes.count) }

    /// From `bytes[range]`, big-endian.
    init?(bigEndian bytes: [UInt8], _ range: Range<Int>) {
        let count = range.count
        guard count == 256 || count == 384 || count == 512, bytes[range.lowerBound] & 0x80 != 0,
              bytes[range.upperBound - 1] & 1 == 1 else { return nil }
        let k = count / 8
        var nBytes = [UInt8](repeating: 0, count: count)
        nBytes.withUnsafeMutableBytes { o in
            bytes.withUnsafeBufferPointer { b in MontgomeryModulus.limbs(bigEndian: b, range, count: k, into: MontgomeryModulus.words(o)) }
        }
        n = nBytes
        // Newton's iteration doubles the correct low bits of the inverse each step: 1 → 64.
        let n0 = nBytes.withUnsafeBytes { MontgomeryModulus.words($0)[0] }
        var inv: UInt64 = 1
        for _ in 0..<6 { inv = inv &* (2 &- n0 &* inv) }
        let n0inv = 0 &- inv
        self.n0inv = n0inv
        // R mod n = R − n (n > R/2). With 64·limbs = k·2^j (k odd): k doublings give R·2^k, and
        // each Montgomery squaring turns R·2^m into R·2^(2m), so j of them give R·R mod n.
        var xBytes = [UInt8](repeating: 0, count: count)
        nBytes.withUnsafeBytes { np in
            xBytes.withUnsafeMutableBytes { xp in
                let n = UnsafePointer(MontgomeryModulus.words(np)), x = MontgomeryModulus.words(xp)
                var borrow: UInt64 = 0
                for i in 0..<k { (x[i], borrow) = MontgomeryModulus.subtract(0, n[i], borrow) }
                var odd = 64 * k, j = 0
                while odd % 2 == 0 { odd /= 2; j += 1 }
                for _ in 0..<odd { MontgomeryModulus.doubleMod(x, n, k) }
                let t = UnsafeMutablePointer<UInt64>.allocate(capacity: k + 2)
                defer { t.deallocate() }
                for _ in 0..<j { MontgomeryModulus.multiply(x, x, n, k, n0inv, t, into: x) }
            }
        }
        r2 = xBytes
    }

    /// The limbs an array of limb bytes holds (its storage is 16-aligned).
    static func words(_ bytes: UnsafeRawBufferPointer) -> UnsafeMutablePointer<UInt64> {
        UnsafeMutablePointer(mutating: bytes.baseAddress!.assumingMemoryBound(to: UInt64.self))
    }

    static func words(_ bytes: UnsafeMutableRawBufferPointer) -> UnsafeMutablePointer<UInt64> {
        bytes.baseAddress!.assumingMemoryBound(to: UInt64.self)
    }

    /// Big-endian bytes to limbs, zero-extended to the modulus width by the caller's choice of count.
    static func limbs(bigEndian bytes: [UInt8], count: Int? = nil) -> [UInt64] {
        limbs(bigEndian: bytes, 0..<bytes.count, count: count ?? (bytes.count + 7) / 8)
    }

    /// `bytes[range]` (big-endian) as `count` limbs; bytes above them are dropped.
    static func limbs(bigEndian bytes: [UInt8], _ range: Range<Int>, count: Int) -> [UInt64] {
        var out = [UInt64](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { o in
            bytes.withUnsafeBufferPointer { b in limbs(bigEndian: b, range, count: count, into: o.baseAddress!) }
        }
        return out
    }

    /// The same into `out`: limb i holds bytes 8i..8i+7 counted from the range's end.
    static func limbs(bigEndian bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, count: Int,
                      into out: UnsafeMutablePointer<UInt64>) {
        for i in 0..<count {
            var v: UInt64 = 0
            for j in 0..<8 where 8 * i + j < range.count {
                v |= UInt64(bytes[range.upperBound - 1 - (8 * i + j)]) << (8 * UInt64(j))
            }
            out[i] = v
        }
    }

    static func bigEndian(_ limbs: [UInt64]) -> [UInt8] {
        limbs.withUnsafeBufferPointer { bigEndian($0.baseAddress!, limbs.count) }
    }

    static func bigEndian(_ limbs: UnsafePointer<UInt64>, _ k: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: k * 8)
        out.withUnsafeMutableBufferPointer { o in
            for i in 0..<(k * 8) { o[k * 8 - 1 - i] = UInt8(truncatingIfNeeded: limbs[i / 8] >> (8 * UInt64(i % 8))) }
        }
        return out
    }

    /// (a − b − borrow, the borrow out) for a borrow of 0 or 1.
    @inline(__always)
    static func subtract(_ a: UInt64, _ b: UInt64, _ borrow: UInt64) -> (UInt64, UInt64) {
        let (d, b1) = a.subtractingReportingOverflow(b)
        let (d2, b2) = d.subtractingReportingOverflow(borrow)
        return (d2, (b1 ? 1 : 0) | (b2 ? 1 : 0))
    }

    /// x = 2x mod n, for x < n.
    static func doubleMod(_ x: inout [UInt64], _ n: [UInt64]) {
        let k = x.count
        n.withUnsafeBufferPointer { np in x.withUnsafeMutableBufferPointer { doubleMod($0.baseAddress!, np.baseAddress!, k) } }
    }

    static func doubleMod(_ x: UnsafeMutablePointer<UInt64>, _ n: UnsafePointer<UInt64>, _ k: Int) {
        var carry: UInt64 = 0
        for i in 0..<k {
            let top = x[i] >> 63
            x[i] = x[i] << 1 | carry
            carry = top
        }
        subtractIfNotBelow(x, carry: carry, n, k)
    }

    /// x = x − n when (carry:x) ≥ n, chosen by mask.
    static func subtractIfNotBelow(_ x: inout [UInt64], carry: UInt64, _ n: [UInt64]) {
        let k = x.count
        n.withUnsafeBufferPointer { np in
            x.withUnsafeMutableBufferPointer { subtractIfNotBelow($0.baseAddress!, carry: carry, np.baseAddress!, k) }
        }
    }

    /// The same over `k` limbs in place: the first pass finds the borrow of x − n, the second
    /// subtracts again and keeps the difference or x by mask.
    @inline(never)
    static func subtractIfNotBelow(_ x: UnsafeMutablePointer<UInt64>, carry: UInt64, _ n: UnsafePointer<UInt64>, _ k: Int) {
        var borrow: UInt64 = 0
        for i in 0..<k { borrow = subtract(x[i], n[i], borrow).1 }
        // Keep the difference when there was a carry out or no borrow: (carry | ~borrow) & 1.
        let keep = 0 &- ((carry | (borrow ^ 1)) & 1)
        borrow = 0
        for i in 0..<k {
            let (d, b) = subtract(x[i], n[i], borrow)
            x[i] = (d & keep) | (x[i] & ~keep)
            borrow = b
        }
    }

    /// a·b·R⁻¹ mod n (CIOS), for a, b < n.
    func multiply(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        var out = [UInt64](repeating: 0, count: limbs)
        let k = limbs, n0inv = self.n0inv
        let t = UnsafeMutablePointer<UInt64>.allocate(capacity: k + 2)
        defer { t.deallocate() }
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in n.withUnsafeBytes { np in
            out.withUnsafeMutableBufferPointer {
                MontgomeryModulus.multiply(ap.baseAddress!, bp.baseAddress!, MontgomeryModulus.words(np), k, n0inv, t, into: $0.baseAddress!)
            }
        } } }
        return out
    }

    /// out = a·b·R⁻¹ mod n over `k` limbs, with `t` (k + 2 limbs) as the work area. `out` may be
    /// `a` or `b`: they are read before it is written.
    @inline(never)
    static func multiply(_ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, _ n: UnsafePointer<UInt64>, _ k: Int,
                         _ n0inv: UInt64, _ t: UnsafeMutablePointer<UInt64>, into out: UnsafeMutablePointer<UInt64>) {
        t.update(repeating: 0, count: k + 2)
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
        out.update(from: t, count: k)
        subtractIfNotBelow(out, carry: t[k], n, k)
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

    /// The work area is one allocation: x, the accumulator, one, and the product's k + 2 limbs.
    func power(bigEndian base: [UInt8], _ range: Range<Int>, exponent: UInt64) -> [UInt8] {
        let k = limbs, n0inv = self.n0inv
        let area = UnsafeMutablePointer<UInt64>.allocate(capacity: 4 * k + 2)
        defer { area.deallocate() }
        let x = area, acc = area + k, one = area + 2 * k, t = area + 3 * k
        one.update(repeating: 0, count: k)
        one[0] = 1
        base.withUnsafeBufferPointer { MontgomeryModulus.limbs(bigEndian: $0, range, count: k, into: x) }
        n.withUnsafeBytes { np in
            r2.withUnsafeBytes { rp in
                let n = MontgomeryModulus.words(np), r2 = MontgomeryModulus.words(rp)
                MontgomeryModulus.multiply(x, r2, n, k, n0inv, t, into: x)  // x·R
                MontgomeryModulus.multiply(r2, one, n, k, n0inv, t, into: acc)  // 1·R
                var started = false
                var bit = 63
                while bit >= 0 {
                    if started { MontgomeryModulus.multiply(acc, acc, n, k, n0inv, t, into: acc) }
                    if (exponent >> UInt64(bit)) & 1 == 1 {
                        if started { MontgomeryModulus.multiply(acc, x, n, k, n0inv, t, into: acc) } else { acc.update(from: x, count: k) }
                        started = true
                    }
                    bit -= 1
                }
                MontgomeryModulus.multiply(acc, one, n, k, n0inv, t, into: acc)
            }
        }
        return MontgomeryModulus.bigEndian(acc, k)
    }

    /// Whether the big-endian `value` (of the modulus width) is below n.
    public func isBelow(bigEndian value: [UInt8]) -> Bool { isBelow(bigEndian: value, 0..<value.count) }

    func isBelow(bigEndian value: [UInt8], _ range: Range<Int>) -> Bool {
        guard range.count == limbs * 8 else { return false }
        let k = limbs
        let v = UnsafeMutablePointer<UInt64>.allocate(capacity: k)
        defer { v.deallocate() }
        value.withUnsafeBufferPointer { MontgomeryModulus.limbs(bigEndian: $0, range, count: k, into: v) }
        var borrow: UInt64 = 0
        n.withUnsafeBytes {
            let n = MontgomeryModulus.words($0)
            for i in 0..<k { borrow = MontgomeryModulus.subtract(v[i], n[i], borrow).1 }
        }
        return borrow == 1
    }
}
