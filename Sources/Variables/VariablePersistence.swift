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
    /// The first variable, in key order (`VariableKey.precedes`), whose key follows `after`
    /// (from the first when nil) and that `include` accepts: one step of GetNextVariableName.
    func firstVariable(after: (guid: EFIGuid, name: [UInt8])?, where include: (StoredVariable) -> Bool) -> StoredVariable?
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
        for v in variables where v.guid == guid && v.name == name { return v }
        return nil
    }

    public func variable(guid: EFIGuid, rawName: UnsafeRawBufferPointer) -> StoredVariable? {
        for v in variables where v.guid == guid && VariableKey.equal(v.name, rawName) { return v }
        return nil
    }

    public func attributes(guid: EFIGuid, rawName: UnsafeRawBufferPointer) -> UInt32? {
        for v in variables where v.guid == guid && VariableKey.equal(v.name, rawName) { return v.attributes }
        return nil
    }

    /// The handle is the position in `variables`.
    public func heldValue(guid: EFIGuid, rawName: UnsafeRawBufferPointer) -> HeldValue? {
        for (i, v) in variables.enumerated() where v.guid == guid && VariableKey.equal(v.name, rawName) {
            return HeldValue(attributes: v.attributes, count: v.data.count, handle: i)
        }
        return nil
    }

    public func copyValue(_ held: HeldValue, to buffer: UnsafeMutableRawBufferPointer, at: Int) {
        variables[held.handle].data.withUnsafeBytes { buffer.mmPut($0, at: at) }
    }

    public func firstVariable(after: (guid: EFIGuid, name: [UInt8])?, where include: (StoredVariable) -> Bool) -> StoredVariable? {
        var best: StoredVariable?
        for v in variables {
            if let a = after, !VariableKey.precedes(a.guid, a.name, v.guid, v.name) { continue }
            if let b = best, !VariableKey.precedes(v.guid, v.name, b.guid, b.name) { continue }
            guard include(v) else { continue }
            best = v
        }
        return best
    }
}
