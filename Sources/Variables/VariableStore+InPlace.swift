import MM

/// Lookups by a name that lies in a buffer (the partition's copy of an MM message), so serving a
/// GetVariable builds no array: the key is hashed and compared where it is, and the value is
/// handed out by reference to be copied into the answer.
extension VariableStore {
    /// GetVariable (the rules of `getVariable(name:guid:dataSize:)`) with the name in `rawName`
    /// (NameSize bytes; the name ends at its first NUL). On EFI_SUCCESS the value is the stored
    /// array itself (shared, not copied) or, for a served variable, one byte.
    public func getVariable(rawName: UnsafeRawBufferPointer, guid: EFIGuid, dataSize: UInt64) -> InPlaceRead {
        guard let size = UCS2.terminatedSize(rawName) else { return InPlaceRead(status: .invalidParameter) }
        guard size > 2 else { return InPlaceRead(status: .notFound) }
        let name = UnsafeRawBufferPointer(rebasing: rawName[0..<size])
        // Served names first, as `find` does: their value is one byte of the store's state.
        if guid == .globalVariable, let served = ReadOnlyGlobals.servedName(name) {
            let attributes = ReadOnlyGlobals.attributes
            guard isVisible(attributes: attributes) else { return InPlaceRead(status: .notFound) }
            guard dataSize >= 1 else { return InPlaceRead(status: .bufferTooSmall, attributes: attributes, dataSize: 1) }
            let value = ReadOnlyGlobals.value(of: served, mode: secureBootMode)
            return InPlaceRead(status: .success, attributes: attributes, dataSize: 1, served: value)
        }
        var found: StoredVariable? = nil
        for v in volatiles where v.guid == guid && VariableKey.equal(v.name, name) { found = v; break }
        if found == nil, let v = persistence.variable(guid: guid, rawName: name), VariableKey.isServable(v.name) {
            found = v
        }
        guard let raw = found, isVisible(raw) else { return InPlaceRead(status: .notFound) }
        let v = raw.visible  // an authenticated variable without its record prefix (a copy, AT only)
        let needed = UInt64(v.data.count)
        guard dataSize >= needed else { return InPlaceRead(status: .bufferTooSmall, attributes: v.attributes, dataSize: needed) }
        return InPlaceRead(status: .success, attributes: v.attributes, dataSize: needed, stored: v.data)
    }

    /// The name array the store holds for (guid, name), so a SetVariable of an existing variable
    /// reuses it rather than building another.
    public func storedName(guid: EFIGuid, rawName: UnsafeRawBufferPointer) -> [UInt8]? {
        for v in volatiles where v.guid == guid && VariableKey.equal(v.name, rawName) { return v.name }
        return persistence.variable(guid: guid, rawName: rawName)?.name
    }

    func isVisible(attributes: UInt32) -> Bool {
        !atRuntime || attributes & VariableAttributes.runtimeAccess.rawValue != 0
    }
}

/// What `getVariable(rawName:guid:dataSize:)` found.
public struct InPlaceRead {
    public var status: EFIStatus
    public var attributes: UInt32 = 0
    public var dataSize: UInt64 = 0
    /// The value on EFI_SUCCESS: `stored`, or the one byte `served`.
    public var stored: [UInt8] = []
    public var served: UInt8? = nil

    /// Copies the value (EFI_SUCCESS only) to `at` of `buffer`.
    public func copy(to buffer: UnsafeMutableRawBufferPointer, at: Int) {
        if let byte = served { buffer[at] = byte; return }
        stored.withUnsafeBytes { buffer.mmPut($0, at: at) }
    }
}

extension ReadOnlyGlobals {
    /// The served name `name` spells (UCS-2 with its NUL), if any.
    static func servedName(_ name: UnsafeRawBufferPointer) -> StaticString? {
        guard name.count >= 20, name.count <= 26 else { return nil }  // 9 to 12 characters and the NUL
        for n in names where UCS2Name.equals(name, n) { return n }
        return nil
    }
}

extension UCS2Name {
    /// Whether `name` (in a buffer) spells `text` exactly, with its NUL.
    static func equals(_ name: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        let n = text.utf8CodeUnitCount
        guard name.count == 2 * n + 2 else { return false }
        return text.withUTF8Buffer { t in
            for i in 0..<n where name[2 * i] != t[i] || name[2 * i + 1] != 0 { return false }
            return true
        }
    }

    static func same(_ a: StaticString, _ b: StaticString) -> Bool {
        a.withUTF8Buffer { x in b.withUTF8Buffer { y in x.elementsEqual(y) } }
    }
}

extension VariableKey {
    /// Whether the stored name `a` is the bytes of `b`.
    static func equal(_ a: [UInt8], _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { $0.mmEqual(b) }
    }
}
