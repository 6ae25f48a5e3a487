import MM

/// How much of the partition's RAM the log's index of variables may take. Every mounted variable
/// has an entry in RAM, so the flash alone does not bound it. A put past either limit is refused
/// (`.full`, EFI_OUT_OF_RESOURCES), and mount drops whatever a crafted flash holds past them, so
/// what was accepted always mounts.
public struct VariableLogLimits: Equatable, Sendable {
    /// Variables the store holds at most.
    public var maximumVariableCount: Int
    /// Bytes of RAM for the index, each variable counted as name + data + `entryOverhead`.
    public var indexCapacity: Int

    /// RAM one variable costs beyond its name and data. The index keeps neither (they are read
    /// from the flash), so this is a bound kept from when it did: the limits accept the same
    /// stores as before, and a store written then mounts now.
    public static let entryOverhead = 256

    /// 4096 variables and 1.5 MiB, half the partition's 3 MiB heap.
    public init(maximumVariableCount: Int = 4096, indexCapacity: Int = 0x18_0000) {
        self.maximumVariableCount = maximumVariableCount
        self.indexCapacity = indexCapacity
    }
}

/// What the index keeps of one variable: its GUID, the hash of its key, its attributes and sizes,
/// and where its record is. Name and value stay in the flash, where mount (or the put that wrote
/// them) checked them, and are read from there: the index holds no array per variable.
struct VariableLogEntry {
    var guid: EFIGuid
    /// `FlashVariableLog.hash` of (guid, name): probes and rehashes compare it before any name.
    var hash: Int
    var attributes: UInt32
    var nameCount: Int
    var dataCount: Int
    var location: VariableLogLocation
}

/// The RAM index: one entry per variable, found by (guid, name) through an open-addressing hash
/// table of positions, so mount and lookups are linear overall, and listed in key order through a
/// sorted array of positions.
extension FlashVariableLog {
    static var emptySlot: Int32 { -1 }
    static var deletedSlot: Int32 { -2 }

    /// Variables held.
    public var variableCount: Int { entries.count }

    /// The non-volatile variables held, read from the flash (for tests and listings: each one
    /// builds its two arrays).
    public var variables: [StoredVariable] {
        var all: [StoredVariable] = []
        all.reserveCapacity(entries.count)
        for i in entries.indices { all.append(stored(i)) }
        return all
    }

    /// Variable `i` of the index with its name and value read from the flash.
    func stored(_ i: Int) -> StoredVariable {
        let e = entries[i]
        return StoredVariable(guid: e.guid, name: readArray(offset: nameOffset(e), count: e.nameCount),
                              attributes: e.attributes, data: readArray(offset: dataOffset(e), count: e.dataCount))
    }

    /// Flash offset of the name of `e`'s record (its value follows it).
    func nameOffset(_ e: VariableLogEntry) -> Int {
        e.location.block * blockSize + e.location.offset + VariableLogFormat.recordHeaderSize
    }

    func dataOffset(_ e: VariableLogEntry) -> Int { nameOffset(e) + e.nameCount }

    /// RAM the index spends on `v` (see `VariableLogLimits.entryOverhead`).
    public func indexCost(of v: StoredVariable) -> Int {
        indexCost(nameCount: v.name.count, dataCount: v.data.count)
    }

    func indexCost(nameCount: Int, dataCount: Int) -> Int {
        nameCount + dataCount + VariableLogLimits.entryOverhead
    }

    static func hash(guid: EFIGuid, name: [UInt8]) -> Int {
        name.withUnsafeBytes { hash(guid: guid, rawName: $0) }
    }

    static func hash(guid: EFIGuid, rawName: UnsafeRawBufferPointer) -> Int {
        // FNV-1a, 64-bit, over the GUID's two words (not its 16 bytes one by one), then the name.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        h = (h ^ guid.lo) &* 0x100_0000_01b3
        h = (h ^ guid.hi) &* 0x100_0000_01b3
        // The name four bytes (two characters) a step, as little-endian words: one load where
        // the name is 4-aligned (names in messages and in the store's arrays are), bytes elsewhere.
        guard let base = rawName.baseAddress else { return Int(truncatingIfNeeded: h >> 1) }
        let n = rawName.count
        var i = 0
        if UInt(bitPattern: base) & 3 == 0 {
            while n &- i >= 4 {  // 0 ≤ i ≤ n: wrapping steps cannot overflow
                h = (h ^ UInt64(UInt32(littleEndian: base.load(fromByteOffset: i, as: UInt32.self)))) &* 0x100_0000_01b3
                i &+= 4
            }
        } else {
            while n - i >= 4 {
                let w = UInt32(rawName[i]) | UInt32(rawName[i + 1]) << 8 | UInt32(rawName[i + 2]) << 16 | UInt32(rawName[i + 3]) << 24
                h = (h ^ UInt64(w)) &* 0x100_0000_01b3
                i += 4
            }
        }
        while i < n {
            h = (h ^ UInt64(rawName[i]) ^ 0x100) &* 0x100_0000_01b3
            i += 1
        }
        // A word xor-ed in reaches the low bits (the slot) through its low byte only: mix the
        // high bits down (MurmurHash3's finaliser), or names alike but for one character collide.
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return Int(truncatingIfNeeded: h >> 1)
    }

    /// Whether the name of `e` in the flash is the bytes of `name`.
    func nameEquals(_ e: VariableLogEntry, _ name: UnsafeRawBufferPointer) -> Bool {
        e.nameCount == name.count && Self.flashEquals(flash, offset: nameOffset(e), name)
    }

    /// Position of (guid, name) in `entries`, the name in a buffer.
    func index(guid: EFIGuid, rawName: UnsafeRawBufferPointer) -> Int? {
        Self.probe(slots, entries, flash, blockSize, guid, rawName).position
    }

    /// Position of (guid, name) in `entries`, if held.
    func index(guid: EFIGuid, name: [UInt8]) -> Int? {
        name.withUnsafeBytes { Self.probe(slots, entries, flash, blockSize, guid, $0).position }
    }

    /// The same for mutating callers: a non-mutating method called from one copies the whole
    /// log (and retains its arrays) first. Out of line: each of its callers handed `probe` the
    /// index's arrays itself.
    @inline(never)
    mutating func position(guid: EFIGuid, rawName: UnsafeRawBufferPointer) -> (hash: Int, position: Int?) {
        Self.probe(slots, entries, flash, blockSize, guid, rawName)
    }

    mutating func position(guid: EFIGuid, name: [UInt8]) -> Int? {
        name.withUnsafeBytes { position(guid: guid, rawName: $0).position }
    }

    /// The hash of (guid, name) and its position in `entries`, if held: the mount's replay hands
    /// the hash on to `insert`, so that a name is hashed once. A name is read from the flash only
    /// for an entry whose GUID, hash and size all match.
    static func probe(_ slots: [Int32], _ entries: [VariableLogEntry], _ flash: F, _ blockSize: Int,
                      _ guid: EFIGuid, _ rawName: UnsafeRawBufferPointer) -> (hash: Int, position: Int?) {
        let h = Self.hash(guid: guid, rawName: rawName)
        let mask = slots.count - 1
        guard mask > 0 else { return (h, nil) }
        var s = h & mask
        for _ in 0..<slots.count {
            let p = slots[s]
            if p == Self.emptySlot { return (h, nil) }
            if p >= 0 {
                let e = entries[Int(p)]
                if e.hash == h, e.guid == guid, e.nameCount == rawName.count,
                   flashEquals(flash, offset: e.location.block * blockSize + e.location.offset + VariableLogFormat.recordHeaderSize,
                               rawName) { return (h, Int(p)) }
            }
            s = (s + 1) & mask
        }
        return (h, nil)
    }

    /// The slot holding position `position` of `entries`.
    func slot(holding position: Int) -> Int? {
        let mask = slots.count - 1
        var s = entries[position].hash & mask
        for _ in 0..<slots.count {
            if slots[s] == Int32(position) { return s }
            if slots[s] == Self.emptySlot { return nil }
            s = (s + 1) & mask
        }
        return nil
    }

    /// Appends a variable not held yet. `name` is its name (for the key order; the index keeps
    /// only its size).
    mutating func insert(_ e: VariableLogEntry, name: UnsafeRawBufferPointer) {
        if (entries.count + deletedSlots + 1) * 2 > slots.count { rehash(minimum: entries.count + 1) }
        entries.append(e)
        usedBytes += e.location.footprint
        indexBytes += indexCost(nameCount: e.nameCount, dataCount: e.dataCount)
        let mask = slots.count - 1
        var s = e.hash & mask
        while slots[s] >= 0 { s = (s + 1) & mask }
        if slots[s] == Self.deletedSlot { deletedSlots -= 1 }
        slots[s] = Int32(entries.count - 1)
        if !orderDeferred { order.insert(Int32(entries.count - 1), at: orderIndex(notBefore: e.guid, name)) }
    }

    /// Gives the variable at `i` a new value (attributes, size) and record.
    mutating func replace(_ i: Int, attributes: UInt32, dataCount: Int, at location: VariableLogLocation) {
        usedBytes += location.footprint - entries[i].location.footprint
        indexBytes += dataCount - entries[i].dataCount
        entries[i].attributes = attributes
        entries[i].dataCount = dataCount
        entries[i].location = location
    }

    /// Drops the variable at `i`; the last one takes its position. `name` is its name.
    mutating func delete(_ i: Int, name: UnsafeRawBufferPointer) {
        usedBytes -= entries[i].location.footprint
        indexBytes -= indexCost(nameCount: entries[i].nameCount, dataCount: entries[i].dataCount)
        let last = entries.count - 1
        if let s = slot(holding: i) { slots[s] = Self.deletedSlot; deletedSlots += 1 }
        if !orderDeferred {
            order.remove(at: orderIndexInPlace(notBefore: entries[i].guid, name))
            // The last entry's place in the order: found by its position (a scan of small integers).
            if i != last, let k = order.firstIndex(of: Int32(last)) { order[k] = Int32(i) }
        }
        if i != last {
            if let s = slot(holding: last) { slots[s] = Int32(i) }
            entries[i] = entries[last]  // the last is dropped below: a copy, not a swap
        }
        entries.removeLast()
    }

    mutating func clearIndex() {
        entries = []
        usedBytes = 0; indexBytes = 0
        slots = []; deletedSlots = 0
        order = []; orderDeferred = false
        // What the store can hold, so neither array grows (and leaves holes in the heap) later.
        let fit = min(limits.maximumVariableCount, capacity / VariableLogFormat.footprint(nameCount: 0, dataCount: 0) + 1)
        entries.reserveCapacity(fit)
        order.reserveCapacity(fit)
        rehash(minimum: fit)
    }

    /// Whether the key of `e` sorts before (guid, name): GUIDs first, then the name in the flash.
    func precedes(_ e: VariableLogEntry, _ guid: EFIGuid, _ name: UnsafeRawBufferPointer) -> Bool {
        if e.guid != guid { return EFIGuid.precedes(e.guid, guid) }
        return flashCompare(offset: nameOffset(e), count: e.nameCount, name) < 0
    }

    /// `orderIndex` for a mutating caller inside a closure over the log (`remove`'s name bytes):
    /// a non-mutating method called there copies the whole log first (see `position`).
    mutating func orderIndexInPlace(notBefore guid: EFIGuid, _ name: UnsafeRawBufferPointer) -> Int {
        orderIndex(notBefore: guid, name)
    }

    /// Where in `order` the first key not before (guid, name) is (binary search).
    func orderIndex(notBefore guid: EFIGuid, _ name: UnsafeRawBufferPointer) -> Int {
        var lo = 0, hi = order.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if precedes(entries[Int(order[mid])], guid, name) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Sorts `order` afresh (after a mount, which adds in log order): n log n. `names` holds the
    /// name of each entry at the 8-aligned offset `nameAt[position]` (the mount's copies), so
    /// the comparisons read no flash. A bottom-up merge sort, stable: runs of 1, 2, 4, ...
    /// positions merged in place through a buffer for the left run; a pair already in order
    /// (its first right key not before its last left one) is left as it is, so ordered stretches
    /// of the log cost one comparison a merge, and of the others only the keys that interleave
    /// are merged. Fewer comparisons than the stdlib's sort on the log orders tried (the bench's
    /// `V<n>` stores, random orders), and none of its code.
    mutating func rebuildOrder(names: UnsafeRawPointer, nameAt: UnsafeMutablePointer<Int32>) {
        order.removeAll(keepingCapacity: true)
        for p in entries.indices { order.append(Int32(p)) }
        let n = order.count
        let left = UnsafeMutablePointer<Int32>.allocate(capacity: max(n, 1))
        defer { left.deallocate() }
        entries.withUnsafeBufferPointer { es in
            let base = es.baseAddress!
            // Whether the key of position b sorts before the key of position a. Out of line:
            // the merge, its two binary searches and the run test each inlined it.
            @inline(never)
            func before(_ b: Int32, _ a: Int32) -> Bool {
                let x = base + Int(a), y = base + Int(b)
                if x.pointee.guid != y.pointee.guid { return EFIGuid.precedes(y.pointee.guid, x.pointee.guid) }
                return VariableKey.namePrecedes(
                    UnsafeRawBufferPointer(start: names + Int(nameAt[Int(b)]), count: y.pointee.nameCount),
                    UnsafeRawBufferPointer(start: names + Int(nameAt[Int(a)]), count: x.pointee.nameCount))
            }
            order.withUnsafeMutableBufferPointer { o in
                guard let a = o.baseAddress else { return }
                var width = 1
                while width < n {
                    var lo = 0
                    while n - lo > width {
                        let mid = lo + width, hi = min(mid + width, n)
                        let first = a[mid], last = a[mid - 1]
                        if before(first, last) {
                            // Left keys not after the right run's first stay where they are, and
                            // right keys not before the left run's last: binary searches find
                            // the window between, and only it is merged.
                            var s = lo, t = mid - 1
                            while s < t { let m = (s + t) / 2; if before(first, a[m]) { t = m } else { s = m + 1 } }
                            var e = mid + 1, u = hi
                            while e < u { let m = (e + u) / 2; if before(a[m], last) { e = m + 1 } else { u = m } }
                            let w = mid - s
                            UnsafeMutableRawPointer(left).copyMemory(from: a + s, byteCount: w * 4)
                            // Right run taken only when strictly before: stable. Once the left run
                            // is used up, the rest of the window is in place.
                            var i = 0, j = mid, k = s
                            while i < w {
                                if j < e && before(a[j], left[i]) { a[k] = a[j]; j += 1 } else { a[k] = left[i]; i += 1 }
                                k += 1
                            }
                        }
                        lo = hi
                    }
                    width *= 2
                }
            }
        }
        orderDeferred = false
    }

    /// One step of GetNextVariableName from the sorted order: a binary search, then the first
    /// entry `include` accepts. The handle is the position in `entries`.
    public func firstKey(after: (guid: EFIGuid, name: UnsafeRawBufferPointer)?,
                         where include: (EFIGuid, UInt32, UnsafeRawBufferPointer) -> Bool) -> StoredKey? {
        var k = 0
        if let a = after {
            k = orderIndex(notBefore: a.guid, a.name)
            if k < order.count, entries[Int(order[k])].guid == a.guid, nameEquals(entries[Int(order[k])], a.name) { k += 1 }
        }
        while k < order.count {
            let e = entries[Int(order[k])]
            // The name read from the flash onto the stack (one longer than `stackName`, legal but
            // rare, into an array).
            let accepted = e.nameCount > Self.stackName
                ? readArray(offset: nameOffset(e), count: e.nameCount).withUnsafeBytes { include(e.guid, e.attributes, $0) }
                : withUnsafeTemporaryAllocation(byteCount: Self.stackName, alignment: 8) { buffer in
                    let name = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<e.nameCount])
                    flash.read(offset: nameOffset(e), into: name)
                    return include(e.guid, e.attributes, UnsafeRawBufferPointer(name))
                }
            if accepted { return StoredKey(guid: e.guid, nameCount: e.nameCount, handle: Int(order[k])) }
            k += 1
        }
        return nil
    }

    /// Bytes of a name a listing step reads onto the stack.
    static var stackName: Int { 1024 }

    public func key(_ key: StoredKey, precedes guid: EFIGuid, _ name: UnsafeRawBufferPointer) -> Bool {
        precedes(entries[key.handle], guid, name)
    }

    public func copyName(of key: StoredKey, to buffer: UnsafeMutableRawBufferPointer, at: Int) {
        let e = entries[key.handle]
        flash.read(offset: nameOffset(e), into: UnsafeMutableRawBufferPointer(rebasing: buffer[at..<(at + e.nameCount)]))
    }

    /// Rebuilds the table with room for `minimum` variables at a load of at most a half.
    mutating func rehash(minimum: Int) {
        var size = 16
        while size < 2 * max(minimum, entries.count) + 2 { size *= 2 }
        // All bytes 0xFF is -1, the empty slot: one memset rather than a store per slot.
        slots = [Int32](unsafeUninitializedCapacity: size) { buffer, initialised in
            UnsafeMutableRawBufferPointer(buffer).initializeMemory(as: UInt8.self, repeating: 0xFF)
            initialised = size
        }
        deletedSlots = 0
        let mask = size - 1
        for p in entries.indices {
            var s = entries[p].hash & mask
            while slots[s] != Self.emptySlot { s = (s + 1) & mask }
            slots[s] = Int32(p)
        }
    }

    /// Compares the `count` bytes of flash at `offset` with `b`, bytewise (then the shorter
    /// first): negative, 0 or positive. Read in 64-byte pieces on the stack.
    func flashCompare(offset: Int, count: Int, _ b: UnsafeRawBufferPointer) -> Int {
        let n = min(count, b.count)
        var piece: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        let c = withUnsafeMutableBytes(of: &piece) { buffer -> Int in
            var at = 0
            while at < n {
                let k = min(buffer.count, n - at)
                let chunk = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<k])
                flash.read(offset: offset + at, into: chunk)
                for i in 0..<k where chunk[i] != b[at + i] { return chunk[i] < b[at + i] ? -1 : 1 }
                at += k
            }
            return 0
        }
        if c != 0 { return c }
        return count == b.count ? 0 : (count < b.count ? -1 : 1)
    }

    /// Whether the flash at `offset` holds the bytes of `b`: read in 64-byte pieces on the stack.
    static func flashEquals(_ flash: F, offset: Int, _ b: UnsafeRawBufferPointer) -> Bool {
        var piece: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &piece) { buffer in
            var at = 0
            while at < b.count {
                let k = min(buffer.count, b.count - at)
                let chunk = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<k])
                flash.read(offset: offset + at, into: chunk)
                guard UnsafeRawBufferPointer(chunk).mmEqual(UnsafeRawBufferPointer(rebasing: b[at..<(at + k)])) else { return false }
                at += k
            }
            return true
        }
    }
}
