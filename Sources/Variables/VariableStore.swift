import MM

/// UEFI variable services (UEFI 2.10 §8.2, with the checks and answers of EDK2's
/// `VariableServiceGetVariable`/`SetVariable`/`GetNextVariableName`/`QueryVariableInfo`):
/// volatile variables in a bounded RAM table, non-volatile ones through `P`.
/// Names are UCS-2LE bytes with the NUL terminator; anything after the first NUL is ignored.
/// Time-based authenticated variables (AT) are verified (AuthenticatedVariables.swift); AW,
/// ENHANCED and hardware error records are not supported.
public struct VariableStore<P: VariablePersistence> {
    public internal(set) var persistence: P
    public let limits: VariableStoreLimits
    /// READY_TO_BOOT was signalled (EDK2's `mEndOfDxe`): VarCheck properties are frozen.
    public internal(set) var readyToBootSignalled = false
    /// EXIT_BOOT_SERVICE was signalled (EDK2's `mAtRuntime`).
    public internal(set) var atRuntime = false

    /// Checks authenticated writes; without it they are EFI_SECURITY_VIOLATION.
    public var verifier: AuthenticatedWriteVerifier?
    /// Where the store reports secure-boot mode changes and refused ones (the partition's console).
    public var log: ((StaticString) -> Void)?

    var volatiles: [StoredVariable] = []
    var volatileUsed = 0
    var properties: [PropertyEntry] = []
    var propertyUsed = 0

    public init(persistence: P, limits: VariableStoreLimits = VariableStoreLimits(),
                verifier: AuthenticatedWriteVerifier? = nil) {
        self.persistence = persistence
        self.limits = limits
        self.verifier = verifier
    }

    // MARK: lookup

    struct Found {
        var variable: StoredVariable
        var isVolatile: Bool
        var index: Int  // in `volatiles` when volatile
        var isServed = false  // computed by the store (ReadOnlyGlobals), shadowing any stored copy
    }

    /// The variable (guid, name), whatever its attributes.
    func find(guid: EFIGuid, name: [UInt8]) -> Found? {
        if let v = servedVariable(guid: guid, name: name) { return Found(variable: v, isVolatile: true, index: 0, isServed: true) }
        for (i, v) in volatiles.enumerated() where v.guid == guid && v.name == name {
            return Found(variable: v, isVolatile: true, index: i)
        }
        if let v = persistence.variable(guid: guid, name: name), VariableKey.isServable(v.name) {
            return Found(variable: v, isVolatile: false, index: 0)
        }
        return nil
    }

    /// Whether a caller in the current phase sees `v`: after ExitBootServices only RT variables.
    func isVisible(_ v: StoredVariable) -> Bool {
        !atRuntime || v.attributes & VariableAttributes.runtimeAccess.rawValue != 0
    }

    static func volatileFootprint(nameCount: Int, dataCount: Int) -> Int {
        nameCount + dataCount + VariableStoreLimits.entryOverhead
    }

    // MARK: GetVariable

    /// GetVariable with a data buffer of `dataSize` bytes. An unterminated name is
    /// EFI_INVALID_PARAMETER, an empty one EFI_NOT_FOUND (as EDK2), a variable the phase hides
    /// EFI_NOT_FOUND, a small buffer EFI_BUFFER_TOO_SMALL with the size and attributes.
    public func getVariable(name rawName: [UInt8], guid: EFIGuid, dataSize: UInt64) -> VariableReadResult {
        guard let name = UCS2.normalized(rawName) else { return VariableReadResult(status: .invalidParameter) }
        guard name.count > 2 else { return VariableReadResult(status: .notFound) }
        guard let found = find(guid: guid, name: name), isVisible(found.variable) else {
            return VariableReadResult(status: .notFound)
        }
        let v = found.variable.visible
        let size = UInt64(v.data.count)
        guard dataSize >= size else {
            return VariableReadResult(status: .bufferTooSmall, attributes: v.attributes, dataSize: size)
        }
        return VariableReadResult(status: .success, attributes: v.attributes, dataSize: size, data: v.data)
    }

    // MARK: GetNextVariableName

    /// GetNextVariableName. `nameBuffer` is the caller's buffer (its size is
    /// `*VariableNameSize`) holding the previous name, L"" to start. Order: by GUID bytes, then
    /// name bytes, so it does not depend on where the medium keeps things. No NUL within the
    /// buffer, or a previous (guid, name) that is not a visible variable, is
    /// EFI_INVALID_PARAMETER; the end is EFI_NOT_FOUND; a small buffer EFI_BUFFER_TOO_SMALL with
    /// the size needed.
    public func nextVariableName(nameBuffer: [UInt8], guid: EFIGuid) -> NextVariableNameResult {
        guard let previous = UCS2.normalized(nameBuffer) else { return NextVariableNameResult(status: .invalidParameter) }
        return nextVariableName(previous: previous, bufferSize: nameBuffer.count, guid: guid)
    }

    /// The same with the caller's buffer where it lies (the partition's copy of the message):
    /// on EFI_SUCCESS `name` is the stored array itself, shared, not a copy.
    public func nextVariableName(rawNameBuffer: UnsafeRawBufferPointer, guid: EFIGuid) -> NextVariableNameResult {
        guard let size = UCS2.terminatedSize(rawNameBuffer) else { return NextVariableNameResult(status: .invalidParameter) }
        // L"" (the start) needs no key; a previous name is one small key array.
        let previous = size == 2 ? [0, 0] : [UInt8](UnsafeRawBufferPointer(rebasing: rawNameBuffer[0..<size]))
        return nextVariableName(previous: previous, bufferSize: rawNameBuffer.count, guid: guid)
    }

    func nextVariableName(previous: [UInt8], bufferSize: Int, guid: EFIGuid) -> NextVariableNameResult {
        let starting = previous.count == 2
        if !starting {
            guard isVisibleKey(guid: guid, name: previous) else { return NextVariableNameResult(status: .invalidParameter) }
        }
        var best: (guid: EFIGuid, name: [UInt8])? = nil
        @inline(never)   // asked at three places, each its own copy when inlined
        func consider(_ g: EFIGuid, _ name: [UInt8], _ attributes: UInt32) {
            guard isVisible(attributes: attributes) else { return }
            if !starting && !VariableKey.precedes(guid, previous, g, name) { return }
            if let b = best, !VariableKey.precedes(g, name, b.guid, b.name) { return }
            best = (g, name)
        }
        // The served names (values are not needed to list them).
        for n in ReadOnlyGlobals.names { consider(.globalVariable, UCS2.fromASCII(n), ReadOnlyGlobals.attributes) }
        for v in volatiles where !ReadOnlyGlobals.isServed(guid: v.guid, name: v.name) { consider(v.guid, v.name, v.attributes) }
        // The medium's next in key order (its index makes a whole listing n log n, not n²).
        let after: (guid: EFIGuid, name: [UInt8])? = starting ? nil : (guid, previous)
        if let v = persistence.firstVariable(after: after, where: {
            isVisible($0) && VariableKey.isServable($0.name) && !ReadOnlyGlobals.isServed(guid: $0.guid, name: $0.name)
        }) {
            consider(v.guid, v.name, v.attributes)
        }
        guard let next = best else { return NextVariableNameResult(status: .notFound) }
        let needed = UInt64(next.name.count)
        guard next.name.count <= bufferSize else {
            return NextVariableNameResult(status: .bufferTooSmall, guid: guid, nameSize: needed)
        }
        return NextVariableNameResult(status: .success, guid: next.guid, nameSize: needed, name: next.name)
    }

    /// Whether (guid, name) is a variable the phase sees, as `find` answers it, without building
    /// the variable: served names first, then volatiles, then the medium. `name` is cut at its
    /// first NUL and longer than L"", so a stored one is servable.
    func isVisibleKey(guid: EFIGuid, name: [UInt8]) -> Bool {
        if ReadOnlyGlobals.isServed(guid: guid, name: name) { return isVisible(attributes: ReadOnlyGlobals.attributes) }
        for v in volatiles where v.guid == guid && v.name == name { return isVisible(v) }
        guard let attributes = name.withUnsafeBytes({ persistence.attributes(guid: guid, rawName: $0) }) else { return false }
        return isVisible(attributes: attributes)
    }

    // MARK: phase events

    /// SMM_VARIABLE_FUNCTION_READY_TO_BOOT: freezes VarCheck properties; after
    /// ExitBootServices it is EFI_UNSUPPORTED, as in EDK2.
    public mutating func readyToBoot() -> EFIStatus {
        guard !atRuntime else { return .unsupported }
        readyToBootSignalled = true
        return .success
    }

    /// SMM_VARIABLE_FUNCTION_EXIT_BOOT_SERVICE: from now on only runtime rules apply.
    public mutating func exitBootServices() -> EFIStatus {
        atRuntime = true
        return .success
    }
}
