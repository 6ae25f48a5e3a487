/// Bus addresses to CPU physical addresses (Devicetree Specification §2.3.8, `ranges`).
extension FDT {
    /// The nodes from the root down to `node`'s parent, outermost first; nil when `node` is not
    /// in this tree.
    public func ancestors(of node: FDTNode) -> [FDTNode]? {
        if let index {
            guard let i = index.position(of: node.offset) else { return nil }
            var path: [FDTNode] = []
            path.reserveCapacity(index.entries[i].depth)
            var a = index.entries[i].parent
            while a >= 0 { path.append(index.node(a)); a = index.entries[a].parent }
            path.reverse()
            return path
        }
        #if hasFeature(Embedded)
        return nil  // FDT.indexOnly: the firmware's trees always have their index
        #else
        var path: [FDTNode] = []
        var found: [FDTNode]?
        forEachNode { n, depth in
            path.removeLast(path.count - min(depth, path.count))
            if n.offset == node.offset { found = path; return false }
            path.append(n)
            return true
        }
        return found
        #endif
    }

    /// `reg` of `node` with each base translated through the `ranges` of every enclosing bus up
    /// to the root. A bus without `ranges` does not map its children into the CPU's space, an
    /// empty `ranges` maps them 1:1, and an address no entry covers is untranslatable: all
    /// three as Linux reads them. Nil when `reg` is unusable or any base does not translate.
    public func translatedReg(of node: FDTNode) -> [FDTRegion]? {
        guard let regions = reg(of: node) else { return nil }
        if let index {
            guard let i = index.position(of: node.offset) else { return nil }
            var out: [FDTRegion] = []
            for r in regions {
                guard let address = translatedUp(r.base, from: i, index) else { return nil }
                out.append(FDTRegion(base: address, size: r.size))
            }
            return out
        }
        #if hasFeature(Embedded)
        return nil  // FDT.indexOnly
        #else
        guard let path = ancestors(of: node) else { return nil }
        var out: [FDTRegion] = []
        for r in regions {
            guard let address = translated(r.base, along: path) else { return nil }
            out.append(FDTRegion(base: address, size: r.size))
        }
        return out
        #endif
    }

    /// The first `reg` entry's base, translated, read in place (no lists built); nil when `reg`
    /// is unusable or empty or that base does not translate. Only the first entry, as Linux maps
    /// a device's registers (`of_iomap(node, 0)`): translating them all could take a huge `reg`
    /// times a huge `ranges` (billions of steps in a 1 MiB tree) and would refuse a device
    /// for an entry nothing reads.
    @inline(never) public func translatedBase(of node: FDTNode) -> UInt64? {
        #if !hasFeature(Embedded)  // FDT.indexOnly
        if index == nil {
            guard let first = reg(of: node)?.first, let path = ancestors(of: node) else { return nil }
            return translated(first.base, along: path)
        }
        #endif
        guard let reg = regCells(of: node), reg.count > 0, let index, let i = index.position(of: node.offset)
        else { return nil }
        return translatedUp(region(0, of: reg).base, from: i, index)
    }

    #if !hasFeature(Embedded)  // FDT.indexOnly: the walk without an index, for the tests' oracle
    /// `address` in the space of `path.last` (a node's parent: the space its `reg` is written
    /// in), translated up `path` (`ancestors(of:)`) to the root's.
    private func translated(_ address: UInt64, along path: [FDTNode]) -> UInt64? {
        var address = address
        var level = path.count - 1
        while level > 0 {
            guard let next = translate(address, bus: path[level], parent: path[level - 1]) else { return nil }
            address = next
            level -= 1
        }
        return address
    }
    #endif

    /// `address` in the space of node `i`'s parent (the space its `reg` is written in),
    /// translated up the index's parent links to the root's: no list of ancestors to build.
    @inline(never) private func translatedUp(_ address: UInt64, from i: Int, _ index: FDTIndex) -> UInt64? {
        var address = address
        var bus = index.entries[i].parent
        while bus >= 0, index.entries[bus].parent >= 0 {
            let parent = index.entries[bus].parent
            guard let next = translate(address, bus: index.node(bus), parent: index.node(parent)) else { return nil }
            address = next
            bus = parent
        }
        return address
    }

    /// `address` in `bus`'s child space, in the space of `parent` (the bus's own parent).
    @inline(never) func translate(_ address: UInt64, bus: FDTNode, parent: FDTNode) -> UInt64? {
        guard let p = property("ranges", of: bus), let range = valueRange(of: p) else { return nil }
        if range.isEmpty { return address }
        let childCells = addressCells(of: bus), parentCells = addressCells(of: parent), sizeCells = sizeCells(of: bus)
        guard (1...2).contains(childCells), (1...2).contains(parentCells), (1...2).contains(sizeCells) else { return nil }
        // Cell counts of 1 or 2 and offsets inside the value (in the blob): the arithmetic
        // wraps rather than checks; `cells` bounds-checks each read.
        let stride = (childCells &+ parentCells &+ sizeCells) &* 4
        guard range.count % stride == 0 else { return nil }
        var offset = range.lowerBound
        while offset < range.upperBound {
            guard let child = cells(at: offset, count: childCells),
                  let target = cells(at: offset &+ childCells &* 4, count: parentCells),
                  let size = cells(at: offset &+ (childCells &+ parentCells) &* 4, count: sizeCells) else { return nil }
            if address >= child, address - child < size {
                let (sum, overflow) = target.addingReportingOverflow(address - child)
                return overflow ? nil : sum
            }
            offset &+= stride
        }
        return nil
    }
}
