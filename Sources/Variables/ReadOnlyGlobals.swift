import MM

/// The secure-boot state variables of EFI_GLOBAL_VARIABLE (UEFI 2.10 §3.3 and §32.3), which the
/// store serves from its own state rather than keeps: volatile, BS|RT, one byte, read-only.
///
/// Until authenticated variables exist, no write can enrol a platform key, so the platform
/// stays in setup mode: SetupMode 1, SecureBoot 0, AuditMode 0, DeployedMode 0. A PK already
/// on the medium (put there by a provisioning tool) means user mode: SetupMode 0 and
/// SecureBoot 1, as EDK2 derives them. VendorKeys is 0: no keys came with the platform.
enum ReadOnlyGlobals {
    static let attributes = DefinedVariable.bsRt
    static let names: [StaticString] = ["AuditMode", "DeployedMode", "SecureBoot", "SetupMode", "VendorKeys"]

    /// The served value of `name` given whether a PK is enrolled; nil for any other name.
    static func value(of name: [UInt8], platformKeyEnrolled: Bool) -> UInt8? {
        if UCS2Name.equals(name, "SetupMode") { return platformKeyEnrolled ? 0 : 1 }
        if UCS2Name.equals(name, "SecureBoot") { return platformKeyEnrolled ? 1 : 0 }
        for n in names where UCS2Name.equals(name, n) { return 0 }
        return nil
    }

    static func isServed(guid: EFIGuid, name: [UInt8]) -> Bool {
        guard guid == .globalVariable else { return false }
        for n in names where UCS2Name.equals(name, n) { return true }
        return false
    }
}

extension VariableStore {
    /// Whether a PK is on the medium: one index lookup (it runs on every GetNextVariableName step).
    var platformKeyEnrolled: Bool {
        persistence.variable(guid: .globalVariable, name: UCS2.fromASCII("PK")) != nil
    }

    /// The served variable (guid, name), or nil when the store does not serve that name.
    func servedVariable(guid: EFIGuid, name: [UInt8]) -> StoredVariable? {
        // The name test first: only a served name needs the PK lookup.
        guard ReadOnlyGlobals.isServed(guid: guid, name: name),
              let value = ReadOnlyGlobals.value(of: name, platformKeyEnrolled: platformKeyEnrolled) else { return nil }
        return StoredVariable(guid: guid, name: name, attributes: ReadOnlyGlobals.attributes, data: [value])
    }

    /// Every served variable, for GetNextVariableName.
    func servedVariables() -> [StoredVariable] {
        let enrolled = platformKeyEnrolled
        return ReadOnlyGlobals.names.map { n in
            let name = UCS2.fromASCII(n)
            return StoredVariable(guid: .globalVariable, name: name, attributes: ReadOnlyGlobals.attributes,
                                  data: [ReadOnlyGlobals.value(of: name, platformKeyEnrolled: enrolled) ?? 0])
        }
    }
}
