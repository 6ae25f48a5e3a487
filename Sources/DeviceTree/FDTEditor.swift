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
        let fdt = try FDT(UnsafeRawBufferPointer(buffer))
        let structSize = fdt.version >= 17 ? fdt.structLimit - fdt.structStart : fdt.structEnd - fdt.structStart
        guard fdt.reservationEnd <= fdt.structStart, fdt.structStart + structSize <= fdt.stringsStart
        else { throw .badLayout }
        self.fdt = fdt
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
        try subnode(named: name, of: parent, knownMissing: false)
    }

    /// `knownMissing`: the caller has just looked for a child of that name (exactly or not) and
    /// found none, so the children are not walked again.
    private mutating func subnode(named name: [UInt8], of parent: FDTNode, knownMissing: Bool) throws(FDTError) -> FDTNode {
        guard !name.isEmpty, !name.contains(0), !name.contains(UInt8(ascii: "/")), isInTree(parent)
        else { throw .unsupported }
        if !knownMissing, let existing = name.withUnsafeBytes({ fdt.child(of: parent, named: $0, exactly: true) }) {
            return existing
        }
        guard let end = parent.offset == fdt.root.offset ? fdt.rootEndOffset : fdt.endOffset(of: parent) else {
            throw .badNesting
        }
        var token = be32(FDT.FDT_BEGIN_NODE) + name + [0]
        token += [UInt8](repeating: 0, count: align4(token.count) - token.count)
        token += be32(FDT.FDT_END_NODE)
        try insert(token, at: end)
        fdt.index?.insertLastChild(at: end, parentOffset: parent.offset)
        return FDTNode(offset: end, parent: parent.offset)
    }

    /// Sets property `name` of `node` to `value`, replacing an existing value or adding the
    /// property after the node's last one. `node` and the nodes before it keep their offsets;
    /// a node that is no longer in the tree is refused.
    public mutating func setProperty(_ name: [UInt8], to value: [UInt8], of node: FDTNode) throws(FDTError) {
        guard !name.isEmpty, !name.contains(0), isInTree(node) else { throw .unsupported }
        let padded = value + [UInt8](repeating: 0, count: align4(value.count) - value.count)
        if let p = fdt.property(name, of: node) {
            let oldEnd = align4(p.valueOffset + p.length)
            let delta = padded.count - (oldEnd - p.valueOffset)
            guard delta <= freeSpace else { throw .noSpace }
            if delta != 0 { try shift(from: oldEnd, by: delta) }
            write(be32(UInt32(value.count)), at: p.valueOffset - 8)
            write(padded, at: p.valueOffset)
            return
        }
        let existingName = findString(name)
        let stringCost = existingName == nil ? name.count + 1 : 0
        guard 12 + padded.count + stringCost <= freeSpace else { throw .noSpace }
        var nameOffset = existingName ?? 0
        if existingName == nil { nameOffset = try appendString(name) }
        guard let at = fdt.propertiesEnd(of: node) else { throw .badNesting }
        try insert(be32(FDT.FDT_PROP) + be32(UInt32(value.count)) + be32(UInt32(nameOffset)) + padded, at: at)
    }

    /// Removes property `name` of `node` if present; the strings block keeps its name.
    public mutating func removeProperty(_ name: [UInt8], of node: FDTNode) throws(FDTError) {
        guard isInTree(node) else { throw .unsupported }
        guard let p = fdt.property(name, of: node) else { return }
        let end = align4(p.valueOffset + p.length)
        try shift(from: end, by: p.tokenOffset - end)
    }

    /// Adds `/psci` (binding arm/psci: compatible "arm,psci-1.0", `method`), or updates the
    /// compatible and method of the node `/psci` finds (as `FDT.psciMethod` reads it).
    public mutating func addPSCI(method: PSCIMethod = .smc) throws(FDTError) {
        let compatible = utf8("arm,psci-1.0") + [0]
        let methodName: StaticString = method == .smc ? "smc" : "hvc"
        let methodValue = utf8(methodName) + [0]
        let need = nodeCost(utf8("psci")) + propertyCost("compatible", compatible.count)
            + propertyCost("method", methodValue.count)
        guard need <= freeSpace else { throw .noSpace }
        let psci: FDTNode
        if let existing = fdt.node(at: "/psci") {
            psci = existing
        } else {
            psci = try subnode(named: utf8("psci"), of: fdt.root, knownMissing: true)
        }
        try setProperty(utf8("compatible"), to: compatible, of: psci)
        try setProperty(utf8("method"), to: methodValue, of: psci)
    }

    /// Adds `/reserved-memory/<name>@<base>` with `reg = <base size>` (in the cells of
    /// `/reserved-memory`) and, when `noMap`, `no-map`. A missing `/reserved-memory` is created
    /// with #address-cells = <2>, #size-cells = <2> and an empty `ranges` (identity mapping).
    public mutating func addReservedMemory(name: StaticString = "mm-buffer", base: UInt64, size: UInt64,
                                           noMap: Bool = true) throws(FDTError) {
        let nodeName = utf8(name) + [UInt8(ascii: "@")] + hexBytes(base)
        var need = nodeCost(nodeName) + propertyCost("reg", 16) + propertyCost("no-map", 0)
        var addressCells = 2, sizeCells = 2
        let existing = fdt.node(at: "/reserved-memory")
        if let parent = existing {
            addressCells = fdt.addressCells(of: parent)
            sizeCells = fdt.sizeCells(of: parent)
        } else {
            need += nodeCost(utf8("reserved-memory")) + 2 * propertyCost("#address-cells", 4)
                + propertyCost("ranges", 0)
        }
        guard let reg = FDTEditor.cells(base, addressCells), let regSize = FDTEditor.cells(size, sizeCells)
        else { throw .unsupported }
        guard need <= freeSpace else { throw .noSpace }

        let parent: FDTNode
        if let node = existing {
            parent = node
        } else {
            parent = try subnode(named: utf8("reserved-memory"), of: fdt.root, knownMissing: true)
            try setProperty(utf8("#address-cells"), to: be32(2), of: parent)
            try setProperty(utf8("#size-cells"), to: be32(2), of: parent)
            try setProperty(utf8("ranges"), to: [], of: parent)
        }
        let child = try subnode(named: nodeName, of: parent)
        try setProperty(utf8("reg"), to: reg + regSize, of: child)
        if noMap { try setProperty(utf8("no-map"), to: [], of: child) }
    }

    // MARK: Costs (upper bounds, in bytes)

    private func nodeCost(_ name: [UInt8]) -> Int { 8 + align4(name.count + 1) }

    /// Whether `node` is in the tree now (the index knows every node).
    private func isInTree(_ node: FDTNode) -> Bool {
        node.offset == fdt.root.offset || fdt.contains(node)
    }

    private func propertyCost(_ name: StaticString, _ length: Int) -> Int {
        12 + align4(length) + name.utf8CodeUnitCount + 1
    }

    /// `value` as one or two big-endian cells; nil when it does not fit or the count is unusable.
    private static func cells(_ value: UInt64, _ count: Int) -> [UInt8]? {
        switch count {
        case 1: return value <= UInt64(UInt32.max) ? be32(UInt32(value)) : nil
        case 2: return be32(UInt32(value >> 32)) + be32(UInt32(truncatingIfNeeded: value))
        default: return nil
        }
    }

    // MARK: Block surgery

    private mutating func insert(_ bytes: [UInt8], at offset: Int) throws(FDTError) {
        try shift(from: offset, by: bytes.count)
        write(bytes, at: offset)
    }

    /// Moves everything from `offset` (inside the structure block) to the end of the strings
    /// block by `delta` bytes, a multiple of 4, and updates the header to match.
    private mutating func shift(from offset: Int, by delta: Int) throws(FDTError) {
        let end = fdt.stringsEnd
        guard delta & 3 == 0, offset >= fdt.structStart, offset <= fdt.stringsStart,
              offset + delta >= fdt.structStart else { throw .badLayout }
        guard delta <= capacity - end else { throw .noSpace }
        guard let base = buffer.baseAddress else { throw .noSpace }
        // Safety: source and destination both lie within `buffer` (checked above); overlap is fine.
        (base + offset + delta).copyMemory(from: base + offset, byteCount: end - offset)
        let structSize = fdt.structLimit - fdt.structStart + delta
        put32(FDTEditor.structSizeField, UInt32(structSize))
        put32(FDTEditor.stringsOffsetField, UInt32(fdt.stringsStart + delta))
        growTotalSize(to: end + delta)
        adopt(structDelta: delta, stringsGrowth: 0)
        // Nodes from the edit point on moved with it (an edit never removes a node).
        fdt.index?.shift(from: offset, by: delta)
    }

    /// The offset within the strings block of `name` followed by NUL, if present (a suffix of
    /// a longer name counts, as the format allows): the first match, tried only where a NUL
    /// ends it (found a word at a time).
    private func findString(_ name: [UInt8]) -> Int? {
        name.withUnsafeBytes { needle in
            guard !needle.isEmpty else { return nil }
            var from = fdt.stringsStart + needle.count
            while from < fdt.stringsEnd, let end = fdt.nul(from: from, limit: fdt.stringsEnd) {
                if fdt.equal((end - needle.count)..<end, needle) { return end - needle.count - fdt.stringsStart }
                from = end + 1
            }
            return nil
        }
    }

    private mutating func appendString(_ name: [UInt8]) throws(FDTError) -> Int {
        let end = fdt.stringsEnd
        guard name.count < capacity - end else { throw .noSpace }
        write(name + [0], at: end)
        put32(FDTEditor.stringsSizeField, UInt32(end + name.count + 1 - fdt.stringsStart))
        growTotalSize(to: end + name.count + 1)
        adopt(structDelta: 0, stringsGrowth: name.count + 1)
        return end - fdt.stringsStart
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
        fdt = fdt.edited(UnsafeRawBufferPointer(buffer), structDelta: structDelta, stringsGrowth: stringsGrowth,
                         totalSize: total)
    }

    /// Callers have checked that `offset + bytes.count` lies within `buffer`.
    private func write(_ bytes: [UInt8], at offset: Int) {
        for (i, byte) in bytes.enumerated() { buffer[offset + i] = byte }
    }

    private func put32(_ offset: Int, _ value: UInt32) { write(be32(value), at: offset) }
}

private func be32(_ v: UInt32) -> [UInt8] {
    [UInt8(truncatingIfNeeded: v >> 24), UInt8(truncatingIfNeeded: v >> 16),
     UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
}
