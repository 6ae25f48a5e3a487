import Testing
import MM
@testable import Variables

@Test func crc32MatchesTheStandardCheckValue() {
    #expect(VariableLogCRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    #expect(VariableLogCRC32.checksum([]) == 0)
}

@Test func crc32NibbleTableMatchesThePolynomial() {
    for n in UInt32(0)..<16 {
        var c = n
        for _ in 0..<4 { c = c & 1 != 0 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
        #expect(VariableLogCRC32.nibble(n) == c)
    }
}

@Test func footprintIsHeaderNameDataPaddedPlusChecksum() {
    #expect(VariableLogFormat.footprint(nameCount: 0, dataCount: 0) == 48)
    #expect(VariableLogFormat.footprint(nameCount: 2, dataCount: 1) == 52)
    #expect(VariableLogFormat.footprint(nameCount: 4, dataCount: 0) == 52)
    #expect(VariableLogFormat.footprint(nameCount: 0, dataCount: 8) == VariableLogFormat.markFootprint)
}

@Test func recordFieldsSitAtTheirDocumentedOffsets() {
    let g = EFIGuid.globalVariable
    let r = encodeVariableLogRecord(kind: 1, guid: g, name: [0x41, 0, 0, 0], attributes: 0x0000_0007, data: [9, 8, 7])
    #expect(r.count == 56)
    #expect(Array(r[0..<8]) == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
    #expect(Array(r[8..<12]) == [0x56, 0x52, 0x01, 0x00])
    #expect(Array(r[12..<24]) == [4, 0, 0, 0, 3, 0, 0, 0, 7, 0, 0, 0])
    #expect(Array(r[24..<40]) == g.bytes)
    #expect(vlogLE32(r, 40) == VariableLogCRC32.checksum(r, from: 8, to: 40))
    #expect(Array(r[44..<51]) == [0x41, 0, 0, 0, 9, 8, 7] && r[51] == 0)
    #expect(vlogLE32(r, 52) == VariableLogCRC32.checksum(r, from: 8, to: 52))
}

@Test func blockHeaderRoundTripsAndChecksItsGeometry() {
    let h = VariableLogBlockHeader(sequence: 7, eraseCount: 3)
    let b = h.encoded(eraseBlockSize: 4096, blockCount: 4)
    #expect(b.count == 32 && Array(b[0..<4]) == [0x56, 0x4C, 0x4F, 0x47])  // "VLOG"
    #expect(VariableLogBlockHeader(decoding: b, eraseBlockSize: 4096, blockCount: 4) == h)
    #expect(VariableLogBlockHeader(decoding: b, eraseBlockSize: 8192, blockCount: 4) == nil)
    #expect(VariableLogBlockHeader(decoding: b, eraseBlockSize: 4096, blockCount: 5) == nil)
    var bad = b; bad[20] ^= 1
    #expect(VariableLogBlockHeader(decoding: bad, eraseBlockSize: 4096, blockCount: 4) == nil)
    let zero = VariableLogBlockHeader(sequence: 0, eraseCount: 0).encoded(eraseBlockSize: 4096, blockCount: 4)
    #expect(VariableLogBlockHeader(decoding: zero, eraseBlockSize: 4096, blockCount: 4) == nil)
    let huge = VariableLogBlockHeader(sequence: VariableLogFormat.sequenceLimit, eraseCount: 0).encoded(eraseBlockSize: 4096, blockCount: 4)
    #expect(VariableLogBlockHeader(decoding: huge, eraseBlockSize: 4096, blockCount: 4) == nil)
}

@Test func recordHeaderRejectsBadFields() {
    let r = encodeVariableLogRecord(kind: 1, guid: .zero, name: [0x41, 0, 0, 0], attributes: 7, data: [1])
    #expect(VariableLogRecordHeader(decoding: r, room: r.count)?.footprint == r.count)
    #expect(VariableLogRecordHeader(decoding: r, room: r.count - 4) == nil)         // does not fit
    var badKind = r; badKind[10] = 3
    #expect(VariableLogRecordHeader(decoding: badKind, room: 4096) == nil)
    var badCRC = r; badCRC[20] ^= 0x80
    #expect(VariableLogRecordHeader(decoding: badCRC, room: 4096) == nil)
    // A header with a valid checksum but an absurd size.
    var huge = r
    huge[12] = 0xFF; huge[13] = 0xFF; huge[14] = 0xFF; huge[15] = 0xFF
    let c = VariableLogCRC32.checksum(huge, from: 8, to: 40)
    for i in 0..<4 { huge[40 + i] = UInt8(truncatingIfNeeded: c >> (8 * UInt32(i))) }
    #expect(VariableLogRecordHeader(decoding: huge, room: 1 << 30) == nil)
    // A mark must have exactly 8 bytes of data and no name.
    let mark = encodeVariableLogMark(deadThrough: 5)
    #expect(VariableLogRecordHeader(decoding: mark, room: 4096)?.kind == VariableLogFormat.kindReclaimMark)
    let fakeMark = encodeVariableLogRecord(kind: 2, guid: .zero, name: [], attributes: 0, data: [1, 2, 3, 4])
    #expect(VariableLogRecordHeader(decoding: fakeMark, room: 4096) == nil)
}

/// The header's body-checksum state is the CRC-32 residue: a run over any bytes followed by
/// their own CRC (little-endian) ends there, so the header decode takes it without a pass.
@Test func aCRCRunOverItsOwnValueEndsInTheResidue() {
    for n in [0, 1, 7, 32, 100] {
        let bytes = (0..<n).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 7) }
        var crc = VariableLogCRC32()
        crc.update(bytes)
        let value = crc.value
        crc.update([UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8),
                    UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 24)])
        #expect(crc.state == VariableLogRecordHeader.residue)
    }
}

/// The decoders read aligned words; bytes at any other address are decoded from an aligned copy,
/// with the same result.
@Test func headersDecodeTheSameAtAnyAlignment() {
    let r = encodeVariableLogRecord(kind: 1, guid: .globalVariable, name: [0x41, 0, 0, 0], attributes: 7, data: [1, 2, 3])
    let b = VariableLogBlockHeader(sequence: 9, eraseCount: 4).encoded(eraseBlockSize: 4096, blockCount: 4)
    for shift in 0..<8 {
        let shifted = [UInt8](repeating: 0xA5, count: shift) + r
        let h = shifted.withUnsafeBytes { VariableLogRecordHeader(raw: UnsafeRawBufferPointer(rebasing: $0[shift...]), room: 4096) }
        #expect(h?.footprint == r.count && h?.guid == .globalVariable && h?.attributes == 7)
        #expect(h?.nameCount == 4 && h?.dataCount == 3 && h?.kind == 1 && h?.isCommitted == false)
        var bad = shifted; bad[shift + 11] = 1  // the reserved byte
        #expect(bad.withUnsafeBytes { VariableLogRecordHeader(raw: UnsafeRawBufferPointer(rebasing: $0[shift...]), room: 4096) } == nil)
        let blocks = [UInt8](repeating: 0xA5, count: shift) + b
        #expect(blocks.withUnsafeBytes {
            VariableLogBlockHeader(raw: UnsafeRawBufferPointer(rebasing: $0[shift...]), eraseBlockSize: 4096, blockCount: 4)
        } == VariableLogBlockHeader(sequence: 9, eraseCount: 4))
    }
}
