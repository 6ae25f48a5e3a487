import MM

/// Lookups by a name that lies in a buffer (the partition's copy of an MM message), so serving a
/// GetVariable builds no array: the key is hashed and compared where it is, and the value is
/// handed out by reference to be copied into the answer.
extension VariableStore {
    /// GetVariable (the rules of `getVariable(name:guid:dataSize:)`) with the name in `rawName`
    /// (NameSize bytes; the name ends at its first NUL). On EFI_SUCCESS the value is where the
    /// store keeps it (a volatile's array, shared; the medium's `HeldValue`, copied out by
    /// `copy(_:to:at:)`) or, for a served variable, one byte. `mutating` only so
    /// that callers reach the store in place: a borrow of the partition's global handler copied
    /// the whole store (and retained its arrays) for every call.
    public mutating func getVariable(rawName: UnsafeRawBufferPointer, guid: EFIGuid, dataSize: UInt64) -> InPlaceRead {
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
        if let i = volatiles.position(guid: guid, rawName: name) { found = volatiles[i] }
        if found == nil {
            // A stored name equal to `name` (cut at its first NUL, longer than L"") is servable:
            // `VariableKey.isServable` holds for it without a second look.
            guard let held = persistence.heldValue(guid: guid, rawName: name),
                  isVisible(attributes: held.attributes) else { return InPlaceRead(status: .notFound) }
            // A medium that takes no authenticated writes holds no AT variable (`setAuthenticated`
            // refuses them all): the split is left out of its store.
            if P.takesAuthenticatedWrites,
               held.attributes & VariableAttributes.timeBasedAuthenticatedWriteAccess.rawValue != 0 {
                found = persistence.variable(guid: guid, rawName: name)  // AT: split below (a copy)
            } else {
                let needed = UInt64(held.count)
                guard dataSize >= needed else {
                    return InPlaceRead(status: .bufferTooSmall, attributes: held.attributes, dataSize: needed)
                }
                return InPlaceRead(status: .success, attributes: held.attributes, dataSize: needed, held: held)
            }
        }
        guard let raw = found, isVisible(raw) else { return InPlaceRead(status: .notFound) }
        // An authenticated variable without its record prefix (a copy, AT only).
        let data = P.takesAuthenticatedWrites && raw.isTimeAuthenticated ? raw.visible.data : raw.data
        let needed = UInt64(data.count)
        guard dataSize >= needed else { return InPlaceRead(status: .bufferTooSmall, attributes: raw.attributes, dataSize: needed) }
        return InPlaceRead(status: .success, attributes: raw.attributes, dataSize: needed, stored: data)
    }

    /// Copies the value of `read` (EFI_SUCCESS only) to `at` of `buffer`.
    public func copy(_ read: InPlaceRead, to buffer: UnsafeMutableRawBufferPointer, at: Int) {
        if let byte = read.served { buffer[at] = byte; return }
        if let held = read.held { persistence.copyValue(held, to: buffer, at: at); return }
        read.stored.withUnsafeBytes { buffer.mmPut($0, at: at) }
    }

    /// SetVariable's common case with the data where it lies: a new value of the same size for a
    /// durable variable written with its own attributes (NV + BS, maybe RT) at boot time, outside
    /// names `DefinedVariable.lookup` has rules for, with no volatile twin and no VarCheck
    /// property refusing it. `name` is the name in the message, cut after its first NUL. Nil when
    /// the case does not apply: the caller then takes `setVariable(name:guid:attributes:data:)`,
    /// which answers every case; otherwise the answer that call gives, with no array made (the
    /// record is written from `name` and `data`).
    public mutating func replaceValue(rawName name: UnsafeRawBufferPointer, guid: EFIGuid,
                                      attributes: UInt32, data: UnsafeRawBufferPointer) -> EFIStatus? {
        let plain = VariableAttributes.nonVolatile.rawValue | VariableAttributes.bootServiceAccess.rawValue
        guard P.replacesValuesInPlace, !atRuntime, attributes & ~VariableAttributes.runtimeAccess.rawValue == plain, !data.isEmpty,
              name.count > 2, UCS2.terminatedSize(name) == name.count,
              !DefinedVariable.governs(guid) || DefinedVariable.lookup(guid: guid, rawName: name) == nil,
              fitsLimit(nameCount: name.count, dataCount: data.count, limit: maximumSize(nonVolatile: true))
        else { return nil }
        if let i = properties.position(guid: guid, rawName: name) {
            guard Self.check(properties[i].property, attributes: attributes, dataCount: data.count,
                             deleting: false) == .success else { return nil }
        }
        if volatiles.position(guid: guid, rawName: name) != nil { return nil }
        do throws(PersistenceError) {
            return try persistence.replaceValue(guid: guid, rawName: name, attributes: attributes, data: data) ? .success : nil
        } catch {
            return VariableStore.status(for: error)
        }
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
    /// The value on EFI_SUCCESS: `stored`, the medium's `held`, or the one byte `served`
    /// (`VariableStore.copy(_:to:at:)` copies it).
    public var stored: [UInt8] = []
    public var held: HeldValue? = nil
    public var served: UInt8? = nil
}

extension ReadOnlyGlobals {
    /// The served name `name` spells (UCS-2 with its NUL), if any.
    @inline(never)   // the in-place read, the array lookups and the listing ask it
    static func servedName(_ name: UnsafeRawBufferPointer) -> StaticString? {
        guard name.count >= 20, name.count <= 26 else { return nil }  // 9 to 12 characters and the NUL
        for n in names where UCS2Name.equals(name, n) { return n }
        return nil
    }
}

extension ReadOnlyGlobals {
    static func isServed(guid: EFIGuid, rawName name: UnsafeRawBufferPointer) -> Bool {
        guid == .globalVariable && servedName(name) != nil
    }
}

extension UCS2Name {
    /// Calls `body` with the UCS-2 spelling of the served name `text`, with its NUL, on the
    /// stack (the served names are at most 12 characters: 26 bytes).
    static func withServedUCS2(_ text: StaticString, _ body: (UnsafeRawBufferPointer) -> Void) {
        var spelt: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &spelt) { b in
            let size = text.withUTF8Buffer { UCS2.write($0, to: b, at: 0) }
            body(UnsafeRawBufferPointer(rebasing: b[0..<size]))
        }
    }

    /// Whether `name` (in a buffer) spells `text` exactly, with its NUL.
    static func equals(_ name: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        let n = text.utf8CodeUnitCount
        guard name.count == 2 * n + 2 else { return false }
        return text.withUTF8Buffer { t in
            for i in 0..<n where name[2 * i] != t[i] || name[2 * i + 1] != 0 { return false }
            return true
        }
    }
}

extension VariableKey {
    /// Whether the stored name `a` is the bytes of `b`.
    static func equal(_ a: [UInt8], _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { $0.mmEqual(b) }
    }
}
