/// Edits a flattened devicetree in place, growing it into the rest of its buffer.
///
/// Works on the standard block order (reservation map, structure, strings, then free space),
/// which dtc and libfdt always produce. Structure edits move the strings block up or down;
/// new names are appended to the strings block unless already present. Every step leaves a
/// valid tree, and the convenience edits check for room before they start.
public struct FDTEditor {
    public let buffer: UnsafeMutableRawBufferPointer
    /// How far the tree may grow: the buffer, but never past what 32-bit header fields express.
    private let capacity: Int
    /// The tree as it is now (validated once, then kept up to date by each edit, its node
    /// index included: checking that a node is in the tree costs no walk).
    public private(set) var fdt: FDT

    /// Header field offsets (§5.2) the editor rewrites.
    private static let totalSizeField = 4, stringsOffsetField = 12, versionField = 20
    private static let stringsSizeField = 32, structSizeField = 36

    /// Validates the tree at the start of `buffer`; the bytes after its `totalsize` are room to grow.
    public init(_ buffer: UnsafeMutableRawBufferPointer) throws(FDTError) {
        self.buffer = buffer
        self.capacity = min(buffer.count, Int(UInt32.max))
        self.fdt = try FDT(UnsafeRawBufferPointer(buffer))   // in place: no copy of the tree and its index
        let structSize = fdt.version >= 17 ? fdt.structLimit - fdt.structStart : fdt.structEnd - fdt.structStart
        guard fdt.reservationEnd <= fdt.structStart, fdt.structStart + structSize <= fdt.stringsStart
        else { throw .badLayout }
        if fdt.version < 17 {
            // v16 has no size_dt_struct; the 40-byte v17 header must fit before the first block.
            guard fdt.reservationStart >= 40 else { throw .badLayout }
            put32(FDTEditor.structSizeField, UInt32(structSize))
            put32(FDTEditor.versionField, 17)
            try reload()
        }
    }

    /// Bytes still free after the strings block.
    public var freeSpace: Int { capacity - fdt.stringsEnd }

    /// The bytes from the start of the buffer that hold the tree's blocks: every byte an edit
    /// wrote lies below this (a writer with caches on cleans just these).
    public var usedBytes: Int { fdt.stringsEnd }

    // MARK: Edits

    /// The child of `parent` named `name` exactly, added (empty, after the existing children)
    /// when missing. Nodes before the insertion point keep their offsets.
    public mutating func subnode(named name: [UInt8], of parent: FDTNode) throws(FDTError) -> FDTNode {
        let result: Result<FDTNode, FDTError> = name.withUnsafeBytes { n in
            do throws(FDTError) { return .success(try subnode(named: n, of: parent, knownMissing: false)) }
            catch { return .failure(error) }
        }
        return try result.get()
    }

    /// `knownMissing`: the caller has just looked for a child of that name (exactly or not) and
    /// found none, so the children are not walked again.
    mutating func subnode(named name: UnsafeRawBufferPointer, of parent: FDTNode,
                                  knownMissing: Bool) throws(FDTError) -> FDTNode {
        guard !name.isEmpty, !name.contains(0), !name.contains(UInt8(ascii: "/")), isInTree(parent)
        else { throw .unsupported }
        if !knownMissing, let existing = fdt.child(of: parent, named: name, exactly: true) {
            return existing
        }
        guard let end = fdt.endOffset(of: parent) else {
            throw .badNesting
        }
        // BEGIN_NODE, the name, its NUL padded to 4, END_NODE: written in place once there is room.
        let size = nodeCost(name.count)
        try shift(from: end, by: size)
        put32(end, FDT.FDT_BEGIN_NODE)
        place(name, at: end + 4, paddedTo: size - 8)
        put32(end + size - 4, FDT.FDT_END_NODE)
        fdt.index?.insertLastChild(at: end, close: end + size - 4, parentOffset: parent.offset)
        return FDTNode(offset: end, parent: parent.offset)
    }

    /// Sets property `name` of `node` to `value`, replacing an existing value or adding the
    /// property after the node's last one. `node` and the nodes before it keep their offsets;
    /// a node that is no longer in the tree is refused.
    public mutating func setProperty(_ name: [UInt8], to value: [UInt8], of node: FDTNode) throws(FDTError) {
        let failure: FDTError? = name.withUnsafeBytes { n in
            value.withUnsafeBytes { v in
                do throws(FDTError) { try setProperty(named: n, to: v, of: node); return nil } catch { return error }
            }
        }
        if let failure { throw failure }
    }

    /// `nul` (0 or 1): the value is `value` and that many NULs, written as the first byte of
    /// its padding (a string set from bytes that lack their NUL needs no copy of them).
    @inline(never)
    mutating func setProperty(named name: UnsafeRawBufferPointer, to value: UnsafeRawBufferPointer,
                              nul: Int = 0, of node: FDTNode) throws(FDTError) {
        guard !name.isEmpty, !name.contains(0), isInTree(node) else { throw .unsupported }
        // Offsets in the tree lie below `capacity` (at most 2^32), and `name` and `value` are
        // buffers (far below 2^62 bytes): the sums and differences here cannot overflow, so they
        // wrap rather than check; a length written is at most `capacity` once it has room.
        let length = value.count &+ nul
        let padded = align4(length)
        if let p = fdt.property(named: name, of: node) {
            let oldEnd = align4(p.valueOffset &+ p.length)
            let delta = padded &- (oldEnd &- p.valueOffset)
            guard delta <= freeSpace else { throw .noSpace }
            if delta != 0 { try shift(from: oldEnd, by: delta) }
            put32(p.valueOffset &- 8, UInt32(truncatingIfNeeded: length))
            place(value, at: p.valueOffset, paddedTo: padded)
            return
        }
        let existingName = findString(name)
        let stringCost = existingName == nil ? name.count &+ 1 : 0
        guard 12 &+ padded &+ stringCost <= freeSpace else { throw .noSpace }
        var nameOffset = existingName ?? 0
        if existingName == nil { nameOffset = try appendString(name) }
        guard let at = fdt.propertiesEnd(of: node) else { throw .badNesting }
        // PROP, the value's length, the name's offset, then the value padded to 4.
        try shift(from: at, by: 12 &+ padded)
        put32(at, FDT.FDT_PROP)
        put32(at &+ 4, UInt32(truncatingIfNeeded: length))
        put32(at &+ 8, UInt32(truncatingIfNeeded: nameOffset))
        place(value, at: at &+ 12, paddedTo: padded)
    }

    /// Sets a property named by a literal (its bytes stay in the image for good).
    mutating func setProperty(_ name: StaticString, to value: UnsafeRawBufferPointer,
                                      of node: FDTNode) throws(FDTError) {
        try setProperty(named: literal(name), to: value, of: node)
    }

    private mutating func setProperty(_ name: StaticString, cell: UInt32, of node: FDTNode) throws(FDTError) {
        try withUnsafeBytes(of: cell.bigEndian) { v throws(FDTError) in try setProperty(name, to: v, of: node) }
    }

    /// A 64-bit value in two cells.
    mutating func setProperty(_ name: StaticString, cells: UInt64, of node: FDTNode) throws(FDTError) {
        try withUnsafeBytes(of: cells.bigEndian) { v throws(FDTError) in try setProperty(name, to: v, of: node) }
    }

    /// Removes property `name` of `node` if present; the strings block keeps its name.
    public mutating func removeProperty(_ name: [UInt8], of node: FDTNode) throws(FDTError) {
        guard isInTree(node) else { throw .unsupported }
        try removeProperty(fdt.property(name, of: node))
    }

    mutating func removeProperty(_ name: StaticString, of node: FDTNode) throws(FDTError) {
        guard isInTree(node) else { throw .unsupported }
        try removeProperty(fdt.property(name, of: node))
    }

    private mutating func removeProperty(_ found: FDTProperty?) throws(FDTError) {
        guard let p = found else { return }
        let end = align4(p.valueOffset &+ p.length)   // a property of the tree: offsets below 2^32
        try shift(from: end, by: p.tokenOffset &- end)
    }

    /// Adds `/psci` (binding arm/psci: compatible "arm,psci-1.0", `method`), or updates the
    /// compatible and method of the node `/psci` finds (as `FDT.psciMethod` reads it).
    public mutating func addPSCI(method: PSCIMethod = .smc) throws(FDTError) {
        let compatible = literal("arm,psci-1.0\0")
        let methodValue = literal(method == .smc ? "smc\0" : "hvc\0")
        let need = nodeCost(4) + propertyCost("compatible", compatible.count)
            + propertyCost("method", methodValue.count)
        guard need <= freeSpace else { throw .noSpace }
        let psci: FDTNode
        if let existing = fdt.node(at: "/psci") {
            psci = existing
        } else {
            psci = try subnode(named: literal("psci"), of: fdt.root, knownMissing: true)
        }
        try setProperty("compatible", to: compatible, of: psci)
        try setProperty("method", to: methodValue, of: psci)
    }

    /// Adds `/reserved-memory/<name>@<base>` with `reg = <base size>` (in the cells of
    /// `/reserved-memory`) and, when `noMap`, `no-map`. A missing `/reserved-memory` is created
    /// with #address-cells = <2>, #size-cells = <2> and an empty `ranges` (identity mapping).
    public mutating func addReservedMemory(name: StaticString = "mm-buffer", base: UInt64, size: UInt64,
                                           noMap: Bool = true) throws(FDTError) {
        // The node's name, `<name>@<base in hex without leading zeros>`, is written on the stack
        // once its parent exists: no arrays.
        var digits = 1
        while digits < 16 && base >> UInt64(4 * digits) != 0 { digits += 1 }
        let nodeNameCount = name.utf8CodeUnitCount + 1 + digits
        var need = nodeCost(nodeNameCount) + propertyCost("reg", 16) + propertyCost("no-map", 0)
        var addressCells = 2, sizeCells = 2
        let existing = fdt.node(at: "/reserved-memory")
        if let parent = existing {
            addressCells = fdt.addressCells(of: parent)
            sizeCells = fdt.sizeCells(of: parent)
        } else {
            need += nodeCost(15) + 2 * propertyCost("#address-cells", 4)
                + propertyCost("ranges", 0)
        }
        var reg: (UInt64, UInt64) = (0, 0)   // room for two 2-cell values
        let regFits = withUnsafeMutableBytes(of: &reg) { r in
            FDTEditor.putCells(base, addressCells, r, at: 0) && FDTEditor.putCells(size, sizeCells, r, at: 4 * addressCells)
        }
        guard regFits else { throw .unsupported }
        guard need <= freeSpace else { throw .noSpace }

        let parent: FDTNode
        if let node = existing {
            parent = node
        } else {
            parent = try subnode(named: literal("reserved-memory"), of: fdt.root, knownMissing: true)
            try setProperty("#address-cells", cell: 2, of: parent)
            try setProperty("#size-cells", cell: 2, of: parent)
            try setProperty("ranges", to: UnsafeRawBufferPointer(start: nil, count: 0), of: parent)
        }
        let child = try withUnsafeTemporaryAllocation(byteCount: nodeNameCount, alignment: 1) { n throws(FDTError) in
            let at = name.utf8CodeUnitCount
            name.withUTF8Buffer { n.copyMemory(from: UnsafeRawBufferPointer($0)) }
            n[at] = UInt8(ascii: "@")
            for i in 0..<digits {
                let d = UInt8(truncatingIfNeeded: base >> UInt64(4 * (digits - 1 - i))) & 0xf
                n[at + 1 + i] = d < 10 ? 0x30 + d : 0x57 + d
            }
            return try subnode(named: UnsafeRawBufferPointer(n), of: parent, knownMissing: false)
        }
        try withUnsafeBytes(of: reg) { r throws(FDTError) in
            try setProperty("reg", to: UnsafeRawBufferPointer(rebasing: r[..<(4 * (addressCells + sizeCells))]), of: child)
        }
        if noMap { try setProperty("no-map", to: UnsafeRawBufferPointer(start: nil, count: 0), of: child) }
    }

    // MARK: Costs (upper bounds, in bytes)

    /// A node named by `nameLength` bytes: BEGIN_NODE, the name and its NUL padded, END_NODE.
    private func nodeCost(_ nameLength: Int) -> Int { 8 + align4(nameLength + 1) }

    /// Whether `node` is in the tree now (the index knows every node).
    private func isInTree(_ node: FDTNode) -> Bool {
        node.offset == fdt.root.offset || fdt.contains(node)
    }

    private func propertyCost(_ name: StaticString, _ length: Int) -> Int {
        12 + align4(length) + name.utf8CodeUnitCount + 1
    }

    /// `value` as `count` big-endian cells at `offset` of `out` (room for 2 cells there); false,
    /// and nothing written, when it does not fit or the count is not 1 or 2.
    private static func putCells(_ value: UInt64, _ count: Int, _ out: UnsafeMutableRawBufferPointer, at offset: Int) -> Bool {
        switch count {
        case 1:
            guard value <= UInt64(UInt32.max) else { return false }
            out.storeBytes(of: UInt32(value).bigEndian, toByteOffset: offset, as: UInt32.self)
        case 2: out.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt64.self)
        default: return false
        }
        return true
    }

    // MARK: Block surgery

    /// Moves everything from `offset` (inside the structure block) to the end of the strings
    /// block by `delta` bytes, a multiple of 4, and updates the header to match.
    private mutating func shift(from offset: Int, by delta: Int) throws(FDTError) {
        let end = fdt.stringsEnd
        // The offsets lie below `capacity` (at most 2^32) and `delta` is a size its callers
        // bounded by the free space or the tree: sums wrap rather than check; the fields written
        // are offsets and sizes below `capacity` once the checks pass.
        guard delta & 3 == 0, offset >= fdt.structStart, offset <= fdt.stringsStart,
              delta >= fdt.structStart &- offset else { throw .badLayout }
        guard delta <= capacity &- end else { throw .noSpace }
        guard let base = buffer.baseAddress else { throw .noSpace }
        // Safety: source and destination both lie within `buffer` (checked above); overlap is fine.
        (base + (offset &+ delta)).copyMemory(from: base + offset, byteCount: end &- offset)
        let structSize = fdt.structLimit &- fdt.structStart &+ delta
        put32(FDTEditor.structSizeField, UInt32(truncatingIfNeeded: structSize))
        put32(FDTEditor.stringsOffsetField, UInt32(truncatingIfNeeded: fdt.stringsStart &+ delta))
        growTotalSize(to: end &+ delta)
        adopt(structDelta: delta, stringsGrowth: 0)
        // Nodes from the edit point on moved with it (an edit never removes a node).
        fdt.index?.shift(from: offset, by: delta)
    }

    /// The offset within the strings block of `name` followed by NUL, if present (a suffix of
    /// a longer name counts, as the format allows): the first match, tried only where a NUL
    /// ends it (found a word at a time).
    private func findString(_ needle: UnsafeRawBufferPointer) -> Int? {
        guard !needle.isEmpty else { return nil }
        var from = fdt.stringsStart + needle.count
        while from < fdt.stringsEnd, let end = fdt.nul(from: from, limit: fdt.stringsEnd) {
            if fdt.equal((end - needle.count)..<end, needle) { return end - needle.count - fdt.stringsStart }
            from = end + 1
        }
        return nil
    }

    private mutating func appendString(_ name: UnsafeRawBufferPointer) throws(FDTError) -> Int {
        let end = fdt.stringsEnd
        guard name.count < capacity &- end else { throw .noSpace }
        // Below the capacity (at most 2^32) from here on: sums wrap rather than check.
        let grown = end &+ name.count &+ 1
        place(name, at: end, paddedTo: name.count &+ 1)
        put32(FDTEditor.stringsSizeField, UInt32(truncatingIfNeeded: grown &- fdt.stringsStart))
        growTotalSize(to: grown)
        adopt(structDelta: 0, stringsGrowth: name.count &+ 1)
        return end &- fdt.stringsStart
    }

    private mutating func growTotalSize(to used: Int) {
        if used > fdt.totalSize { put32(FDTEditor.totalSizeField, UInt32(used)) }
    }

    private mutating func reload() throws(FDTError) {
        fdt = try FDT(UnsafeRawBufferPointer(buffer))
    }

    /// Takes in an edit without walking the tree again (it was validated once, in `init`, and
    /// every edit writes well-formed tokens): the header's totalsize and the moved offsets.
    private mutating func adopt(structDelta: Int, stringsGrowth: Int) {
        let total = Int(FDT.read32(UnsafeRawBufferPointer(buffer), FDTEditor.totalSizeField))
        fdt.adopt(UnsafeRawBufferPointer(buffer), structDelta: structDelta, stringsGrowth: stringsGrowth, totalSize: total)
    }

    /// `bytes` at `offset`, then zeros up to `length` bytes (NUL and padding). Callers have
    /// checked that `offset + length` lies within `buffer`, and `length >= bytes.count`.
    private func place(_ bytes: UnsafeRawBufferPointer, at offset: Int, paddedTo length: Int) {
        guard let to = buffer.baseAddress else { return }
        if let from = bytes.baseAddress { (to + offset).copyMemory(from: from, byteCount: bytes.count) }
        (to + offset + bytes.count).initializeMemory(as: UInt8.self, repeating: 0, count: length - bytes.count)
    }

    /// Header fields sit 4-aligned but the buffer need not: stored unaligned, big-endian (byte
    /// by byte under strict alignment: one copy, not one per field).
    @inline(never)
    private func put32(_ offset: Int, _ value: UInt32) {
        buffer.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
    }
}

/// A string literal's bytes (no terminator beyond those it spells): they live in the image's
/// read-only data for the program's life. Traps on a one-scalar literal, which has no pointer.
func literal(_ text: StaticString) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
}
