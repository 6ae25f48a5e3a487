@testable import MM

/// Little-endian bytes of `value`, `count` bytes long, for building expected layouts by hand.
func le(_ value: UInt64, _ count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
}

let vendor = EFIGuid(0x1234_5678, 0x9abc, 0xdef0, (1, 2, 3, 4, 5, 6, 7, 8))
let vendorBytes: [UInt8] = [0x78, 0x56, 0x34, 0x12, 0xbc, 0x9a, 0xf0, 0xde, 1, 2, 3, 4, 5, 6, 7, 8]
let bootName = UCS2.fromASCII("Boot0001")  // 18 bytes
