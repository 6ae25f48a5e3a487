/// Every node of a validated tree in document order, recorded by the one walk `FDT.init` makes:
/// queries move between nodes by position instead of walking the tokens of the subtrees they
/// skip (a path lookup or a scan of all nodes costs no walk at all). `FDTEditor` keeps it
/// current through its edits.
struct FDTIndex: Equatable {
    struct Entry: Equatable {
        /// Offset of the node's FDT_BEGIN_NODE token.
        var offset: Int
        /// Position of the parent; -1 for the root.
        var parent: Int
        /// Position just past the node's last descendant: the next sibling's, when it has one.
        var end: Int
        /// 0 for the root.
        var depth: Int
        /// Offset of the node's FDT_END_NODE token: where its properties end when it has no
        /// children, where a new last child goes.
        var close: Int = 0
    }

    var entries: [Entry] = []

    /// The position of the node whose BEGIN_NODE token is at `offset`; nil for any other offset.
    func position(of offset: Int) -> Int? {
        var low = 0, high = entries.count
        while low < high {  // binary search: entries are in document order, so by offset
            let mid = (low &+ high) >> 1   // both at most `entries.count`: no overflow, no sign
            let o = entries[mid].offset
            if o == offset { return mid }
            if o < offset { low = mid + 1 } else { high = mid }
        }
        return nil
    }

    func node(_ i: Int) -> FDTNode {
        let p = entries[i].parent
        return FDTNode(offset: entries[i].offset, parent: p >= 0 ? entries[p].offset : nil)
    }

    // MARK: Edits (FDTEditor)

    /// Bytes from `offset` on moved by `delta`: so did every node starting there or later, and
    /// every END_NODE there or later (an enclosing node's too).
    mutating func shift(from offset: Int, by delta: Int) {
        var i = 0
        while i < entries.count {
            if entries[i].offset >= offset { entries[i].offset += delta }
            if entries[i].close >= offset { entries[i].close += delta }
            i += 1
        }
    }

    /// A new empty node at `offset` (where its parent's END_NODE was), the last child of the node
    /// at `parentOffset`, its own END_NODE at `close`; the bytes from `offset` on have already
    /// moved past it.
    mutating func insertLastChild(at offset: Int, close: Int, parentOffset: Int) {
        guard let p = position(of: parentOffset) else { return }
        let k = entries[p].end
        // Everything after the insertion point moves one position down.
        var i = k
        while i < entries.count {
            entries[i].end += 1
            if entries[i].parent >= k { entries[i].parent += 1 }
            i += 1
        }
        // The parent and its ancestors now end one position later.
        var a = p
        while a >= 0 {
            entries[a].end += 1
            a = entries[a].parent
        }
        entries.insert(Entry(offset: offset, parent: p, end: k + 1, depth: entries[p].depth + 1, close: close), at: k)
    }
}
