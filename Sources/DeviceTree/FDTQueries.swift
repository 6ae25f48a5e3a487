/// A `reg` entry: a base address and a size, in the parent's address space.
public struct FDTRegion: Equatable, Sendable {
    public var base: UInt64
    public var size: UInt64
    public init(base: UInt64, size: UInt64) { self.base = base; self.size = size }

    /// `list.append(region)` out of line: one copy of the array's uniqueness and growth checks
    /// for the lists of ranges read at boot, not one inlined at each.
    @inline(never)
    public static func append(_ region: FDTRegion, to list: inout [FDTRegion]) { list.append(region) }
}

/// Where a node's `reg` lies in the blob: `count` entries of `addressCells` + `sizeCells` cells.
public struct FDTRegCells: Equatable, Sendable {
    let start: Int
    public let count: Int
    let addressCells: Int
    let sizeCells: Int
}

/// Generic queries. None of them traps: malformed data reads as absent.
extension FDT {
    // MARK: Walking (cursors rather than closures: each use costs a call, not a copy of the walk)

    /// The first property of `node`. Properties precede a node's children (§5.4.1); `FDT.init`
    /// rejects a tree with a property after a child, so stopping at the first child sees them all.
    @inline(never)
    public func firstProperty(of node: FDTNode) -> FDTProperty? {
        contentStart(of: node).flatMap(property(from:))
    }

    /// The property after `property` in the same node.
    @inline(never)
    public func nextProperty(after property: FDTProperty) -> FDTProperty? {
        self.property(from: align4(property.valueOffset + property.length))
    }

    /// The first child of `node`.
    @inline(never)
    public func firstChild(of node: FDTNode) -> FDTNode? {
        if let index, let i = index.position(of: node.offset) {
            return i + 1 < index.entries[i].end ? FDTNode(offset: index.entries[i + 1].offset, parent: node.offset) : nil
        }
        #if hasFeature(Embedded)
        return nil  // FDT.indexOnly
        #else
        guard let offset = propertiesEnd(of: node), let (t, _) = try? token(at: offset),
              case .beginNode = t else { return nil }
        return FDTNode(offset: offset, parent: node.offset)
        #endif
    }

    /// The next child of `node`'s parent. Only nodes and NOPs follow a child (`FDT.init` checks
    /// it), so the first other token is the parent's END_NODE.
    @inline(never)
    public func nextSibling(of node: FDTNode) -> FDTNode? {
        if node.parent != nil, let index, let i = index.position(of: node.offset) {
            let j = index.entries[i].end
            guard j < index.entries.count, index.entries[j].parent == index.entries[i].parent else { return nil }
            return FDTNode(offset: index.entries[j].offset, parent: node.parent)
        }
        #if hasFeature(Embedded)
        return nil  // FDT.indexOnly
        #else
        guard node.parent != nil, let end = endOffset(of: node),
              let offset = skipNOPs(from: end + 4), let (t, _) = try? token(at: offset),
              case .beginNode = t else { return nil }
        return FDTNode(offset: offset, parent: node.parent)
        #endif
    }

    public func properties(of node: FDTNode) -> [FDTProperty] {
        var all: [FDTProperty] = []
        var next = firstProperty(of: node)
        while let p = next {  // ends: each property lies after the one before
            all.append(p)
            next = nextProperty(after: p)
        }
        return all
    }

    public func children(of node: FDTNode) -> [FDTNode] {
        var all: [FDTNode] = []
        var next = firstChild(of: node)
        while let child = next {  // ends: each sibling lies after the one before
            all.append(child)
            next = nextSibling(of: child)
        }
        return all
    }

    /// Calls `body` with each child of `node` in order until it returns false: by position in
    /// the index (no lookup per child), else (host only: FDT.indexOnly) by
    /// `firstChild`/`nextSibling`.
    func forEachChild(of node: FDTNode, _ body: (FDTNode) -> Bool) {
        if let index, let p = index.position(of: node.offset) {
            var i = p + 1
            while i < index.entries[p].end {  // ends: `end` is past `i`
                if !body(FDTNode(offset: index.entries[i].offset, parent: node.offset)) { return }
                i = index.entries[i].end
            }
            return
        }
        #if !hasFeature(Embedded)
        var next = firstChild(of: node)
        while let child = next {  // ends: each sibling lies after the one before
            if !body(child) { return }
            next = nextSibling(of: child)
        }
        #endif
    }

    /// Calls `body` with every node in document order and its depth (the root is 0) until it
    /// returns false.
    public func forEachNode(_ body: (FDTNode, Int) -> Bool) {
        if let index {
            for i in index.entries.indices where !body(index.node(i), index.entries[i].depth) { return }
            return
        }
        #if !hasFeature(Embedded)  // FDT.indexOnly
        var open: [Int] = []  // offsets of the enclosing nodes
        var offset = structStart
        while let (t, next) = try? token(at: offset) {
            switch t {
            case .beginNode:
                guard open.count < FDT.maxDepth,
                      body(FDTNode(offset: offset, parent: open.last), open.count) else { return }
                open.append(offset)
            case .endNode:
                guard open.popLast() != nil else { return }
            case .end:
                return
            case .property, .nop:
                break
            }
            offset = next
        }
        #endif
    }

    /// The first node, in document order, for which `predicate` holds.
    public func firstNode(where predicate: (FDTNode) -> Bool) -> FDTNode? {
        var found: FDTNode?
        forEachNode { node, _ in
            if predicate(node) { found = node; return false }
            return true
        }
        return found
    }

    /// The first node in document order whose `compatible` lists `name` (or, with `prefix`, a
    /// string starting with it), skipping disabled nodes when `enabledOnly`.
    @inline(never)
    public func firstNode(compatible name: StaticString, prefix: Bool = false, enabledOnly: Bool = false) -> FDTNode? {
        firstNode { node in
            (prefix ? isCompatible(node, withPrefix: name) : isCompatible(node, with: name))
                && (!enabledOnly || isEnabled(node))
        }
    }

    /// Whether `node` is a node of this tree, not an offset left over from before an edit.
    func contains(_ node: FDTNode) -> Bool {
        if let index { return index.position(of: node.offset) != nil }
        #if hasFeature(Embedded)
        return false  // FDT.indexOnly
        #else
        var found = false
        forEachNode { n, _ in
            found = n.offset == node.offset
            return n.offset < node.offset
        }
        return found
        #endif
    }

    /// Just past the node's BEGIN_NODE token and name.
    private func contentStart(of node: FDTNode) -> Int? {
        nameRange(of: node).map { align4($0.upperBound + 1) }
    }

    #if !hasFeature(Embedded)  // FDT.indexOnly
    private func skipNOPs(from offset: Int) -> Int? {
        var offset = offset
        while let (t, next) = try? token(at: offset) {
            guard case .nop = t else { return offset }
            offset = next
        }
        return nil
    }
    #endif

    /// The property at `offset`, after any NOPs: what `token(at:)` decodes there, read in place
    /// (property lookups run this once per property).
    @inline(never)
    private func property(from offset: Int) -> FDTProperty? {
        guard offset >= structStart, offset & 3 == 0 else { return nil }
        var at = offset
        // structLimit ≤ bytes.count (checked in init, kept by edits): reads below it are in bounds.
        // `at` stays below it (at most 2^32) and lengths are 32-bit: the sums wrap, unchecked.
        while at <= structLimit &- 4 {
            let tag = FDT.read32(bytes, at)
            if tag == FDT.FDT_NOP { at &+= 4; continue }
            guard tag == FDT.FDT_PROP, at &+ 4 <= structLimit &- 8 else { return nil }
            let length = Int(FDT.read32(bytes, at &+ 4)), nameOffset = Int(FDT.read32(bytes, at &+ 8))
            let value = at &+ 12
            guard length <= structLimit &- value, align4(value &+ length) <= structLimit,
                  nameOffset < stringsEnd - stringsStart else { return nil }
            return FDTProperty(nameOffset: stringsStart + nameOffset, valueOffset: value, length: length)
        }
        return nil
    }

    /// Where `node`'s properties end: its first child's BEGIN_NODE, or its END_NODE.
    @inline(never)
    func propertiesEnd(of node: FDTNode) -> Int? {
        if let index, let i = index.position(of: node.offset) {
            return i + 1 < index.entries[i].end ? index.entries[i + 1].offset : index.entries[i].close
        }
        #if hasFeature(Embedded)
        return nil  // FDT.indexOnly
        #else
        guard var offset = contentStart(of: node) else { return nil }
        while let (t, next) = try? token(at: offset) {
            switch t {
            case .property, .nop: offset = next
            case .beginNode, .endNode: return offset
            case .end: return nil
            }
        }
        return nil
        #endif
    }

    /// The offset of `node`'s END_NODE.
    @inline(never)
    func endOffset(of node: FDTNode) -> Int? {
        if let index { return index.position(of: node.offset).map { index.entries[$0].close } }
        #if hasFeature(Embedded)
        return nil  // FDT.indexOnly
        #else
        // The same walk as `token(at:)` makes, without building tokens: nextSibling runs it over
        // every subtree it skips. Every bound `token` checks is checked here.
        guard node.offset >= structStart, node.offset & 3 == 0 else { return nil }
        var offset = node.offset
        var depth = 0
        while offset <= structLimit - 4 {
            switch FDT.read32(bytes, offset) {
            case FDT.FDT_BEGIN_NODE:
                guard let end = nul(from: offset + 4, limit: structLimit) else { return nil }
                depth += 1
                offset = align4(end + 1)
                guard offset <= structLimit else { return nil }
            case FDT.FDT_END_NODE:
                depth -= 1
                if depth <= 0 { return offset }
                offset += 4
            case FDT.FDT_PROP:
                guard offset <= structLimit - 12 else { return nil }
                let length = Int(FDT.read32(bytes, offset + 4)), nameOffset = Int(FDT.read32(bytes, offset + 8))
                let value = offset + 12
                guard length <= structLimit - value, align4(value + length) <= structLimit,
                      nameOffset < stringsEnd - stringsStart else { return nil }
                offset = align4(value + length)
            case FDT.FDT_NOP:
                offset += 4
            default:
                return nil
            }
        }
        return nil
        #endif
    }

    // MARK: Names and paths

    /// The node's name with its unit address ("memory@40000000"); empty for the root.
    @inline(never) public func name(of node: FDTNode) -> [UInt8] {
        guard let range = nameRange(of: node) else { return [] }
        return Array(bytes[range])
    }

    public func name(of property: FDTProperty) -> [UInt8] {
        guard let end = nul(from: property.nameOffset, limit: stringsEnd) else { return [] }
        return Array(bytes[property.nameOffset..<end])
    }

    /// What `token(at:)` decodes for a BEGIN_NODE, read in place.
    @inline(never)
    func nameRange(of node: FDTNode) -> Range<Int>? {
        let offset = node.offset
        guard offset >= structStart, offset & 3 == 0, offset <= structLimit - 4,
              FDT.read32(bytes, offset) == FDT.FDT_BEGIN_NODE, let end = nul(from: offset + 4, limit: structLimit),
              align4(end + 1) <= structLimit else { return nil }
        return (offset + 4)..<end
    }

    /// The node at an absolute path such as "/chosen" or "/reserved-memory/mm-buffer@40100000".
    /// A component without "@" also matches a name with a unit address, as in libfdt.
    public func node(at path: StaticString) -> FDTNode? {
        path.withUTF8Buffer { node(atPath: UnsafeRawBufferPointer($0)) }
    }

    public func node(at path: [UInt8]) -> FDTNode? { path.withUnsafeBytes { node(atPath: $0) } }

    func node(atPath path: UnsafeRawBufferPointer) -> FDTNode? {
        guard path.first == UInt8(ascii: "/") else { return nil }
        var current = root
        var start = 1
        while start < path.count {  // one component per round; `start` only grows
            var end = start
            while end < path.count, path[end] != UInt8(ascii: "/") { end += 1 }
            if end > start {
                let component = UnsafeRawBufferPointer(rebasing: path[start..<end])
                guard let next = child(of: current, named: component) else { return nil }
                current = next
            }
            start = end + 1
        }
        return current
    }

    /// The child of `parent` called `name` (see `node(at:)` for unit addresses).
    public func child(of parent: FDTNode, named name: [UInt8]) -> FDTNode? {
        name.withUnsafeBytes { child(of: parent, named: $0) }
    }

    public func child(of parent: FDTNode, named name: StaticString) -> FDTNode? {
        name.withUTF8Buffer { child(of: parent, named: UnsafeRawBufferPointer($0)) }
    }

    @inline(never)
    func child(of parent: FDTNode, named name: UnsafeRawBufferPointer, exactly: Bool = false) -> FDTNode? {
        if let index, !name.contains(0), let p = index.position(of: parent.offset) {
            // A child's name starts just past its BEGIN_NODE token and ends at a NUL: `name`
            // (which has none) matches when its bytes are there followed by the NUL, or, for a
            // name without "@", by "@" and a unit address. The children by position in the index.
            let unitAddressToo = !exactly && !name.contains(UInt8(ascii: "@"))
            var i = p + 1
            while i < index.entries[p].end {  // ends: `end` is past `i`
                let start = index.entries[i].offset + 4
                if start + name.count < structLimit, equal(start..<(start + name.count), name) {
                    let after = bytes[start + name.count]
                    if after == 0 || (unitAddressToo && after == UInt8(ascii: "@")) {
                        return FDTNode(offset: index.entries[i].offset, parent: parent.offset)
                    }
                }
                i = index.entries[i].end
            }
            return nil
        }
        #if hasFeature(Embedded)
        return nil  // FDT.indexOnly (a name with a NUL names no node)
        #else
        var next = firstChild(of: parent)
        while let child = next, let range = nameRange(of: child) {
            if equal(range, name) || (!exactly && matchesWithoutUnitAddress(range, name)) { return child }
            next = nextSibling(of: child)
        }
        return nil
        #endif
    }

    #if !hasFeature(Embedded)  // FDT.indexOnly
    private func matchesWithoutUnitAddress(_ range: Range<Int>, _ name: UnsafeRawBufferPointer) -> Bool {
        guard !name.contains(UInt8(ascii: "@")), range.count > name.count,
              bytes[range.lowerBound + name.count] == UInt8(ascii: "@") else { return false }
        return equal(range.lowerBound..<(range.lowerBound + name.count), name)
    }
    #endif

    /// Whether the blob bytes at `range` equal `other`.
    @inline(never)
    func equal(_ range: Range<Int>, _ other: UnsafeRawBufferPointer) -> Bool {
        // A range with a negative bound fails the second test, so the wrapping difference is
        // its count whenever it matters; the indices below then stay inside the blob.
        guard range.upperBound &- range.lowerBound == other.count, range.lowerBound >= 0,
              range.upperBound <= bytes.count
        else { return false }
        var i = 0
        while i < other.count {
            if bytes[range.lowerBound &+ i] != other[i] { return false }
            i &+= 1
        }
        return true
    }

    func equal(_ range: Range<Int>, _ text: StaticString) -> Bool {
        text.withUTF8Buffer { equal(range, UnsafeRawBufferPointer($0)) }
    }

    // MARK: Properties

    public func property(_ name: StaticString, of node: FDTNode) -> FDTProperty? {
        name.withUTF8Buffer { property(named: UnsafeRawBufferPointer($0), of: node) }
    }

    public func property(_ name: [UInt8], of node: FDTNode) -> FDTProperty? {
        name.withUnsafeBytes { property(named: $0, of: node) }
    }

    @inline(never)
    func property(named name: UnsafeRawBufferPointer, of node: FDTNode) -> FDTProperty? {
        var next = firstProperty(of: node)
        while let p = next {
            let end = p.nameOffset + name.count
            if end < stringsEnd, bytes[end] == 0, equal(p.nameOffset..<end, name) { return p }
            next = nextProperty(after: p)
        }
        return nil
    }

    /// A copy of the value bytes.
    public func value(of property: FDTProperty) -> [UInt8] {
        guard let range = valueRange(of: property) else { return [] }
        return Array(bytes[range])
    }

    @inline(never)
    func valueRange(of property: FDTProperty) -> Range<Int>? {
        guard property.valueOffset >= 0, property.length >= 0,
              property.length <= bytes.count - property.valueOffset else { return nil }
        return property.valueOffset..<(property.valueOffset + property.length)
    }

    /// A one-cell value.
    public func u32(of property: FDTProperty) -> UInt32? {
        property.length == 4 ? u32(at: property.valueOffset) : nil
    }

    /// Cell `i` of the value (a big-endian u32); nil past its end.
    public func cell(_ i: Int, of property: FDTProperty) -> UInt32? {
        guard i >= 0, i < property.length / 4 else { return nil }
        return u32(at: property.valueOffset + 4 * i)
    }

    /// A one- or two-cell value as a number; nil for any other length.
    @inline(never)
    public func number(of property: FDTProperty) -> UInt64? {
        switch property.length {
        case 4: return u32(at: property.valueOffset).map(UInt64.init)
        case 8: return u64(at: property.valueOffset)
        default: return nil
        }
    }

    /// The first NUL-terminated string of the value, without its NUL.
    public func string(of property: FDTProperty) -> [UInt8]? {
        stringRange(of: property).map { Array(bytes[$0]) }
    }

    @inline(never)
    func stringRange(of property: FDTProperty) -> Range<Int>? {
        guard let range = valueRange(of: property),
              let end = nul(from: range.lowerBound, limit: range.upperBound) else { return nil }
        return range.lowerBound..<end
    }

    /// Whether the first string of the value is `text`.
    @inline(never) func string(of property: FDTProperty?, is text: StaticString) -> Bool {
        guard let p = property, let range = stringRange(of: p) else { return false }
        return equal(range, text)
    }

    /// Every NUL-terminated string of a string-list value; an unterminated tail is dropped.
    @inline(never) public func strings(of property: FDTProperty) -> [[UInt8]] {
        var list: [[UInt8]] = []
        forEachString(of: property) { list.append(Array(bytes[$0])); return true }
        return list
    }

    func forEachString(of property: FDTProperty, _ body: (Range<Int>) -> Bool) {
        guard let range = valueRange(of: property) else { return }
        var start = range.lowerBound
        while start < range.upperBound, let end = nul(from: start, limit: range.upperBound) {
            if !body(start..<end) { return }
            start = end + 1
        }
    }

    // MARK: Standard properties (Devicetree Specification §2.3)

    /// `#address-cells` of `node` (2 when absent): how `reg` of its children is written.
    public func addressCells(of node: FDTNode) -> Int { cellCount("#address-cells", of: node) ?? 2 }

    /// `#size-cells` of `node` (1 when absent).
    public func sizeCells(of node: FDTNode) -> Int { cellCount("#size-cells", of: node) ?? 1 }

    @inline(never)
    private func cellCount(_ name: StaticString, of node: FDTNode) -> Int? {
        guard let p = property(name, of: node), let cells = u32(of: p) else { return nil }
        return Int(min(cells, 0xff))  // anything above 2 is unusable anyway
    }

    /// `reg` decoded with the parent's cell sizes; nil when absent, when the parent uses more
    /// than two cells, or when the length is not a whole number of entries.
    @inline(never)
    public func reg(of node: FDTNode) -> [FDTRegion]? {
        guard let cells = regCells(of: node) else { return nil }
        var regions: [FDTRegion] = []
        for i in 0..<cells.count { regions.append(region(i, of: cells)) }
        return regions
    }

    /// Where `reg` of `node` lies and how it is written, checked as `reg(of:)` checks it; its
    /// entries are read in place with `region(_:of:)`.
    @inline(never)
    public func regCells(of node: FDTNode) -> FDTRegCells? {
        guard let parentOffset = node.parent, let p = property("reg", of: node),
              let range = valueRange(of: p) else { return nil }
        let parent = FDTNode(offset: parentOffset, parent: nil)
        let addressCells = addressCells(of: parent), sizeCells = sizeCells(of: parent)
        guard (1...2).contains(addressCells), (0...2).contains(sizeCells) else { return nil }
        let stride = (addressCells + sizeCells) * 4
        guard range.count % stride == 0 else { return nil }
        return FDTRegCells(start: range.lowerBound, count: range.count / stride,
                           addressCells: addressCells, sizeCells: sizeCells)
    }

    /// Entry `i` (below `reg.count`) of a `reg` that `regCells(of:)` found in this tree.
    @inline(never)
    public func region(_ i: Int, of reg: FDTRegCells) -> FDTRegion {
        // Cell counts of 1 or 2 and an entry of the value: offsets inside the blob, so the
        // arithmetic wraps rather than checks (and `cells` bounds-checks each read anyway).
        let at = reg.start &+ i &* (reg.addressCells &+ reg.sizeCells) &* 4
        // The value lies inside the blob (`valueRange`), so every cell read succeeds.
        return FDTRegion(base: cells(at: at, count: reg.addressCells) ?? 0,
                         size: cells(at: at &+ reg.addressCells &* 4, count: reg.sizeCells) ?? 0)
    }

    /// A value of `count` (0 to 2) cells at `offset`.
    @inline(never)
    func cells(at offset: Int, count: Int) -> UInt64? {
        guard count != 0 else { return 0 }
        // One bounds check, then one load of either width (any count but 0 and 1 reads two cells).
        guard offset >= 0, offset <= bytes.count &- (count == 1 ? 4 : 8) else { return nil }
        if count == 1 { return UInt64(FDT.read32(bytes, offset)) }
        return UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Whether `compatible` of `node` lists `name` exactly.
    @inline(never) public func isCompatible(_ node: FDTNode, with name: StaticString) -> Bool {
        hasCompatible(node) { equal($0, name) }
    }

    /// Whether `compatible` of `node` lists a string starting with `prefix` ("arm,psci" finds
    /// "arm,psci-1.0").
    @inline(never) public func isCompatible(_ node: FDTNode, withPrefix prefix: StaticString) -> Bool {
        let n = prefix.utf8CodeUnitCount
        return hasCompatible(node) { $0.count >= n && equal($0.prefix(n), prefix) }
    }

    private func hasCompatible(_ node: FDTNode, _ match: (Range<Int>) -> Bool) -> Bool {
        guard let p = property("compatible", of: node) else { return false }
        var found = false
        forEachString(of: p) { found = match($0); return !found }
        return found
    }

    /// §2.3.4: enabled when `status` is absent, "okay", or the older "ok".
    @inline(never) public func isEnabled(_ node: FDTNode) -> Bool {
        guard let p = property("status", of: node) else { return true }
        return string(of: p, is: "okay") || string(of: p, is: "ok")
    }
}
