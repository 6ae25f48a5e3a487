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
    var properties: [StoredVariable] = []  // VarCheck properties (VariableStore+Properties.swift)
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
        if let i = volatiles.position(guid: guid, name: name) {
            return Found(variable: volatiles[i], isVolatile: true, index: i)
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
        nameBuffer.withUnsafeBytes { nextVariableName(rawNameBuffer: $0, guid: guid) }
    }

    /// The same with the caller's buffer where it lies; the name returned is the one array built.
    public func nextVariableName(rawNameBuffer: UnsafeRawBufferPointer, guid: EFIGuid) -> NextVariableNameResult {
        let next = nextKey(rawNameBuffer: rawNameBuffer, guid: guid)
        var result = NextVariableNameResult(status: next.status, guid: next.guid, nameSize: next.nameSize)
        if let name = next.name {
            result.name = [UInt8](unsafeUninitializedCapacity: Int(next.nameSize)) { buffer, count in
                copyName(name, to: UnsafeMutableRawBufferPointer(buffer), at: 0)
                count = Int(next.nameSize)
            }
        }
        return result
    }

    /// Where a listing's next name is: a served one, a volatile, or on the medium.
    enum ListedName {
        case served(Int)  // position in `ReadOnlyGlobals.names`
        case volatile(Int)  // position in `volatiles`
        case stored(StoredKey)
    }

    /// `nextVariableName`'s answer, its name not yet copied (`copyName` copies it).
    struct NextKey {
        var status: EFIStatus
        var guid = EFIGuid.zero
        var nameSize: UInt64 = 0
        var name: ListedName? = nil  // on EFI_SUCCESS
    }

    func copyName(_ name: ListedName, to buffer: UnsafeMutableRawBufferPointer, at: Int) {
        switch name {
        case .served(let i): _ = ReadOnlyGlobals.names[i].withUTF8Buffer { UCS2.write($0, to: buffer, at: at) }
        case .volatile(let i): volatiles[i].name.withUnsafeBytes { buffer.mmPut($0, at: at) }
        case .stored(let key): persistence.copyName(of: key, to: buffer, at: at)
        }
    }

    /// One step of GetNextVariableName with no array built: the previous name compared where it
    /// lies; the next is the least of the volatiles', the medium's next in key order and the
    /// first served name that follow it (`nextVariableName` says what it answers).
    func nextKey(rawNameBuffer: UnsafeRawBufferPointer, guid: EFIGuid) -> NextKey {
        guard let size = UCS2.terminatedSize(rawNameBuffer) else { return NextKey(status: .invalidParameter) }
        let previous = UnsafeRawBufferPointer(rebasing: rawNameBuffer[0..<size])
        let starting = size == 2
        if !starting {
            guard isVisibleKey(guid: guid, rawName: previous) else { return NextKey(status: .invalidParameter) }
        }
        var best: (guid: EFIGuid, name: ListedName, size: Int)? = nil
        /// Whether (g, name) follows the previous key and sorts before the best so far.
        @inline(never)   // asked at two places, each its own copy when inlined
        func better(_ g: EFIGuid, _ name: UnsafeRawBufferPointer) -> Bool {
            if !starting && !VariableKey.precedes(guid, previous, g, name) { return false }
            switch best?.name {
            case nil: return true
            case .volatile(let i): return volatiles[i].name.withUnsafeBytes { VariableKey.precedes(g, name, volatiles[i].guid, $0) }
            case .stored(let key): return !persistence.key(key, precedes: g, name)  // never equal: the medium lists no served name
            case .served: return false  // looked at last
            }
        }
        for (i, v) in volatiles.enumerated() where isVisible(v) && !ReadOnlyGlobals.isServed(guid: v.guid, name: v.name) {
            if v.name.withUnsafeBytes({ better(v.guid, $0) }) { best = (v.guid, .volatile(i), v.name.count) }
        }
        // The medium's next in key order (its index makes a whole listing n log n, not n²).
        if let key = persistence.firstKey(after: starting ? nil : (guid, previous), where: { g, attributes, name in
            isVisible(attributes: attributes) && VariableKey.isServable(name) && !ReadOnlyGlobals.isServed(guid: g, rawName: name)
        }) {
            var first = true
            if case .volatile(let i)? = best?.name {
                first = volatiles[i].name.withUnsafeBytes { persistence.key(key, precedes: volatiles[i].guid, $0) }
            }
            if first { best = (key.guid, .stored(key), key.nameCount) }
        }
        // The served names, in key order: the first that follows the previous key is the only
        // one that can be next. Spelt on the stack (values are not needed to list them).
        if isVisible(attributes: ReadOnlyGlobals.attributes) {
            for (i, n) in ReadOnlyGlobals.names.enumerated() {
                var follows = false, wins = false
                UCS2Name.withServedUCS2(n) { name in
                    follows = starting || VariableKey.precedes(guid, previous, .globalVariable, name)
                    wins = follows && better(.globalVariable, name)
                }
                if wins { best = (.globalVariable, .served(i), 2 * n.utf8CodeUnitCount + 2) }
                if follows { break }
            }
        }
        guard let next = best else { return NextKey(status: .notFound) }
        guard next.size <= rawNameBuffer.count else {
            return NextKey(status: .bufferTooSmall, guid: guid, nameSize: UInt64(next.size))
        }
        return NextKey(status: .success, guid: next.guid, nameSize: UInt64(next.size), name: next.name)
    }

    /// Whether (guid, name) is a variable the phase sees, as `find` answers it, without building
    /// the variable: served names first, then volatiles, then the medium. `name` is cut at its
    /// first NUL and longer than L"", so a stored one is servable.
    @inline(never)   // the listing's first check; inlined it costs more than the call
    func isVisibleKey(guid: EFIGuid, rawName name: UnsafeRawBufferPointer) -> Bool {
        if ReadOnlyGlobals.isServed(guid: guid, rawName: name) { return isVisible(attributes: ReadOnlyGlobals.attributes) }
        if let i = volatiles.position(guid: guid, rawName: name) { return isVisible(volatiles[i]) }
        guard let attributes = persistence.attributes(guid: guid, rawName: name) else { return false }
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
