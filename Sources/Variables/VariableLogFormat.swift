import MM

/// The on-flash layout of the variable log; docs/variable-store.md explains the design.
/// Every field is little-endian at an explicit byte offset; records are 4-byte aligned.
public enum VariableLogFormat {
    /// Block header, at offset 0 of every block in use (32 bytes):
    /// +0 u32 magic "VLOG", +4 u16 version, +6 u16 header size (32), +8 u32 erase-block size,
    /// +12 u32 block count, +16 u64 sequence number, +24 u32 erase count,
    /// +28 u32 CRC-32 of bytes 0..<28.
    public static let blockMagic: UInt32 = 0x474F_4C56
    public static let version: UInt16 = 1
    public static let blockHeaderSize = 32
    /// Sequence numbers at or above this are not ones we write: such a header is unrecognised.
    public static let sequenceLimit: UInt64 = 1 << 62

    /// Record, at a 4-byte aligned offset after the block header:
    /// +0 u32 commit word (0xFFFFFFFF until committed; any 0 bit = committed),
    /// +4 u32 obsolete word (0xFFFFFFFF while current; any 0 bit = obsolete),
    /// +8 u16 magic "VR", +10 u8 kind, +11 u8 reserved (0), +12 u32 NameSize, +16 u32 DataSize,
    /// +20 u32 Attributes, +24 16-byte vendor GUID, +40 u32 CRC-32 of bytes 8..<40,
    /// +44 Name (UCS-2LE incl. NUL), Data, zero padding to 4 bytes,
    /// then u32 CRC-32 of bytes 8 up to it.
    public static let recordMagic: UInt16 = 0x5256
    public static let recordHeaderSize = 44
    public static let kindVariable: UInt8 = 1
    /// A reclaim mark: DataSize 8, Data = u64 sequence number; every block whose sequence number
    /// is at or below it is dead.
    public static let kindReclaimMark: UInt8 = 2
    public static let stateBlank: UInt32 = 0xFFFF_FFFF
    /// Bytes a reclaim mark occupies.
    public static let markFootprint = 56

    /// Bytes a record with these name and data sizes occupies.
    public static func footprint(nameCount: Int, dataCount: Int) -> Int {
        (recordHeaderSize + nameCount + dataCount + 3) & ~3 + 4
    }
}

// MARK: - Little-endian fields

@inline(__always)
func vlogLE32(_ b: [UInt8], _ at: Int) -> UInt32 {
    UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
}

@inline(__always)
func vlogLE16(_ b: [UInt8], _ at: Int) -> UInt16 {
    UInt16(b[at]) | UInt16(b[at + 1]) << 8
}

@inline(__always)
func vlogLE64(_ b: [UInt8], _ at: Int) -> UInt64 {
    UInt64(vlogLE32(b, at)) | UInt64(vlogLE32(b, at + 4)) << 32
}

/// Empties `b` and fills it with `count` bytes of 0xFF (erased flash), keeping its storage:
/// records and block headers are written into it in place, by stores at their offsets.
func vlogErasedBuffer(_ b: inout [UInt8], count: Int) {
    b.removeAll(keepingCapacity: true)
    b.append(contentsOf: repeatElement(0xFF, count: count))
}

/// True when every byte is 0xFF (erased).
func vlogAllErased(_ b: [UInt8]) -> Bool {
    for x in b where x != 0xFF { return false }
    return true
}

// MARK: - Block header

struct VariableLogBlockHeader: Equatable {
    var sequence: UInt64
    var eraseCount: UInt32

    func encoded(eraseBlockSize: Int, blockCount: Int) -> [UInt8] {
        var b: [UInt8] = []
        encode(into: &b, eraseBlockSize: eraseBlockSize, blockCount: blockCount)
        return b
    }

    /// The same into `b` (emptied first): the log writes it into its record buffer.
    func encode(into b: inout [UInt8], eraseBlockSize: Int, blockCount: Int) {
        vlogErasedBuffer(&b, count: VariableLogFormat.blockHeaderSize)
        b.withUnsafeMutableBytes { r in
            r.vlogStore32(VariableLogFormat.blockMagic, at: 0)
            r.vlogStore32(UInt32(VariableLogFormat.version) | UInt32(VariableLogFormat.blockHeaderSize) << 16, at: 4)
            r.vlogStore32(UInt32(truncatingIfNeeded: eraseBlockSize), at: 8)
            r.vlogStore32(UInt32(truncatingIfNeeded: blockCount), at: 12)
            r.vlogStore64(sequence, at: 16)
            r.vlogStore32(eraseCount, at: 24)
            r.vlogStore32(VariableLogCRC32.checksum(UnsafeRawBufferPointer(rebasing: r[0..<28])), at: 28)
        }
    }

    /// The header in `b` (at least 32 bytes) when it is ours and matches this geometry.
    init?(decoding b: [UInt8], eraseBlockSize: Int, blockCount: Int) {
        guard b.count >= VariableLogFormat.blockHeaderSize,
              let h = b.withUnsafeBytes({ VariableLogBlockHeader(raw: $0, eraseBlockSize: eraseBlockSize, blockCount: blockCount) })
        else { return nil }
        self = h
    }

    init?(raw b: UnsafeRawBufferPointer, eraseBlockSize: Int, blockCount: Int) {
        guard b.count >= VariableLogFormat.blockHeaderSize,
              let base = b.baseAddress,
              let h = VariableLogBlockHeader(fields: base, eraseBlockSize: eraseBlockSize, blockCount: blockCount)
        else { return nil }
        self = h
    }

    /// The same from the 32 bytes at `p`, a load per field.
    private init?(fields p: UnsafeRawPointer, eraseBlockSize: Int, blockCount: Int) {
        guard p.vlogLE32(0) == VariableLogFormat.blockMagic,
              p.vlogLE32(4) == UInt32(VariableLogFormat.version) | UInt32(VariableLogFormat.blockHeaderSize) << 16,
              Int(p.vlogLE32(8)) == eraseBlockSize,
              Int(p.vlogLE32(12)) == blockCount,
              p.vlogLE32(28) == VariableLogCRC32.checksum(UnsafeRawBufferPointer(start: p, count: 28))
        else { return nil }
        let seq = p.vlogLE64(16)
        guard seq != 0, seq < VariableLogFormat.sequenceLimit else { return nil }
        sequence = seq
        eraseCount = p.vlogLE32(24)
    }

    init(sequence: UInt64, eraseCount: UInt32) {
        self.sequence = sequence; self.eraseCount = eraseCount
    }
}

// MARK: - Records

/// The fixed part of a record as read from flash.
struct VariableLogRecordHeader {
    var commitWord: UInt32
    var obsoleteWord: UInt32
    var nameCount: Int
    var dataCount: Int
    var attributes: UInt32
    /// Raw CRC state after header bytes 8..<44: where the body checksum goes on.
    var bodyCRCState: UInt32 = 0
    var guid: EFIGuid
    var footprint: Int
    /// Last: a byte between words left a padding hole that every copy of a header (the mount
    /// walk hands one on per record) moved with a `memcpy` call.
    var kind: UInt8

    /// The raw CRC-32 state after a message and its own CRC (little-endian).
    static let residue: UInt32 = 0xDEBB_20E3

    var isCommitted: Bool { commitWord != VariableLogFormat.stateBlank }
    var isObsolete: Bool { obsoleteWord != VariableLogFormat.stateBlank }

    /// Decodes the 44 header bytes `b`; nil unless magic, kind, reserved byte and CRC are right and
    /// the record fits in `room` bytes.
    init?(decoding b: [UInt8], room: Int) {
        guard b.count >= VariableLogFormat.recordHeaderSize else { return nil }
        guard let h = b.withUnsafeBytes({ VariableLogRecordHeader(raw: $0, room: room) }) else { return nil }
        self = h
    }

    /// The same from raw bytes (at least 44), as mount reads them from flash without an array.
    init?(raw b: UnsafeRawBufferPointer, room: Int) {
        guard b.count >= VariableLogFormat.recordHeaderSize,
              let base = b.baseAddress, let h = VariableLogRecordHeader(fields: base, room: room)
        else { return nil }
        self = h
    }

    /// The same from the 44 bytes at `p`, a load per field.
    private init?(fields p: UnsafeRawPointer, room: Int) {
        // Magic, kind and the reserved byte (0) are one word.
        let tag = p.vlogLE32(8)
        guard tag & 0xFF00_FFFF == UInt32(VariableLogFormat.recordMagic) else { return nil }
        var crc = VariableLogCRC32()
        crc.update(UnsafeRawBufferPointer(start: p + 8, count: 32))
        guard p.vlogLE32(40) == crc.value else { return nil }
        // The body checksum goes on over bytes 40..<44, which hold that very CRC (little-endian):
        // a CRC-32 run over any message followed by its own CRC ends in one state, the residue
        // 0xDEBB20E3, so no second pass over them is needed.
        bodyCRCState = VariableLogRecordHeader.residue
        let k = UInt8(truncatingIfNeeded: tag >> 16)
        let n = p.vlogLE32(12), d = p.vlogLE32(16)
        // Both below 2^31 before adding, so the sum cannot overflow.
        guard n <= 0x7FFF_FFFF, d <= 0x7FFF_FFFF else { return nil }
        let fp = VariableLogFormat.footprint(nameCount: Int(n), dataCount: Int(d))
        guard fp <= room else { return nil }
        switch k {
        case VariableLogFormat.kindVariable: break
        case VariableLogFormat.kindReclaimMark: guard n == 0, d == 8 else { return nil }
        default: return nil
        }
        commitWord = p.vlogLE32(0); obsoleteWord = p.vlogLE32(4)
        kind = k; nameCount = Int(n); dataCount = Int(d); attributes = p.vlogLE32(20)
        guid = EFIGuid(lo: p.vlogLE64(24), hi: p.vlogLE64(32))
        footprint = fp
    }
}

extension UnsafeRawPointer {
    /// Little-endian fields at offsets the caller checked, one load each at any alignment.
    @inline(__always)
    func vlogLE32(_ at: Int) -> UInt32 { UInt32(littleEndian: loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
    @inline(__always)
    func vlogLE64(_ at: Int) -> UInt64 { UInt64(littleEndian: loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
}

extension UnsafeRawBufferPointer {
    /// Little-endian fields at offsets the caller checked, one load each at any alignment: the
    /// store is built without strict alignment and runs with the MMU on (Makefile STRICT_ALIGN).
    @inline(__always)
    func vlogLE16(_ at: Int) -> UInt16 { UInt16(littleEndian: loadUnaligned(fromByteOffset: at, as: UInt16.self)) }
    @inline(__always)
    func vlogLE32(_ at: Int) -> UInt32 { UInt32(littleEndian: loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
    @inline(__always)
    func vlogLE64(_ at: Int) -> UInt64 { UInt64(littleEndian: loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
}

extension UnsafeMutableRawBufferPointer {
    /// Little-endian stores at offsets the caller checked (any alignment).
    @inline(__always)
    func vlogStore32(_ v: UInt32, at: Int) { storeBytes(of: v.littleEndian, toByteOffset: at, as: UInt32.self) }
    @inline(__always)
    func vlogStore64(_ v: UInt64, at: Int) { storeBytes(of: v.littleEndian, toByteOffset: at, as: UInt64.self) }
}

/// A whole record, state words blank, ready to program.
func encodeVariableLogRecord(kind: UInt8, guid: EFIGuid, name: [UInt8], attributes: UInt32, data: [UInt8]) -> [UInt8] {
    var b: [UInt8] = []
    encodeVariableLogRecord(into: &b, kind: kind, guid: guid, name: name, attributes: attributes, data: data)
    return b
}

/// The same into `b`, emptied first and reused: a log keeps one such buffer with room for its
/// largest record, so a put builds no new array.
func encodeVariableLogRecord(into b: inout [UInt8], kind: UInt8, guid: EFIGuid, name: [UInt8], attributes: UInt32,
                             data: [UInt8]) {
    data.withUnsafeBytes { encodeVariableLogRecord(into: &b, kind: kind, guid: guid, name: name, attributes: attributes, data: $0) }
}

/// The same with the data where it lies (the partition's copy of a SetVariable message).
func encodeVariableLogRecord(into b: inout [UInt8], kind: UInt8, guid: EFIGuid, name: [UInt8], attributes: UInt32,
                             data: UnsafeRawBufferPointer) {
    name.withUnsafeBytes { encodeVariableLogRecord(into: &b, kind: kind, guid: guid, rawName: $0, attributes: attributes, data: data) }
}

/// The same with the name where it lies too: `b` is filled with 0xFF (the state words stay
/// blank) and the fields are stored at their offsets.
@inline(never)   // put, the in-place update and the reclaim mark: one copy, not three
func encodeVariableLogRecord(into b: inout [UInt8], kind: UInt8, guid: EFIGuid, rawName name: UnsafeRawBufferPointer,
                             attributes: UInt32, data: UnsafeRawBufferPointer) {
    let fp = VariableLogFormat.footprint(nameCount: name.count, dataCount: data.count)
    let h = VariableLogFormat.recordHeaderSize
    vlogErasedBuffer(&b, count: fp)
    b.withUnsafeMutableBytes { r in
        r.vlogStore32(UInt32(VariableLogFormat.recordMagic) | UInt32(kind) << 16, at: 8)
        r.vlogStore32(UInt32(truncatingIfNeeded: name.count), at: 12)
        r.vlogStore32(UInt32(truncatingIfNeeded: data.count), at: 16)
        r.vlogStore32(attributes, at: 20)
        r.vlogStore64(guid.lo, at: 24)
        r.vlogStore64(guid.hi, at: 32)
        r.vlogStore32(VariableLogCRC32.checksum(UnsafeRawBufferPointer(rebasing: r[8..<40])), at: 40)
        if let n = name.baseAddress { (r.baseAddress! + h).copyMemory(from: n, byteCount: name.count) }
        if let d = data.baseAddress { (r.baseAddress! + h + name.count).copyMemory(from: d, byteCount: data.count) }
        for i in (h + name.count + data.count)..<(fp - 4) { r[i] = 0 }
        // The body checksum goes on from the header's: bytes 8..<44 end in the residue.
        var crc = VariableLogCRC32(resuming: VariableLogRecordHeader.residue)
        crc.update(UnsafeRawBufferPointer(rebasing: r[h..<(fp - 4)]))
        r.vlogStore32(crc.value, at: fp - 4)
    }
}

/// What programs a state word to "set" (commit, obsolete): one shared array.
let vlogZeroWord: [UInt8] = [0, 0, 0, 0]

func encodeVariableLogMark(deadThrough sequence: UInt64) -> [UInt8] {
    var b: [UInt8] = []
    encodeVariableLogMark(into: &b, deadThrough: sequence)
    return b
}

/// A reclaim mark naming `sequence`, into `b` (emptied first).
func encodeVariableLogMark(into b: inout [UInt8], deadThrough sequence: UInt64) {
    var d = sequence.littleEndian
    withUnsafeBytes(of: &d) {
        encodeVariableLogRecord(into: &b, kind: VariableLogFormat.kindReclaimMark, guid: .zero,
                                rawName: UnsafeRawBufferPointer(start: nil, count: 0), attributes: 0, data: $0)
    }
}
