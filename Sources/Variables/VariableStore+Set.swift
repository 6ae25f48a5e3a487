import MM

extension VariableStore {
    /// EFI_VARIABLE_ATTRIBUTES_MASK of EDK2's variable driver: the bits SetVariable knows,
    /// besides AW which it checks apart.
    static var knownAttributes: VariableAttributes {
        [.nonVolatile, .bootServiceAccess, .runtimeAccess, .hardwareErrorRecord,
         .timeBasedAuthenticatedWriteAccess, .appendWrite]
    }

    /// SetVariable, with the checks in EDK2's order:
    /// empty or unterminated name → EFI_INVALID_PARAMETER; unknown bits (ENHANCED included) →
    /// EFI_INVALID_PARAMETER; RT without BS → EFI_INVALID_PARAMETER (EFI_UNSUPPORTED with AW); NV
    /// alone → EFI_INVALID_PARAMETER; the rules for spec-defined variables (`policyVerdict`:
    /// secure-boot keys and served state read-only, the spec's attributes and shapes); AT: the
    /// authenticated path (`setAuthenticated`); AuditMode and DeployedMode: the mode transitions
    /// (`setModeVariable`); AW (deprecated) and HR (no hardware-error
    /// storage) → EFI_INVALID_PARAMETER; any other write to an authenticated variable →
    /// EFI_SECURITY_VIOLATION; name + data over the maximum variable
    /// size → EFI_INVALID_PARAMETER; a VarCheck property: read-only → EFI_WRITE_PROTECTED, other
    /// attributes or a size out of [MinSize, MaxSize] → EFI_INVALID_PARAMETER; then the rules
    /// on the existing variable (see `update`).
    public mutating func setVariable(name rawName: [UInt8], guid: EFIGuid, attributes: UInt32,
                                     data: [UInt8]) -> EFIStatus {
        guard let name = UCS2.normalized(rawName), name.count > 2 else { return .invalidParameter }
        let attrs = VariableAttributes(rawValue: attributes)
        let known = VariableStore.knownAttributes
        guard attributes & ~(known.rawValue | VariableAttributes.authenticatedWriteAccess.rawValue) == 0 else {
            return .invalidParameter
        }
        let access = attrs.intersection([.bootServiceAccess, .runtimeAccess])
        if access == .runtimeAccess {
            return attrs.contains(.authenticatedWriteAccess) ? .unsupported : .invalidParameter
        }
        if attrs.intersection(known) == .nonVolatile { return .invalidParameter }
        if attrs.contains(.timeBasedAuthenticatedWriteAccess) {
            return setAuthenticated(name: name, guid: guid, attributes: attributes, data: data)
        }
        if let status = setModeVariable(guid: guid, name: name, attributes: attributes, data: data) { return status }
        let deleting = (!attrs.contains(.appendWrite) && data.isEmpty) || access.isEmpty
        if case .answer(let status) = policyVerdict(guid: guid, name: name, attributes: attributes, data: data,
                                                    deleting: deleting) {
            return status
        }
        if attrs.contains(.authenticatedWriteAccess) { return .invalidParameter }
        if attrs.contains(.hardwareErrorRecord) { return .invalidParameter }

        let limit = maximumSize(nonVolatile: attrs.contains(.nonVolatile))
        guard fitsLimit(nameCount: name.count, dataCount: data.count, limit: limit) else { return .invalidParameter }

        let check = checkProperty(guid: guid, name: name, attributes: attributes, dataCount: data.count,
                                  deleting: deleting)
        guard check == .success else { return check }

        // An authenticated variable changes only through an authenticated write (a store over a
        // medium that takes none holds none, volatile or not: `setAuthenticated` and the
        // provisioning calls refuse them all).
        if P.takesAuthenticatedWrites, let e = find(guid: guid, name: name), e.variable.isTimeAuthenticated {
            return .securityViolation
        }

        let new = StoredVariable(guid: guid, name: name,
                                 attributes: attributes & ~VariableAttributes.appendWrite.rawValue, data: data)
        return update(new, append: attrs.contains(.appendWrite), deleting: deleting, access: access)
    }

    /// Largest name + data for a variable of that kind.
    func maximumSize(nonVolatile: Bool) -> Int {
        nonVolatile ? persistence.maximumVariableSize : limits.maximumVolatileVariableSize
    }

    func fitsLimit(nameCount: Int, dataCount: Int, limit: Int) -> Bool {
        nameCount <= limit && dataCount <= limit - nameCount
    }

    /// The rules that depend on the variable already there (EDK2 `VariableServiceSetVariable`
    /// then `UpdateVariable`):
    /// - existing, at runtime, without RT → EFI_WRITE_PROTECTED; other attributes (besides
    ///   APPEND_WRITE, unless deleting with attributes 0) → EFI_INVALID_PARAMETER; at runtime a
    ///   volatile one is read-only → EFI_WRITE_PROTECTED;
    /// - delete: DataSize 0 without APPEND_WRITE, or neither BS nor RT; missing → EFI_NOT_FOUND;
    /// - APPEND_WRITE with DataSize 0 → EFI_SUCCESS doing nothing, even when missing;
    ///   appending past the maximum size → EFI_INVALID_PARAMETER;
    /// - creating at runtime needs NV + BS + RT → else EFI_INVALID_PARAMETER;
    /// - no room → EFI_OUT_OF_RESOURCES; the medium failing → EFI_DEVICE_ERROR.
    mutating func update(_ new: StoredVariable, append: Bool, deleting: Bool,
                         access: VariableAttributes) -> EFIStatus {
        let rt = VariableAttributes.runtimeAccess.rawValue
        let nv = VariableAttributes.nonVolatile.rawValue
        let existing = find(guid: new.guid, name: new.name)
        if existing?.isServed == true { return .writeProtected }  // the policy answers first; never stored over
        guard let found = existing else {
            if new.data.isEmpty && append { return .success }
            if deleting { return .notFound }
            if atRuntime && (new.attributes & rt == 0 || new.attributes & nv == 0) { return .invalidParameter }
            return write(new, replacing: nil)
        }
        let old = found.variable
        if atRuntime && old.attributes & rt == 0 { return .writeProtected }
        if (new.attributes != 0 || append) && new.attributes != old.attributes { return .invalidParameter }
        if atRuntime {
            if found.isVolatile { return .writeProtected }
            if old.attributes & nv == 0 || old.attributes & rt == 0 { return .invalidParameter }
        }
        if deleting { return remove(found) }
        var value = new
        if append {
            if new.data.isEmpty { return .success }
            let limit = maximumSize(nonVolatile: old.attributes & nv != 0)
            guard old.data.count <= limit, fitsLimit(nameCount: new.name.count, dataCount: old.data.count + new.data.count,
                                                     limit: limit) else {
                return .invalidParameter
            }
            value.data = old.data + new.data
        } else if old.data == new.data {
            return .success  // same value: nothing to write, as EDK2
        }
        return write(value, replacing: found)
    }

    mutating func write(_ v: StoredVariable, replacing old: Found?) -> EFIStatus {
        if v.attributes & VariableAttributes.nonVolatile.rawValue != 0 {
            do throws(PersistenceError) {
                try persistence.put(v)
            } catch {
                return VariableStore.status(for: error)
            }
            return .success
        }
        let freed = old.map { VariableStore.volatileFootprint(nameCount: $0.variable.name.count,
                                                              dataCount: $0.variable.data.count) } ?? 0
        let needed = VariableStore.volatileFootprint(nameCount: v.name.count, dataCount: v.data.count)
        guard needed <= limits.volatileCapacity - (volatileUsed - freed) else { return .outOfResources }
        volatileUsed = volatileUsed - freed + needed
        volatiles.put(v, at: old.flatMap { $0.isVolatile ? $0.index : nil })
        return .success
    }

    mutating func remove(_ found: Found) -> EFIStatus {
        if found.isVolatile {
            volatileUsed -= VariableStore.volatileFootprint(nameCount: found.variable.name.count,
                                                            dataCount: found.variable.data.count)
            volatiles.remove(at: found.index)
            return .success
        }
        do throws(PersistenceError) {
            try persistence.remove(guid: found.variable.guid, name: found.variable.name)
        } catch {
            return VariableStore.status(for: error)
        }
        return .success
    }

    static func status(for error: PersistenceError) -> EFIStatus {
        switch error {
        case .full: return .outOfResources
        case .deviceError: return .deviceError
        }
    }
}
