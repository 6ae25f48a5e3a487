/// SHA-256 (FIPS 180-4 §6.2): streaming, so a message in pieces hashes without being joined.
public struct SHA256 {
    public static let digestSize = 32

    var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19)
    /// The block being filled (`used` bytes of it), on the value: no array to check and grow.
    var block: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    var used = 0
    var length: UInt64 = 0

    public init() {}

    /// The digest of `bytes` in one call.
    @inline(never)   // the signed message's digest and a private variable's signer ID
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var h = SHA256()
        h.update(bytes)
        return h.finalize()
    }

    public mutating func update(_ bytes: [UInt8]) {
        update(bytes, from: 0, to: bytes.count)
    }

    /// Hashes `bytes[start..<end]`.
    @inline(never)   // a signed message, signed attributes, a certificate's tbs: one copy, not three
    public mutating func update(_ bytes: [UInt8], from start: Int, to end: Int) {
        precondition(start >= 0 && start <= end && end <= bytes.count)
        length &+= UInt64(end - start)
        bytes.withUnsafeBytes { input in
            withUnsafeMutableBytes(of: &block) { blk in
                var i = start
                while i < end {
                    if used == 0 && end - i >= 64 {
                        SHA256.compress(&state, input.baseAddress! + i)
                        i += 64
                        continue
                    }
                    blk[used] = input[i]
                    used += 1
                    i += 1
                    if used == 64 {
                        SHA256.compress(&state, UnsafeRawPointer(blk.baseAddress!))
                        used = 0
                    }
                }
            }
        }
    }

    public mutating func finalize() -> [UInt8] {
        let bits = length &* 8
        // 0x80, zeros to 56 mod 64 (a block of its own when fewer than 9 bytes are left), the length.
        withUnsafeMutableBytes(of: &block) { blk in
            blk[used] = 0x80
            used += 1
            if used > 56 {
                while used < 64 { blk[used] = 0; used += 1 }
                SHA256.compress(&state, UnsafeRawPointer(blk.baseAddress!))
                used = 0
            }
            while used < 56 { blk[used] = 0; used += 1 }
            for i in 0..<8 { blk[56 + i] = UInt8(truncatingIfNeeded: bits >> (56 - 8 * UInt64(i))) }
            SHA256.compress(&state, UnsafeRawPointer(blk.baseAddress!))
        }
        used = 0
        // The state words big-endian: byte i is byte 3 - i % 4 of word i / 4 as it lies in memory
        // (little-endian).
        var out = [UInt8](repeating: 0, count: 32)
        withUnsafeBytes(of: state) { s in
            for i in 0..<32 { out[i] = s[(i & ~3) + 3 - (i & 3)] }
        }
        return out
    }

    static let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    @inline(__always) static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

    /// One 64-byte block at `p` into `state`.
    static func compress(_ state: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32),
                         _ p: UnsafeRawPointer) {
        var w = InlineArray<64, UInt32>(repeating: 0)  // the message schedule, on the stack
        for t in 0..<16 { w[t] = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 4 * t, as: UInt32.self)) }
        for t in 16..<64 {
            let s0 = SHA256.rotr(w[t - 15], 7) ^ SHA256.rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
            let s1 = SHA256.rotr(w[t - 2], 17) ^ SHA256.rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
            w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
        }
        var (a, b, c, d, e, f, g, h) = state
        for t in 0..<64 {
            let s1 = SHA256.rotr(e, 6) ^ SHA256.rotr(e, 11) ^ SHA256.rotr(e, 25)
            let ch = (e & f) ^ (~e & g)
            let t1 = h &+ s1 &+ ch &+ SHA256.k[t] &+ w[t]
            let s0 = SHA256.rotr(a, 2) ^ SHA256.rotr(a, 13) ^ SHA256.rotr(a, 22)
            let maj = (a & b) ^ (a & c) ^ (b & c)
            let t2 = s0 &+ maj
            h = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d,
                 state.4 &+ e, state.5 &+ f, state.6 &+ g, state.7 &+ h)
    }
}
