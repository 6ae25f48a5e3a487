import MM

/// One variable as the store keeps it: the key is (guid, name); the name is UCS-2LE bytes
/// including the terminating NUL.
public struct StoredVariable: Equatable, Sendable {
    public var guid: EFIGuid
    public var name: [UInt8]
    public var attributes: UInt32
    public var data: [UInt8]

    public init(guid: EFIGuid, name: [UInt8], attributes: UInt32, data: [UInt8]) {
        self.guid = guid; self.name = name; self.attributes = attributes; self.data = data
    }
}

/// A variable found by a listing step without building it: its GUID, its name's size, and
/// where the medium keeps it (`handle`: the medium's own; valid until the medium changes).
public struct StoredKey: Equatable, Sendable {
    public var guid: EFIGuid
    public var nameCount: Int
    public var handle: Int
}

/// A held value found without copying it (GetVariable's path): its attributes, its size, and
/// where the medium keeps it (`handle`: the medium's own; valid until the medium changes).
public struct HeldValue: Equatable, Sendable {
    public var attributes: UInt32
    public var count: Int
    public var handle: Int

    public init(attributes: UInt32, count: Int, handle: Int) {
        self.attributes = attributes; self.count = count; self.handle = handle
    }
}

public enum PersistenceError: Error, Equatable, Sendable {
    /// No room even after reclaiming space (EFI_OUT_OF_RESOURCES).
    case full
    /// The medium failed to program or erase (EFI_DEVICE_ERROR).
    case deviceError
}

/// Where non-volatile variables live. The UEFI semantics (VariableStore) sit above it and
/// never see the medium's format; a flash log and an in-memory fake both conform.
public protocol VariablePersistence {
    /// The non-volatile variables that are durable now.
    var variables: [StoredVariable] { get }
    /// Makes `variable` the durable value of its (guid, name): when this returns, a power cut
    /// keeps it; when it throws, the previous value is kept.
    mutating func put(_ variable: StoredVariable) throws(PersistenceError)
    /// Durably removes (guid, name); removing a missing variable does nothing.
    mutating func remove(guid: EFIGuid, name: [UInt8]) throws(PersistenceError)
    /// Bytes the medium offers to variables in all (QueryVariableInfo MaximumVariableStorageSize).
    var capacity: Int { get }
    /// Bytes still free for new variables after reclaiming all dead space.
    var remaining: Int { get }
    /// Largest name + data one variable may hold (QueryVariableInfo MaximumVariableSize).
    var maximumVariableSize: Int { get }
    /// False for a medium that never holds authenticated variables (the normal world's RAM
    /// fallback): a store over it refuses them without linking their rules.
    static var takesAuthenticatedWrites: Bool { get }
    /// Bytes `variable` occupies on the medium, so a caller can tell if it fits.
    func footprint(of variable: StoredVariable) -> Int
    /// The durable variable (guid, name), if any.
    func variable(guid: EFIGuid, name: [UInt8]) -> StoredVariable?
    /// The same with the name in a buffer (no array built to look it up). `mutating` only so
    /// that the hot path reaches the medium in place: a borrow of it copied the whole log.
    mutating func variable(guid: EFIGuid, rawName: UnsafeRawBufferPointer) -> StoredVariable?
    /// The attributes of the durable variable (guid, name), if any, without building it.
    func attributes(guid: EFIGuid, rawName: UnsafeRawBufferPointer) -> UInt32?
    /// The value of (guid, name), the name in a buffer, without a copy of it (`copyValue` reads it).
    mutating func heldValue(guid: EFIGuid, rawName: UnsafeRawBufferPointer) -> HeldValue?
    /// Copies the value `held` (from `heldValue`, the medium unchanged since) to `at` of `buffer`.
    func copyValue(_ held: HeldValue, to buffer: UnsafeMutableRawBufferPointer, at: Int)
    /// One step of GetNextVariableName, nothing built: the first key, in key order
    /// (`VariableKey.precedes`), that follows `after` (from the first when nil) and that
    /// `include` accepts, shown its GUID, attributes and name.
    func firstKey(after: (guid: EFIGuid, name: UnsafeRawBufferPointer)?,
                  where include: (EFIGuid, UInt32, UnsafeRawBufferPointer) -> Bool) -> StoredKey?
    /// Whether `key` (from `firstKey`, the medium unchanged since) sorts before (guid, name).
    func key(_ key: StoredKey, precedes guid: EFIGuid, _ name: UnsafeRawBufferPointer) -> Bool
    /// Copies the name of `key` (its `nameCount` bytes) to `at` of `buffer`.
    func copyName(of key: StoredKey, to buffer: UnsafeMutableRawBufferPointer, at: Int)
    /// When (guid, name) is held with exactly `attributes` and a value of `data.count` bytes:
    /// makes `data` its durable value as `put` does (written from the buffer, the value kept in
    /// the held array: no allocation) and returns true. False, with nothing done, otherwise.
    mutating func replaceValue(guid: EFIGuid, rawName: UnsafeRawBufferPointer, attributes: UInt32,
                               data: UnsafeRawBufferPointer) throws(PersistenceError) -> Bool
    /// Whether `replaceValue` can ever answer true: false lets a store over the medium leave the
    /// checks of its same-size update path out (the normal world's RAM fallback).
    static var replacesValuesInPlace: Bool { get }
}

extension FlashVariableLog {
    public static var replacesValuesInPlace: Bool { true }
}

/// Linear scans, for media that keep few variables; the flash log answers from its index.
extension VariablePersistence {
    /// Media without an in-place path: SetVariable takes `put`.
    public static var replacesValuesInPlace: Bool { false }

    public mutating func replaceValue(guid: EFIGuid, rawName: UnsafeRawBufferPointer, attributes: UInt32,
                                      data: UnsafeRawBufferPointer) throws(PersistenceError) -> Bool { false }

    public func variable(guid: EFIGuid, name: [UInt8]) -> StoredVariable? {
        let all = variables
        return all.position(guid: guid, name: name).map { all[$0] }
    }

    public func variable(guid: EFIGuid, rawName: UnsafeRawBufferPointer) -> StoredVariable? {
        let all = variables
        return all.position(guid: guid, rawName: rawName).map { all[$0] }
    }

    public func attributes(guid: EFIGuid, rawName: UnsafeRawBufferPointer) -> UInt32? {
        let all = variables
        return all.position(guid: guid, rawName: rawName).map { all[$0].attributes }
    }

    /// The handle is the position in `variables`.
    public func heldValue(guid: EFIGuid, rawName: UnsafeRawBufferPointer) -> HeldValue? {
        let all = variables
        guard let i = all.position(guid: guid, rawName: rawName) else { return nil }
        return HeldValue(attributes: all[i].attributes, count: all[i].data.count, handle: i)
    }

    public func copyValue(_ held: HeldValue, to buffer: UnsafeMutableRawBufferPointer, at: Int) {
        variables[held.handle].data.withUnsafeBytes { buffer.mmPut($0, at: at) }
    }

    /// The handle is the position in `variables`.
    public func firstKey(after: (guid: EFIGuid, name: UnsafeRawBufferPointer)?,
                         where include: (EFIGuid, UInt32, UnsafeRawBufferPointer) -> Bool) -> StoredKey? {
        let all = variables
        var best: Int?
        for (i, v) in all.enumerated() {
            if let b = best, !VariableKey.precedes(v.guid, v.name, all[b].guid, all[b].name) { continue }
            let wanted = v.name.withUnsafeBytes { name in
                if let a = after, !VariableKey.precedes(a.guid, a.name, v.guid, name) { return false }
                return include(v.guid, v.attributes, name)
            }
            if wanted { best = i }
        }
        return best.map { StoredKey(guid: all[$0].guid, nameCount: all[$0].name.count, handle: $0) }
    }

    public func key(_ key: StoredKey, precedes guid: EFIGuid, _ name: UnsafeRawBufferPointer) -> Bool {
        variables[key.handle].name.withUnsafeBytes { VariableKey.precedes(key.guid, $0, guid, name) }
    }

    public func copyName(of key: StoredKey, to buffer: UnsafeMutableRawBufferPointer, at: Int) {
        variables[key.handle].name.withUnsafeBytes { buffer.mmPut($0, at: at) }
    }
}

extension VariablePersistence {
    /// `firstKey` with each variable built and shown to `include` (tests and tools; the store
    /// lists through `firstKey`, which builds nothing).
    public func firstVariable(after: (guid: EFIGuid, name: [UInt8])?, where include: (StoredVariable) -> Bool) -> StoredVariable? {
        var from = after
        while let v = nextVariable(after: from) {
            if include(v) { return v }
            from = (v.guid, v.name)
        }
        return nil
    }

    private func nextVariable(after a: (guid: EFIGuid, name: [UInt8])?) -> StoredVariable? {
        let key = a.map { a in a.name.withUnsafeBytes { firstKey(after: (a.guid, $0), where: { _, _, _ in true }) } }
            ?? firstKey(after: nil, where: { _, _, _ in true })
        guard let key else { return nil }
        let name = [UInt8](unsafeUninitializedCapacity: key.nameCount) { buffer, count in
            copyName(of: key, to: UnsafeMutableRawBufferPointer(buffer), at: 0)
            count = key.nameCount
        }
        return variable(guid: key.guid, name: name)
    }
}

extension Array where Element == StoredVariable {
    /// Where (guid, name) is in a table of variables, the name in a buffer: the one loop behind
    /// the store's volatiles and the RAM medium's lookups (inlined, each was its own copy).
    @inline(never)
    public func position(guid: EFIGuid, rawName name: UnsafeRawBufferPointer) -> Int? {
        for i in indices where self[i].guid == guid && VariableKey.equal(self[i].name, name) { return i }
        return nil
    }

    /// The same with the name in an array.
    public func position(guid: EFIGuid, name: [UInt8]) -> Int? {
        name.withUnsafeBytes { position(guid: guid, rawName: $0) }
    }

    /// `v` in place of the variable at `index`, or added at the end (nil): one copy of the
    /// replacement and the growth for the store's volatiles and the RAM medium.
    @inline(never)
    public mutating func put(_ v: StoredVariable, at index: Int?) {
        if let i = index { self[i] = v } else { append(v) }
    }
}
