import MM

/// How a time-based authenticated variable sits on the medium: its value behind the timestamp
/// of its last write and, for a private variable, the SHA-256 of the certificate that signed it
/// (zeros for the secure-boot keys). GetVariable returns the value alone.
public enum AuthenticatedRecord {
    public static let prefixSize = 48

    @inline(never)   // GetVariable's view of a record and the rules' old record
    public static func split(_ data: [UInt8]) -> (timestamp: [UInt8], signer: [UInt8], value: [UInt8])? {
        guard data.count >= prefixSize else { return nil }
        return ([UInt8](data[0..<16]), [UInt8](data[16..<48]), [UInt8](data[48...]))
    }

    public static func join(timestamp: [UInt8], signer: [UInt8], value: [UInt8]) -> [UInt8] {
        timestamp + signer + value
    }

    /// Made where it is used (a few authenticated writes), not a global initialised once: the
    /// lazy initialisation cost more code at each use than the array.
    public static var zeroSigner: [UInt8] { [UInt8](repeating: 0, count: 32) }
}

extension StoredVariable {
    public var isTimeAuthenticated: Bool {
        attributes & VariableAttributes.timeBasedAuthenticatedWriteAccess.rawValue != 0
    }

    /// What GetVariable shows: an authenticated variable without its record prefix.
    public var visible: StoredVariable {
        guard isTimeAuthenticated, let parts = AuthenticatedRecord.split(data) else { return self }
        return StoredVariable(guid: guid, name: name, attributes: attributes, data: parts.value)
    }
}

/// Which key may sign a write (UEFI 2.10 §32.3.3).
enum AuthenticatedKind: Equatable {
    case platformKey, keyExchangeKey, imageDatabase, privateVariable
}

/// What the store hands the rules about one authenticated write.
struct AuthenticatedWrite {
    var name: [UInt8]
    var guid: EFIGuid
    var attributes: UInt32
    var data: [UInt8]
    var kind: AuthenticatedKind
    /// The variable as stored now (its record prefix included), if any.
    var existing: StoredVariable?
    /// The values of PK and KEK (signature lists); no PK means setup mode.
    var platformKey: [UInt8]?
    var keyExchangeKey: [UInt8]?
}

/// What the rules decided.
enum AuthenticatedDecision: Equatable {
    case answer(EFIStatus)
    /// Delete the variable (EFI_NOT_FOUND when there is none).
    case remove
    /// Store this record (the value behind its prefix).
    case write([UInt8])
}

extension VariableStore {
    static var nvBsRtAt: UInt32 { DefinedVariable.nvBsRtAt }

    /// The value of the global key variable `name` (PK, KEK), if stored.
    func storedKey(_ name: StaticString) -> [UInt8]? {
        persistence.variable(guid: .globalVariable, name: UCS2.fromASCII(name))?.visible.data
    }

    /// A SetVariable carrying EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS (UEFI 2.10
    /// §8.2.2; EDK2 AuthVariableLib's order of checks), once the attribute bits passed. Here:
    /// no verifier → EFI_SECURITY_VIOLATION; AW or HR as well, a defined variable other than the
    /// keys, or a key with attributes other than NV|BS|RT|AT → EFI_INVALID_PARAMETER; served
    /// state and the *Default keys → EFI_WRITE_PROTECTED; at runtime, not NV+RT →
    /// EFI_INVALID_PARAMETER, an existing variable without RT → EFI_WRITE_PROTECTED; an existing
    /// variable with other attributes → EFI_INVALID_PARAMETER. The rest (descriptor, timestamps,
    /// signatures, data, merging) is `AuthenticatedWriteRules.decide`, through the verifier;
    /// the store then removes or writes what it decided, within the size limit.
    mutating func setAuthenticated(name: [UInt8], guid: EFIGuid, attributes: UInt32, data: [UInt8]) -> EFIStatus {
        // Nothing here can verify: no verifier, or a medium that takes none.
        guard P.takesAuthenticatedWrites, let verifier = verifier else { return .securityViolation }
        let attrs = VariableAttributes(rawValue: attributes)
        if !attrs.isDisjoint(with: [.authenticatedWriteAccess, .hardwareErrorRecord]) { return .invalidParameter }
        let stored = attributes & ~VariableAttributes.appendWrite.rawValue
        var kind = AuthenticatedKind.privateVariable
        if let rule = DefinedVariable.lookup(guid: guid, name: name) {
            switch rule.role {
            case .served: return .writeProtected
            case .secureBootKey:
                guard rule.attributes == VariableStore.nvBsRtAt else { return .writeProtected }
                guard stored == VariableStore.nvBsRtAt else { return .invalidParameter }
                kind = guid == .imageSecurityDatabase ? .imageDatabase
                    : UCS2Name.equals(name, "PK") ? .platformKey : .keyExchangeKey
            case .setting, .firmware: return .invalidParameter
            case .storeState: return .writeProtected
            }
        }
        let nvRt = VariableAttributes.nonVolatile.rawValue | VariableAttributes.runtimeAccess.rawValue
        if atRuntime && stored & nvRt != nvRt { return .invalidParameter }
        let existing = find(guid: guid, name: name)
        if let e = existing {
            if e.isServed { return .writeProtected }
            if atRuntime && e.variable.attributes & VariableAttributes.runtimeAccess.rawValue == 0 { return .writeProtected }
            guard e.variable.attributes == stored else { return .invalidParameter }
        }
        let request = AuthenticatedWrite(name: name, guid: guid, attributes: attributes, data: data, kind: kind,
                                         existing: existing?.variable, platformKey: storedKey("PK"),
                                         keyExchangeKey: storedKey("KEK"))
        switch verifier.decide(request) {
        case .answer(let status):
            return status
        case .remove:
            guard let e = existing else { return .notFound }
            return kind == .platformKey ? changePlatformKey(nil) : remove(e)
        case .write(let record):
            guard fitsLimit(nameCount: name.count, dataCount: record.count,
                            limit: maximumSize(nonVolatile: stored & VariableAttributes.nonVolatile.rawValue != 0)) else {
                return .invalidParameter
            }
            if kind == .platformKey { return changePlatformKey(record) }
            return write(StoredVariable(guid: guid, name: name, attributes: stored, data: record), replacing: existing)
        }
    }

    /// Provisioning, as a factory tool does (never reachable from a caller of the services):
    /// makes (guid, name) an NV|BS|RT|AT variable holding `value` with `timestamp` (EFI_TIME),
    /// without a signature. Secure-boot keys must hold well-formed signature lists (PK: one
    /// X.509 certificate, parsed by `verifier`). EFI_INVALID_PARAMETER when not; the store's
    /// errors otherwise.
    public mutating func provisionAuthenticated(name rawName: [UInt8], guid: EFIGuid, value: [UInt8],
                                                timestamp: [UInt8] = [UInt8](repeating: 0, count: 16)) -> EFIStatus {
        guard let name = UCS2.normalized(rawName), name.count > 2, timestamp.count == 16, !value.isEmpty else {
            return .invalidParameter
        }
        // A medium that takes no authenticated writes holds no AT variable and never PK (its
        // store derives the mode from that): provisioning one is refused as SetVariable's is.
        guard P.takesAuthenticatedWrites else { return .securityViolation }
        if let rule = DefinedVariable.lookup(guid: guid, name: name) {
            guard rule.role == .secureBootKey, rule.attributes == VariableStore.nvBsRtAt, let verifier = verifier,
                  let lists = SignatureList.views(value), verifier.certificatesParse(value) else {
                return .invalidParameter
            }
            if UCS2Name.equals(name, "PK") && (lists.count != 1 || lists[0].count != 1) { return .invalidParameter }
        }
        let record = AuthenticatedRecord.join(timestamp: timestamp, signer: AuthenticatedRecord.zeroSigner, value: value)
        guard fitsLimit(nameCount: name.count, dataCount: record.count, limit: persistence.maximumVariableSize) else {
            return .invalidParameter
        }
        if guid == .globalVariable && UCS2Name.equals(name, "PK") { return changePlatformKey(record) }
        return write(StoredVariable(guid: guid, name: name, attributes: VariableStore.nvBsRtAt, data: record),
                     replacing: find(guid: guid, name: name))
    }
}

extension VariableStore {
    /// Provisioning: stores `variable` exactly as given (an authenticated one with its record
    /// prefix), as a restore from an export does; no rule of SetVariable applies.
    public mutating func provisionRaw(_ variable: StoredVariable) -> EFIStatus {
        guard UCS2.normalized(variable.name) == variable.name, variable.name.count > 2 else { return .invalidParameter }
        // Nor an AT record or PK on a medium that takes no authenticated writes (above).
        guard P.takesAuthenticatedWrites || !(variable.isTimeAuthenticated
                  || variable.guid == .globalVariable && UCS2Name.equals(variable.name, "PK")) else {
            return .securityViolation
        }
        do throws(PersistenceError) { try persistence.put(variable) } catch { return VariableStore.status(for: error) }
        return .success
    }

    /// Provisioning: removes (guid, name) from the medium whatever it is; EFI_NOT_FOUND when missing.
    /// Removing PK is the platform's own PK clear: setup mode, whatever the mode was.
    public mutating func provisionRemove(guid: EFIGuid, name: [UInt8]) -> EFIStatus {
        guard persistence.variable(guid: guid, name: name) != nil else { return .notFound }
        if guid == .globalVariable && UCS2Name.equals(name, "PK") { return changePlatformKey(nil) }
        do throws(PersistenceError) { try persistence.remove(guid: guid, name: name) } catch {
            return VariableStore.status(for: error)
        }
        return .success
    }
}

extension VariablePersistence {
    /// Media take authenticated variables unless they say otherwise.
    public static var takesAuthenticatedWrites: Bool { true }
}
