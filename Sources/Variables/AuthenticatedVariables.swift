import Crypto
import MM

/// How a time-based authenticated variable sits on the medium: its value behind the timestamp
/// of its last write and, for a private variable, the SHA-256 of the certificate that signed it
/// (zeros for the secure-boot keys). GetVariable returns the value alone.
public enum AuthenticatedRecord {
    public static let prefixSize = 48

    public static func split(_ data: [UInt8]) -> (timestamp: [UInt8], signer: [UInt8], value: [UInt8])? {
        guard data.count >= prefixSize else { return nil }
        return ([UInt8](data[0..<16]), [UInt8](data[16..<48]), [UInt8](data[48...]))
    }

    public static func join(timestamp: [UInt8], signer: [UInt8], value: [UInt8]) -> [UInt8] {
        timestamp + signer + value
    }

    public static let zeroSigner = [UInt8](repeating: 0, count: 32)
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

extension VariableStore {
    static var nvBsRtAt: UInt32 { DefinedVariable.nvBsRtAt }

    /// The certificates of the stored key variable (guid, name).
    func storedCertificates(guid: EFIGuid, _ name: StaticString, _ verifier: AuthenticatedWriteVerifier) -> [Certificate] {
        guard let v = persistence.variable(guid: guid, name: UCS2.fromASCII(name))?.visible,
              let lists = SignatureList.parse(v.data), let certs = verifier.certificates(in: lists) else { return [] }
        return certs
    }

    /// A SetVariable carrying EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS (UEFI 2.10
    /// §8.2.2; EDK2 AuthVariableLib's order of checks), once the attribute bits passed:
    /// - AW or HR as well, a defined variable other than the keys, or a key with attributes other
    ///   than NV|BS|RT|AT → EFI_INVALID_PARAMETER; served state and the *Default keys →
    ///   EFI_WRITE_PROTECTED;
    /// - a descriptor shorter than its header → EFI_INVALID_PARAMETER; one that is not
    ///   PKCS#7, a timestamp not later than the stored one (appends aside), a signature that does
    ///   not hold or does not come from the key in charge, or a private variable's other signer →
    ///   EFI_SECURITY_VIOLATION;
    /// - key data that is not a list of well-formed EFI_SIGNATURE_LISTs (PK: one X.509
    ///   certificate) → EFI_INVALID_PARAMETER;
    /// - empty data without APPEND_WRITE deletes (EFI_NOT_FOUND when missing); APPEND_WRITE
    ///   merges signature lists without duplicates (other variables: concatenates).
    /// The key in charge: PK for PK (in setup mode, the certificate of the new PK: self-signed)
    /// and KEK; KEK or PK for db, dbx, dbt, dbr; no signature check on KEK and the databases in
    /// setup mode; private variables: the signer of their first write.
    mutating func setAuthenticated(name: [UInt8], guid: EFIGuid, attributes: UInt32, data: [UInt8]) -> EFIStatus {
        guard let verifier = verifier else { return .securityViolation }  // nothing here can verify
        let attrs = VariableAttributes(rawValue: attributes)
        if !attrs.isDisjoint(with: [.authenticatedWriteAccess, .hardwareErrorRecord]) { return .invalidParameter }
        let append = attrs.contains(.appendWrite)
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
            }
        }
        let nvRt = VariableAttributes.nonVolatile.rawValue | VariableAttributes.runtimeAccess.rawValue
        if atRuntime && stored & nvRt != nvRt { return .invalidParameter }

        let descriptor: AuthenticationDescriptor
        do throws(AuthenticationDescriptor.Failure) {
            descriptor = try AuthenticationDescriptor(parsing: data)
        } catch {
            return error == .tooShort ? .invalidParameter : .securityViolation
        }
        let existing = find(guid: guid, name: name)
        if let e = existing {
            if e.isServed { return .writeProtected }
            if atRuntime && e.variable.attributes & VariableAttributes.runtimeAccess.rawValue == 0 { return .writeProtected }
            guard e.variable.attributes == stored else { return .invalidParameter }
        }
        let old = existing.flatMap { AuthenticatedRecord.split($0.variable.data) }
        if existing != nil && old == nil { return .securityViolation }  // not a record this store wrote
        if let o = old, !append, !AuthenticationDescriptor.isLater(descriptor.timestamp, than: o.timestamp) {
            return .securityViolation
        }

        // The new data, checked before any signature work.
        var newLists: [SignatureList] = []
        if kind != .privateVariable && !descriptor.payload.isEmpty {
            guard let lists = SignatureList.parse(descriptor.payload) else { return .invalidParameter }
            if kind == .platformKey {
                guard lists.count == 1, lists[0].type == SignatureList.x509, lists[0].entries.count == 1 else {
                    return .invalidParameter
                }
            }
            if kind == .platformKey || kind == .keyExchangeKey {
                guard verifier.certificates(in: lists) != nil else { return .invalidParameter }
            }
            newLists = lists
        }

        guard let signedData = verifier.signedData(descriptor.signedData) else { return .securityViolation }
        let setupMode = !platformKeyEnrolled
        var anchors: [Certificate]? = nil
        switch kind {
        case .platformKey:
            anchors = setupMode ? (verifier.certificates(in: newLists) ?? [])
                : storedCertificates(guid: .globalVariable, "PK", verifier)
        case .keyExchangeKey:
            anchors = setupMode ? nil : storedCertificates(guid: .globalVariable, "PK", verifier)
        case .imageDatabase:
            anchors = setupMode ? nil : storedCertificates(guid: .globalVariable, "KEK", verifier)
                + storedCertificates(guid: .globalVariable, "PK", verifier)
        case .privateVariable:
            anchors = signedData.certificates
        }
        var signerID = AuthenticatedRecord.zeroSigner
        if let trusted = anchors {
            var message = [UInt8](name[0..<(name.count - 2)]) + guid.bytes
            for i in 0..<4 { message.append(UInt8(truncatingIfNeeded: attributes >> (8 * UInt32(i)))) }
            message += descriptor.timestamp
            message += descriptor.payload
            guard let signer = verifier.signer(signedData, message, trusted) else { return .securityViolation }
            if kind == .privateVariable {
                signerID = verifier.sha256(signer.der)
                if let o = old, o.signer != signerID { return .securityViolation }
            }
        }

        if descriptor.payload.isEmpty && !append {
            guard let e = existing else { return .notFound }
            return remove(e)
        }
        if descriptor.payload.isEmpty { return .success }  // appending nothing
        var value = descriptor.payload
        var timestamp = descriptor.timestamp
        if append, let o = old {
            if kind != .privateVariable, let held = SignatureList.parse(o.value) {
                value = SignatureList.encode(SignatureList.merge(held, newLists))
            } else {
                value = o.value + descriptor.payload
            }
            if !AuthenticationDescriptor.isLater(timestamp, than: o.timestamp) { timestamp = o.timestamp }
            if value == o.value && timestamp == o.timestamp { return .success }
        }
        let record = AuthenticatedRecord.join(timestamp: timestamp, signer: signerID, value: value)
        guard fitsLimit(nameCount: name.count, dataCount: record.count,
                        limit: maximumSize(nonVolatile: stored & VariableAttributes.nonVolatile.rawValue != 0)) else {
            return .invalidParameter
        }
        return write(StoredVariable(guid: guid, name: name, attributes: stored, data: record), replacing: existing)
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
        if let rule = DefinedVariable.lookup(guid: guid, name: name) {
            guard rule.role == .secureBootKey, rule.attributes == VariableStore.nvBsRtAt, let verifier = verifier,
                  let lists = SignatureList.parse(value), verifier.certificates(in: lists) != nil else {
                return .invalidParameter
            }
            if UCS2Name.equals(name, "PK") && (lists.count != 1 || lists[0].entries.count != 1) { return .invalidParameter }
        }
        let record = AuthenticatedRecord.join(timestamp: timestamp, signer: AuthenticatedRecord.zeroSigner, value: value)
        guard fitsLimit(nameCount: name.count, dataCount: record.count, limit: persistence.maximumVariableSize) else {
            return .invalidParameter
        }
        return write(StoredVariable(guid: guid, name: name, attributes: VariableStore.nvBsRtAt, data: record),
                     replacing: find(guid: guid, name: name))
    }
}

extension VariableStore {
    /// Provisioning: stores `variable` exactly as given (an authenticated one with its record
    /// prefix), as a restore from an export does; no rule of SetVariable applies.
    public mutating func provisionRaw(_ variable: StoredVariable) -> EFIStatus {
        guard UCS2.normalized(variable.name) == variable.name, variable.name.count > 2 else { return .invalidParameter }
        do throws(PersistenceError) { try persistence.put(variable) } catch { return VariableStore.status(for: error) }
        return .success
    }

    /// Provisioning: removes (guid, name) from the medium whatever it is; EFI_NOT_FOUND when missing.
    public mutating func provisionRemove(guid: EFIGuid, name: [UInt8]) -> EFIStatus {
        guard persistence.variable(guid: guid, name: name) != nil else { return .notFound }
        do throws(PersistenceError) { try persistence.remove(guid: guid, name: name) } catch {
            return VariableStore.status(for: error)
        }
        return .success
    }
}
