import MM

/// What the store's policy says about one SetVariable.
enum PolicyVerdict: Equatable, Sendable {
    /// Not decided here: the generic rules go on.
    case proceed
    /// The answer, with nothing written.
    case answer(EFIStatus)
}

extension VariableStore {
    /// The rules for the variables the spec defines (`DefinedVariable`), applied once the
    /// attribute bits passed the generic checks and before the store looks at what it holds:
    /// - secure-boot keys (PK, KEK, db, dbx, dbt, dbr and the *Default copies): every write
    ///   that is not time-based authenticated (those go to `setAuthenticated` before this),
    ///   deletion included, is EFI_WRITE_PROTECTED, or EFI_SECURITY_VIOLATION with AW (the
    ///   deprecated count-based authentication);
    /// - the store's own state (the mode mark): EFI_WRITE_PROTECTED;
    /// - served state (SecureBoot, SetupMode, ...): EFI_WRITE_PROTECTED, except that writing the
    ///   value and attributes it already has before ExitBootServices is EFI_SUCCESS and changes
    ///   nothing (U-Boot's UEFI start-up publishes the same setup-mode values this way);
    /// - firmware-owned variables: EFI_WRITE_PROTECTED after ExitBootServices;
    /// - settings and firmware-owned variables before then: deletion is not checked (as EDK2);
    ///   otherwise other attributes, a size outside the spec's bounds or a malformed value
    ///   (load option, device path, ASCII string, array) → EFI_INVALID_PARAMETER. Appending is
    ///   allowed only to arrays and to free-form values.
    func policyVerdict(guid: EFIGuid, name: [UInt8], attributes: UInt32, data: [UInt8],
                       deleting: Bool) -> PolicyVerdict {
        guard let rule = DefinedVariable.lookup(guid: guid, name: name) else { return .proceed }
        let attrs = VariableAttributes(rawValue: attributes)
        let append = attrs.contains(.appendWrite)
        switch rule.role {
        case .secureBootKey:
            let authenticated = attrs.contains(.authenticatedWriteAccess)
            return .answer(authenticated ? .securityViolation : .writeProtected)
        case .storeState:
            return .answer(.writeProtected)
        case .served:
            if !atRuntime && !deleting && !append && attributes == rule.attributes,
               let current = servedVariable(guid: guid, name: name), current.data == data {
                return .answer(.success)
            }
            return .answer(.writeProtected)
        case .firmware where atRuntime:
            return .answer(.writeProtected)
        case .setting, .firmware:
            if deleting { return .proceed }
            guard attributes & ~VariableAttributes.appendWrite.rawValue == rule.attributes else {
                return .answer(.invalidParameter)
            }
            if append { return rule.acceptsAppending(data) ? .proceed : .answer(.invalidParameter) }
            guard data.count >= rule.minimumSize, data.count <= rule.maximumSize, rule.content.accepts(data) else {
                return .answer(.invalidParameter)
            }
            return .proceed
        }
    }
}

extension DefinedVariable {
    /// Whether `data` may be appended: whole items to an array, anything to a free-form value
    /// without an upper bound; a structured or fixed-size value cannot grow.
    func acceptsAppending(_ data: [UInt8]) -> Bool {
        switch content {
        case .array(let element): return data.count % Int(element) == 0
        case .any: return maximumSize == DefinedVariable.unbounded
        default: return false
        }
    }
}
