import MM

/// How much of the partition's RAM the log's index of variables may take. Every mounted variable
/// is held in RAM, so the flash alone does not bound it: 1 MiB of small variables would need
/// several times that in RAM. A put past either limit is refused (`.full`, EFI_OUT_OF_RESOURCES),
/// and mount drops whatever a crafted flash holds past them, so what was accepted always mounts.
public struct VariableLogLimits: Equatable, Sendable {
    /// Variables the store holds at most.
    public var maximumVariableCount: Int
    /// Bytes of RAM for the index, each variable counted as name + data + `entryOverhead`.
    public var indexCapacity: Int

    /// RAM one variable costs beyond its name and data: its entry and location (64 bytes), two
    /// hash slots, and the heap blocks of its two arrays (array header, heap header, rounding:
    /// up to 2 × 63), rounded up.
    public static let entryOverhead = 256

    /// 4096 variables and 1.5 MiB, half the partition's 3 MiB heap.
    public init(maximumVariableCount: Int = 4096, indexCapacity: Int = 0x18_0000) {
        self.maximumVariableCount = maximumVariableCount
        self.indexCapacity = indexCapacity
    }
}

/// The RAM index: variables and their locations in two parallel arrays, found by (guid, name)
/// through an open-addressing hash table of positions, so mount and lookups are linear overall,
/// and listed in key order through a sorted array of positions.
extension FlashVariableLog {
    static var emptySlot: Int32 { -1 }
    static var deletedSlot: Int32 { -2 }

    /// RAM the index spends on `v` (see `VariableLogLimits.entryOverhead`).
    public func indexCost(of v: StoredVariable) -> Int {
        v.name.count + v.data.count + VariableLogLimits.entryOverhead
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

    /// Position of (guid, name) in `variables`, the name in a buffer.
    func index(guid: EFIGuid, rawName: UnsafeRawBufferPointer) -> Int? {
        let mask = slots.count - 1
        guard mask > 0 else { return nil }
        var s = Self.hash(guid: guid, rawName: rawName) & mask
        for _ in 0..<slots.count {
            let p = slots[s]
            if p == Self.emptySlot { return nil }
            if p >= 0, variables[Int(p)].guid == guid, VariableKey.equal(variables[Int(p)].name, rawName) { return Int(p) }
            s = (s + 1) & mask
        }
        return nil
    }

    /// Position of (guid, name) in `variables`, if held.
    func index(guid: EFIGuid, name: [UInt8]) -> Int? { lookup(guid: guid, name: name).position }

    /// The hash of (guid, name) and its position in `variables`, if held: the mount's replay
    /// hands the hash on to `insert`, so that a name is hashed once.
    func lookup(guid: EFIGuid, name: [UInt8]) -> (hash: Int, position: Int?) {
        let h = Self.hash(guid: guid, name: name)
        let mask = slots.count - 1
        guard mask > 0 else { return (h, nil) }
        var s = h & mask
        for _ in 0..<slots.count {
            let p = slots[s]
            if p == Self.emptySlot { return (h, nil) }
            if p >= 0, variables[Int(p)].guid == guid, variables[Int(p)].name == name { return (h, Int(p)) }
            s = (s + 1) & mask
        }
        return (h, nil)
    }

    /// The slot holding position `position` of `variables`.
    func slot(holding position: Int) -> Int? {
        let v = variables[position]
        let mask = slots.count - 1
        var s = Self.hash(guid: v.guid, name: v.name) & mask
        for _ in 0..<slots.count {
            if slots[s] == Int32(position) { return s }
            if slots[s] == Self.emptySlot { return nil }
            s = (s + 1) & mask
        }
        return nil
    }

    /// Appends a variable not held yet.
    /// `hash`, when given, is `Self.hash` of its key.
    mutating func insert(_ v: StoredVariable, at location: VariableLogLocation, hash: Int? = nil) {
        if (variables.count + deletedSlots + 1) * 2 > slots.count { rehash(minimum: variables.count + 1) }
        variables.append(v)
        locations.append(location)
        usedBytes += location.footprint
        indexBytes += indexCost(of: v)
        let mask = slots.count - 1
        var s = (hash ?? Self.hash(guid: v.guid, name: v.name)) & mask
        while slots[s] >= 0 { s = (s + 1) & mask }
        if slots[s] == Self.deletedSlot { deletedSlots -= 1 }
        slots[s] = Int32(variables.count - 1)
        if !orderDeferred { order.insert(Int32(variables.count - 1), at: orderIndex(notBefore: v.guid, v.name)) }
    }

    /// Gives the variable at `i` a new value and record.
    mutating func replace(_ i: Int, with v: StoredVariable, at location: VariableLogLocation) {
        usedBytes += location.footprint - locations[i].footprint
        indexBytes += indexCost(of: v) - indexCost(of: variables[i])
        variables[i] = v
        locations[i] = location
    }

    /// Drops the variable at `i`; the last one takes its position.
    mutating func delete(_ i: Int) {
        usedBytes -= locations[i].footprint
        indexBytes -= indexCost(of: variables[i])
        let last = variables.count - 1
        if let s = slot(holding: i) { slots[s] = Self.deletedSlot; deletedSlots += 1 }
        if !orderDeferred {
            order.remove(at: orderIndex(notBefore: variables[i].guid, variables[i].name))
            if i != last { order[orderIndex(notBefore: variables[last].guid, variables[last].name)] = Int32(i) }
        }
        if i != last {
            if let s = slot(holding: last) { slots[s] = Int32(i) }
            variables.swapAt(i, last)
            locations.swapAt(i, last)
        }
        variables.removeLast()
        locations.removeLast()
    }

    mutating func clearIndex() {
        variables = []; locations = []
        usedBytes = 0; indexBytes = 0
        slots = []; deletedSlots = 0
        order = []; orderDeferred = false
        // What the store can hold, so neither array grows (and leaves holes in the heap) later.
        let fit = min(limits.maximumVariableCount, capacity / VariableLogFormat.footprint(nameCount: 0, dataCount: 0) + 1)
        variables.reserveCapacity(fit)
        locations.reserveCapacity(fit)
        order.reserveCapacity(fit)
        rehash(minimum: fit)
    }

    /// Where in `order` the first key not before (guid, name) is (binary search).
    func orderIndex(notBefore guid: EFIGuid, _ name: [UInt8]) -> Int {
        var lo = 0, hi = order.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let v = variables[Int(order[mid])]
            if VariableKey.precedes(v.guid, v.name, guid, name) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Sorts `order` afresh (after a mount, which adds in log order): n log n.
    mutating func rebuildOrder() {
        order = []
        for p in variables.indices { order.append(Int32(p)) }
        // Through the storage of `variables`: no bounds check, and no copy of an element, per comparison.
        variables.withUnsafeBufferPointer { vs in
            order.sort { a, b in
                let x = vs.baseAddress! + Int(a), y = vs.baseAddress! + Int(b)
                return VariableKey.precedes(x.pointee.guid, x.pointee.name, y.pointee.guid, y.pointee.name)
            }
        }
        orderDeferred = false
    }

    /// One step of GetNextVariableName from the sorted order: a binary search, then the first
    /// entry `include` accepts.
    public func firstVariable(after: (guid: EFIGuid, name: [UInt8])?, where include: (StoredVariable) -> Bool) -> StoredVariable? {
        var k = 0
        if let a = after {
            k = orderIndex(notBefore: a.guid, a.name)
            if k < order.count, variables[Int(order[k])].guid == a.guid, variables[Int(order[k])].name == a.name { k += 1 }
        }
        while k < order.count {
            let v = variables[Int(order[k])]
            if include(v) { return v }
            k += 1
        }
        return nil
    }

    /// Rebuilds the table with room for `minimum` variables at a load of at most a half.
    mutating func rehash(minimum: Int) {
        var size = 16
        while size < 2 * max(minimum, variables.count) + 2 { size *= 2 }
        // All bytes 0xFF is -1, the empty slot: one memset rather than a store per slot.
        slots = [Int32](unsafeUninitializedCapacity: size) { buffer, initialised in
            UnsafeMutableRawBufferPointer(buffer).initializeMemory(as: UInt8.self, repeating: 0xFF)
            initialised = size
        }
        deletedSlots = 0
        let mask = size - 1
        for (p, v) in variables.enumerated() {
            var s = Self.hash(guid: v.guid, name: v.name) & mask
            while slots[s] != Self.emptySlot { s = (s + 1) & mask }
            slots[s] = Int32(p)
        }
    }
}
