/// A validated flattened devicetree, read in place.
///
/// Devicetree Specification v0.4, §5.2 header (big-endian u32 at these offsets):
/// 0 magic, 4 totalsize, 8 off_dt_struct, 12 off_dt_strings, 16 off_mem_rsvmap, 20 version,
/// 24 last_comp_version, 28 boot_cpuid_phys, 32 size_dt_strings, 36 size_dt_struct (v17).
///
/// `init` checks the header and walks the whole structure block once, so every later query
/// works on a tree known to be well formed; queries still bounds-check every read and answer
/// nil (never trap) should the memory change under them. The walk also records every node
/// (`FDTIndex`), so that queries move between nodes without walking the tokens between them.
public struct FDT {
    public static let magic: UInt32 = 0xd00d_feed
    /// Deeper trees are rejected (Linux's unflattening limit).
    public static let maxDepth = 64
    /// Trees with more nodes are rejected (`tooManyNodes`) rather than indexed until the heap
    /// runs out: a 1 MiB DTB slot could hold ~87,000 empty nodes. Board trees have tens to a
    /// few thousand; the full index of 4,096 is 160 KiB.
    public static let maxNodes = 4096

    /// The blob itself: exactly `totalsize` bytes.
    public private(set) var bytes: UnsafeRawBufferPointer
    public let version: UInt32
    let headerSize: Int
    let structStart: Int
    /// End of the structure block as the header gives it (v16: bounded by `totalsize`).
    private(set) var structLimit: Int
    /// Just past the FDT_END token.
    private(set) var structEnd: Int
    private(set) var stringsStart: Int
    private(set) var stringsEnd: Int
    let reservationStart: Int
    /// Just past the all-zero entry that ends the memory reservation map.
    let reservationEnd: Int
    /// The nodes, found by the walk in `init` (nil only where a test drops it, to check the
    /// walks it replaces).
    ///
    /// indexOnly: a tree in firmware always has its index (`init` builds it, `FDTEditor` keeps
    /// it current), so the token walks that stand in for it (`forEachNode`, `forEachChild`,
    /// `ancestors`, `contains`, `root`, `firstChild`, `nextSibling`, `child(of:named:)`, `endOffset`,
    /// `propertiesEnd`, and `token(at:)` they use) are compiled for the host only, where the
    /// tests use them as the oracle.
    var index: FDTIndex?

    /// Validates the blob at the start of `buffer`; `buffer` may be longer than `totalsize`.
    public init(_ buffer: UnsafeRawBufferPointer) throws(FDTError) {
        guard buffer.count >= 36 else { throw .truncated }
        guard FDT.read32(buffer, 0) == FDT.magic else { throw .badMagic }
        let version = FDT.read32(buffer, 20)
        guard version >= 16, FDT.read32(buffer, 24) <= 17 else { throw .badVersion }
        let headerSize = version >= 17 ? 40 : 36
        guard buffer.count >= headerSize else { throw .truncated }
        let total = Int(FDT.read32(buffer, 4))
        guard total >= headerSize else { throw .badLayout }
        guard total <= buffer.count else { throw .truncated }
        let blob = UnsafeRawBufferPointer(rebasing: buffer[0..<total])

        // Each block must fit: `offset <= total && size <= total - offset` cannot overflow.
        func block(_ offsetField: Int, _ size: Int) throws(FDTError) -> Int {
            let offset = Int(FDT.read32(blob, offsetField))
            guard offset >= headerSize, offset <= total, size <= total - offset else { throw .badLayout }
            return offset
        }
        let stringsSize = Int(FDT.read32(blob, 32))
        let stringsStart = try block(12, stringsSize)
        let structSize = version >= 17 ? Int(FDT.read32(blob, 36)) : 0
        let structStart = try block(8, structSize)
        guard structStart & 3 == 0 else { throw .badLayout }
        let reservationStart = try block(16, 0)
        guard reservationStart & 7 == 0 else { throw .badLayout }

        self.bytes = blob
        self.version = version
        self.headerSize = headerSize
        self.structStart = structStart
        self.structLimit = version >= 17 ? structStart + structSize : total
        self.stringsStart = stringsStart
        self.stringsEnd = stringsStart + stringsSize
        self.reservationStart = reservationStart
        self.reservationEnd = try FDT.reservationMapEnd(blob, from: reservationStart)
        self.structEnd = structLimit  // replaced by the walk below
        self.index = nil
        var index = FDTIndex()
        self.structEnd = try walkStructure(&index)
        self.index = index
    }

    /// Takes in an edit of `FDTEditor`, which keeps it valid by construction: everything
    /// from the structure block's insertion point on moved by `structDelta` bytes, the strings
    /// block grew by `stringsGrowth` bytes at its end, and `totalsize` is now `totalSize`
    /// (`buffer` holds at least that). No walk: the tree was validated once, before the edits.
    /// In place: a copy of the tree would copy its index too.
    mutating func adopt(_ buffer: UnsafeRawBufferPointer, structDelta: Int, stringsGrowth: Int, totalSize: Int) {
        bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<totalSize])
        // Offsets and sizes within the editor's buffer (at most 2^32): no overflow to check.
        structLimit &+= structDelta
        structEnd &+= structDelta
        stringsStart &+= structDelta
        stringsEnd &+= structDelta &+ stringsGrowth
    }

    /// The root node (the first BEGIN_NODE, after any NOPs): the index's first node.
    @inline(never) public var root: FDTNode {
        if let index, !index.entries.isEmpty { return FDTNode(offset: index.entries[0].offset, parent: nil) }
        #if hasFeature(Embedded)
        return FDTNode(offset: structStart, parent: nil)  // FDT.indexOnly: never reached
        #else
        var offset = structStart
        while let (t, next) = try? token(at: offset), case .nop = t { offset = next }
        return FDTNode(offset: offset, parent: nil)
        #endif
    }

    /// `totalsize` from the header.
    public var totalSize: Int { bytes.count }

    // MARK: Reading

    @inline(__always)
    static func read32(_ b: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        // One load: the tree is read with the MMU on (Normal memory), where an unaligned
        // access is allowed (docs/image-size.md, strict alignment); callers bound `offset`.
        UInt32(bigEndian: b.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// The big-endian u32 at `offset`, or nil when it does not lie inside the blob.
    func u32(at offset: Int) -> UInt32? {
        guard offset >= 0, offset <= bytes.count - 4 else { return nil }
        return FDT.read32(bytes, offset)
    }

    func u64(at offset: Int) -> UInt64? {
        guard offset >= 0, offset <= bytes.count &- 8 else { return nil }   // one check, one load
        return UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// The offset of the first NUL in `from..<limit`, if any.
    @inline(never)
    func nul(from: Int, limit: Int) -> Int? {
        guard from >= 0, limit <= bytes.count, let base = bytes.baseAddress else { return nil }
        var i = from
        // Words with the has-a-zero-byte test (unaligned loads are fine: the MMU is on), then bytes.
        while limit - i >= 8 {
            let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            if (w &- 0x0101_0101_0101_0101) & ~w & 0x8080_8080_8080_8080 != 0 { break }
            i += 8
        }
        while i < limit {
            if bytes[i] == 0 { return i }
            i += 1
        }
        return nil
    }

    /// §5.3: 16-byte (address, size) entries, ended by an all-zero entry.
    static func reservationMapEnd(_ b: UnsafeRawBufferPointer, from start: Int) throws(FDTError) -> Int {
        var offset = start
        while offset <= b.count - 16 {
            if read32(b, offset) | read32(b, offset + 4) | read32(b, offset + 8) | read32(b, offset + 12) == 0 {
                return offset + 16
            }
            offset += 16
        }
        throw .badLayout
    }

    // MARK: Tokens (§5.4)

    enum Token {
        case beginNode(name: Range<Int>)
        case endNode
        case property(FDTProperty)
        case nop
        case end
    }

    static let FDT_BEGIN_NODE: UInt32 = 1
    static let FDT_END_NODE: UInt32 = 2
    static let FDT_PROP: UInt32 = 3
    static let FDT_NOP: UInt32 = 4
    static let FDT_END: UInt32 = 9

    /// Decodes the token at `offset` and the offset of the next one (always > `offset`).
    /// `init` checked that every property's name is a terminated string; queries read names
    /// bounded anyway.
    @inline(never)
    func token(at offset: Int) throws(FDTError) -> (Token, next: Int) {
        guard offset >= structStart, offset & 3 == 0 else { throw .badToken }
        // structLimit ≤ bytes.count (checked in init, kept by edits): reads below it are in bounds.
        guard offset <= structLimit - 4 else { throw .missingEnd }
        let tag = FDT.read32(bytes, offset)
        let body = offset + 4
        switch tag {
        case FDT.FDT_BEGIN_NODE:
            guard let end = nul(from: body, limit: structLimit) else { throw .badToken }
            let next = align4(end + 1)
            guard next <= structLimit else { throw .badToken }
            return (.beginNode(name: body..<end), next)
        case FDT.FDT_END_NODE:
            return (.endNode, body)
        case FDT.FDT_PROP:
            guard body <= structLimit - 8 else { throw .badProperty }
            let length = FDT.read32(bytes, body), nameOffset = FDT.read32(bytes, body + 4)
            let value = body + 8
            guard Int(length) <= structLimit - value, align4(value + Int(length)) <= structLimit
            else { throw .badProperty }
            guard Int(nameOffset) < stringsEnd - stringsStart else { throw .badString }
            let property = FDTProperty(nameOffset: stringsStart + Int(nameOffset), valueOffset: value,
                                       length: Int(length))
            return (.property(property), align4(value + Int(length)))
        case FDT.FDT_NOP:
            return (.nop, body)
        case FDT.FDT_END:
            return (.end, body)
        default:
            throw .badToken
        }
    }

    /// Checks every token and the nesting of the whole structure block, recording each node in
    /// `index`; returns the offset just past FDT_END. The checks are `token(at:)`'s, plus a
    /// property name that is a terminated string, read straight from the words (one walk).
    private func walkStructure(_ index: inout FDTIndex) throws(FDTError) -> Int {
        // A name offset starts a terminated string exactly when a NUL lies at or after it in
        // the strings block: when it is at or before the block's last NUL.
        var lastNul = stringsEnd - 1
        while lastNul >= stringsStart && bytes[lastNul] != 0 { lastNul -= 1 }
        let namesBelow = lastNul &+ 1 &- stringsStart   // offsets below this name a terminated string
        var offset = structStart
        var open = -1          // position of the innermost open node
        var depth = 0
        var sawRoot = false
        // §5.4.1: END_NODE may be followed by any token but FDT_PROP, so a node's properties all
        // precede its children. Queries rely on it (`nextSibling` stops at the first non-node).
        var afterChild = false
        // Offsets lie below `structLimit` (at most 2^32) and lengths are 32-bit fields: the sums
        // and differences below cannot overflow, so they wrap rather than check.
        while true {  // ends: every token advances `offset`, and reads stop at `structLimit`
            // structStart is 4-aligned (init) and every step below is a multiple of 4.
            guard offset <= structLimit &- 4 else { throw .missingEnd }
            let body = offset &+ 4
            switch FDT.read32(bytes, offset) {
            case FDT.FDT_BEGIN_NODE:
                guard let end = nul(from: body, limit: structLimit) else { throw .badToken }
                let next = align4(end &+ 1)
                guard next <= structLimit else { throw .badToken }
                guard depth > 0 || !sawRoot else { throw .badNesting }
                sawRoot = true
                depth &+= 1   // at most maxDepth + 1: no overflow to check
                guard depth <= FDT.maxDepth else { throw .tooDeep }
                afterChild = false
                guard index.entries.count < FDT.maxNodes else { throw .tooManyNodes }
                index.entries.append(FDTIndex.Entry(offset: offset, parent: open, end: 0, depth: depth &- 1))
                open = index.entries.count - 1
                offset = next
            case FDT.FDT_END_NODE:
                guard depth > 0 else { throw .badNesting }
                depth &-= 1
                afterChild = true
                index.entries[open].end = index.entries.count
                index.entries[open].close = offset
                open = index.entries[open].parent
                offset = body
            case FDT.FDT_PROP:
                guard body <= structLimit &- 8 else { throw .badProperty }
                let length = Int(FDT.read32(bytes, body)), nameOffset = Int(FDT.read32(bytes, body &+ 4))
                let value = body &+ 8
                guard length <= structLimit &- value, align4(value &+ length) <= structLimit else { throw .badProperty }
                guard nameOffset < stringsEnd - stringsStart, nameOffset < namesBelow else { throw .badString }
                guard depth > 0, !afterChild else { throw .badNesting }
                offset = align4(value &+ length)
            case FDT.FDT_NOP:
                offset = body
            case FDT.FDT_END:
                guard depth == 0, sawRoot else { throw depth > 0 ? .badNesting : .missingEnd }
                return body
            default:
                throw .badToken
            }
        }
    }
}

/// A node, by the offset of its FDT_BEGIN_NODE token in the blob. Offsets stay valid until the
/// tree is edited before them.
public struct FDTNode: Equatable, Sendable {
    public let offset: Int
    /// The parent's offset; nil for the root.
    public let parent: Int?
}

/// A property: where its name (in the strings block) and its value (in the structure block) lie.
public struct FDTProperty: Equatable, Sendable {
    public let nameOffset: Int
    public let valueOffset: Int
    public let length: Int

    /// The offset of the FDT_PROP token itself.
    var tokenOffset: Int { valueOffset - 12 }
}
