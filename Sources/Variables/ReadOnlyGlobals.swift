import MM

/// The secure-boot state variables of EFI_GLOBAL_VARIABLE (UEFI 2.10 §3.3 and §32.3), which the
/// store serves from its own state rather than keeps: volatile, BS|RT, one byte, read-only.
///
/// SetupMode, SecureBoot, AuditMode and DeployedMode follow the secure-boot mode
/// (SecureBootModes.swift). VendorKeys is 0: no keys came with the platform.
enum ReadOnlyGlobals {
    static let attributes = DefinedVariable.bsRt
    static let names: [StaticString] = ["AuditMode", "DeployedMode", "SecureBoot", "SetupMode", "VendorKeys"]

    /// The served value of `name` in `mode`; nil for any other name.
    static func value(of name: [UInt8], mode: SecureBootMode) -> UInt8? {
        name.withUnsafeBytes { servedName($0) }.map { value(of: $0, mode: mode) }
    }

    /// The served value of the served name `name` in `mode`: told apart by length and first letter.
    static func value(of name: StaticString, mode: SecureBootMode) -> UInt8 {
        let first = name.utf8Start.pointee
        switch name.utf8CodeUnitCount {
        case 9: return first == UInt8(ascii: "S") ? mode.setupMode : mode.auditMode  // SetupMode, AuditMode
        case 10: return first == UInt8(ascii: "S") ? mode.secureBoot : 0  // SecureBoot, VendorKeys
        case 12: return mode.deployedMode
        default: return 0
        }
    }

    @inline(never)   // a read or write by name and the listing's volatiles
    static func isServed(guid: EFIGuid, name: [UInt8]) -> Bool {
        guid == .globalVariable && name.withUnsafeBytes { servedName($0) } != nil
    }
}

extension VariableStore {
    /// Whether a PK is on the medium: one index lookup, no array (every served read asks).
    /// Never on a medium that takes no authenticated writes: PK is stored only through
    /// `setAuthenticated` and the provisioning calls, all refused on such a medium, so the
    /// fallback's store is in setup or audit mode without a look.
    var platformKeyEnrolled: Bool {
        guard P.takesAuthenticatedWrites else { return false }
        let pk: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0x50, 0, 0x4B, 0, 0, 0)  // L"PK", on the stack
        return withUnsafeBytes(of: pk) { persistence.attributes(guid: .globalVariable, rawName: $0) } != nil
    }

    /// The served variable (guid, name), or nil when the store does not serve that name.
    func servedVariable(guid: EFIGuid, name: [UInt8]) -> StoredVariable? {
        // The name test first: only a served name needs the PK lookup.
        guard ReadOnlyGlobals.isServed(guid: guid, name: name),
              let value = ReadOnlyGlobals.value(of: name, mode: secureBootMode) else { return nil }
        return StoredVariable(guid: guid, name: name, attributes: ReadOnlyGlobals.attributes, data: [value])
    }
}
