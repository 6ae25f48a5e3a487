import Testing
@testable import MM

// The field accesses and the name comparison work at any address: a message's fields and names
// lie at whatever alignment the buffer gives them.

@Test func fieldsReadAndWriteLittleEndianAtEveryAlignment() {
    var bytes = [UInt8](repeating: 0xEE, count: 48)
    bytes.withUnsafeMutableBytes { b in
        for at in 0..<8 {
            b.mmPut64(0x0807_0605_0403_0201, at: at)
            #expect(Array(b[at..<(at + 8)]) == [1, 2, 3, 4, 5, 6, 7, 8])
            #expect(UnsafeRawBufferPointer(b).mmLE64(at) == 0x0807_0605_0403_0201)
            b.mmPut32(0xD4C3_B2A1, at: at + 16)
            #expect(Array(b[(at + 16)..<(at + 20)]) == [0xA1, 0xB2, 0xC3, 0xD4])
            #expect(UnsafeRawBufferPointer(b).mmLE32(at + 16) == 0xD4C3_B2A1)
            #expect(b[at + 20] == 0xEE)
            let guid = EFIGuid(lo: 0x1122_3344_5566_7788, hi: 0x99AA_BBCC_DDEE_FF00)
            b.mmPutGuid(guid, at: at + 24)
            #expect(UnsafeRawBufferPointer(b).mmGuid(at + 24) == guid)
            b.initializeMemory(as: UInt8.self, repeating: 0xEE)
        }
    }
}

@Test func mmEqualAgreesWithArrayEqualityAtEveryAlignmentAndLength() {
    var a = [UInt8](repeating: 0, count: 64), b = [UInt8](repeating: 0, count: 64)
    for i in 0..<64 { a[i] = UInt8(truncatingIfNeeded: i &* 37 &+ 11) }
    for length in 0...40 {
        for (offsetA, offsetB) in [(0, 0), (1, 1), (2, 6), (4, 0), (3, 5), (7, 2)] {
            let sliceA = Array(a[offsetA..<(offsetA + length)])
            a.withUnsafeBytes { ra in
                b.withUnsafeMutableBytes { rb in
                    // a's bytes copied into b at offsetB, then each byte of the copy changed in turn.
                    let x = UnsafeRawBufferPointer(rebasing: ra[offsetA..<(offsetA + length)])
                    UnsafeMutableRawBufferPointer(rebasing: rb[offsetB..<(offsetB + length)])
                        .copyMemory(from: x)
                    let y = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(rb)[offsetB..<(offsetB + length)])
                    #expect(x.mmEqual(y) && Array(y) == sliceA)
                    for k in 0..<length {
                        rb[offsetB + k] ^= 0x40
                        #expect(!x.mmEqual(y), "length \(length), byte \(k) differs")
                        rb[offsetB + k] ^= 0x40
                    }
                    if length > 0 {
                        #expect(!x.mmEqual(UnsafeRawBufferPointer(rebasing: y[0..<(length - 1)])))
                    }
                }
            }
        }
    }
}
