import Crypto
import MM

/// The rules of a time-based authenticated write after the store's own checks (UEFI 2.10 §8.2.2,
/// §32.3; EDK2 AuthVariableLib's order), reached only through `AuthenticatedWriteVerifier.standard`
/// so that an image without it links none of this:
/// - a descriptor shorter than its header → EFI_INVALID_PARAMETER; one that is not PKCS#7 or has
///   non-zero time padding, a timestamp not later than the stored one (appends aside), a
///   SignedData that does not parse, a signature that does not hold or is not from the key in
///   charge, a private variable's other signer → EFI_SECURITY_VIOLATION;
/// - key data that is not a list of well-formed EFI_SIGNATURE_LISTs (PK: one X.509 certificate;
///   PK and KEK certificates must parse) → EFI_INVALID_PARAMETER;
/// - empty data without APPEND_WRITE deletes; APPEND_WRITE merges signature lists without
///   duplicates (other variables: concatenates) and keeps the later timestamp.
/// The key in charge: PK for PK (in setup mode the new PK's own certificate: self-signed) and
/// KEK; KEK or PK for db, dbx, dbt, dbr; no signature check on KEK and the databases in setup
/// mode; private variables: the signer of their first write.
enum AuthenticatedWriteRules {
    static func decide(_ w: AuthenticatedWrite) -> AuthenticatedDecision {
        let append = w.attributes & VariableAttributes.appendWrite.rawValue != 0
        let descriptor: AuthenticationDescriptor
        do throws(AuthenticationDescriptor.Failure) {
            descriptor = try AuthenticationDescriptor(parsing: w.data)
        } catch {
            return .answer(error == .tooShort ? .invalidParameter : .securityViolation)
        }
        let old = w.existing.flatMap { AuthenticatedRecord.split($0.data) }
        if w.existing != nil && old == nil { return .answer(.securityViolation) }  // not a record this store wrote
        if let o = old, !append, !AuthenticationDescriptor.isLater(descriptor.timestamp, than: o.timestamp) {
            return .answer(.securityViolation)
        }

        // The new data, checked before any signature work.
        let payload = descriptor.payload
        var newLists: [SignatureListView] = []
        if w.kind != .privateVariable && !payload.isEmpty {
            guard let lists = SignatureList.views(payload) else { return .answer(.invalidParameter) }
            if w.kind == .platformKey {
                guard lists.count == 1, lists[0].type == SignatureList.x509, lists[0].count == 1 else {
                    return .answer(.invalidParameter)
                }
            }
            if w.kind == .platformKey || w.kind == .keyExchangeKey {
                guard certificates(in: lists, of: payload) != nil else { return .answer(.invalidParameter) }
            }
            newLists = lists
        }

        guard let signedData = try? SignedData(der: descriptor.signedData) else { return .answer(.securityViolation) }
        let setupMode = w.platformKey == nil
        let pk = certificates(in: w.platformKey) ?? [], kek = certificates(in: w.keyExchangeKey) ?? []
        var anchors: [Certificate]? = nil
        switch w.kind {
        case .platformKey: anchors = setupMode ? (certificates(in: newLists, of: payload) ?? []) : pk
        case .keyExchangeKey: anchors = setupMode ? nil : pk
        case .imageDatabase: anchors = setupMode ? nil : kek + pk
        case .privateVariable: anchors = signedData.certificates
        }
        var signerID = AuthenticatedRecord.zeroSigner
        if let trusted = anchors {
            var message = [UInt8](w.name[0..<(w.name.count - 2)]) + w.guid.bytes
            SignatureList.appendLE32(w.attributes, to: &message)
            message += descriptor.timestamp
            message += descriptor.payload
            guard let signer = signedData.signer(of: message, trustedBy: trusted) else { return .answer(.securityViolation) }
            if w.kind == .privateVariable {
                signerID = SHA256.hash(signer.der)
                if let o = old, o.signer != signerID { return .answer(.securityViolation) }
            }
        }

        if descriptor.payload.isEmpty && !append { return .remove }
        if descriptor.payload.isEmpty { return .answer(.success) }  // appending nothing
        var value = descriptor.payload
        var timestamp = descriptor.timestamp
        if append, let o = old {
            if w.kind != .privateVariable, SignatureList.views(o.value) != nil {
                value = SignatureList.merge(o.value, payload, newLists)
            } else {
                value = o.value + descriptor.payload
            }
            if !AuthenticationDescriptor.isLater(timestamp, than: o.timestamp) { timestamp = o.timestamp }
            if value == o.value && timestamp == o.timestamp { return .answer(.success) }
        }
        return .write(AuthenticatedRecord.join(timestamp: timestamp, signer: signerID, value: value))
    }

    /// The X.509 certificates of `lists` (lists of `data`), parsed; nil when one does not parse.
    static func certificates(in lists: [SignatureListView], of data: [UInt8]) -> [Certificate]? {
        var out: [Certificate] = []
        for l in lists where l.type == SignatureList.x509 {
            for i in 0..<l.count {
                let e = l.entry(i)
                guard let c = try? Certificate(der: [UInt8](data[(e.lowerBound + 16)..<e.upperBound])) else { return nil }
                out.append(c)
            }
        }
        return out
    }

    /// The certificates of a key value (signature lists); nil when it is missing, malformed, or
    /// holds a certificate that does not parse.
    @inline(never)   // PK's and KEK's
    static func certificates(in value: [UInt8]?) -> [Certificate]? {
        guard let v = value, let lists = SignatureList.views(v) else { return nil }
        return certificates(in: lists, of: v)
    }
}
