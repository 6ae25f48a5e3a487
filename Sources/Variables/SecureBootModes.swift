import MM

/// The secure-boot modes of UEFI 2.10 §32.3 (numbered as EDK2's SECURE_BOOT_MODE_TYPE) and
/// what the store serves in each:
///
/// | mode | SetupMode | SecureBoot | AuditMode | DeployedMode |
/// |---|---|---|---|---|
/// | setup | 1 | 0 | 0 | 0 |
/// | user | 0 | 1 | 0 | 0 |
/// | audit | 1 | 0 | 1 | 0 |
/// | deployed | 0 | 1 | 0 | 1 |
public enum SecureBootMode: UInt8, Equatable, Sendable {
    case user = 0, setup = 1, audit = 2, deployed = 3

    var setupMode: UInt8 { self == .setup || self == .audit ? 1 : 0 }
    var secureBoot: UInt8 { 1 - setupMode }
    var auditMode: UInt8 { self == .audit ? 1 : 0 }
    var deployedMode: UInt8 { self == .deployed ? 1 : 0 }

    /// The mode from what the medium holds: PK, and the mark the store keeps for audit and
    /// deployed mode. Read so that every step of a transition leaves a mode next to it:
    /// a mark of audit mode with a PK is deployed mode (PK enrolled in audit mode, the mark
    /// not yet rewritten); a mark of deployed mode without a PK is setup mode (PK deleted, the
    /// mark not yet removed).
    static func derive(platformKeyEnrolled: Bool, mark: SecureBootMode?) -> SecureBootMode {
        if platformKeyEnrolled { return mark == .audit || mark == .deployed ? .deployed : .user }
        return mark == .audit ? .audit : .setup
    }
}

extension EFIGuid {
    /// The vendor of the store's own state on the medium (the mode mark): this project's GUID.
    public static let storeState = EFIGuid(0x0154_d50a, 0x9b51, 0x4dfb, (0x92, 0xb1, 0x74, 0xf6, 0xe6, 0x0d, 0xa7, 0x91))
}

/// The mark of audit or deployed mode: one NV|BS byte (the mode's number) under
/// `EFIGuid.storeState`, absent in setup and user mode, which follow from PK alone. Callers
/// may read it; only the store writes it (`DefinedVariable.Role.storeState`).
enum ModeMark {
    static let name: StaticString = "SecureBootMode"
    static let attributes = VariableAttributes([.nonVolatile, .bootServiceAccess]).rawValue
}

extension VariableStore {
    /// The current secure-boot mode (two index lookups).
    public var secureBootMode: SecureBootMode {
        @inline(never) get {   // asked at five sites
        SecureBootMode.derive(platformKeyEnrolled: platformKeyEnrolled, mark: modeMark)
        }
    }

    var modeMark: SecureBootMode? {
        guard let v = persistence.variable(guid: .storeState, name: UCS2.fromASCII(ModeMark.name)),
              v.data.count == 1 else { return nil }
        return SecureBootMode(rawValue: v.data[0])
    }

    /// Writes the mark (nil: removes it).
    @inline(never)   // six sites in the mode transitions
    mutating func setModeMark(_ mode: SecureBootMode?) -> EFIStatus {
        let name = UCS2.fromASCII(ModeMark.name)
        do throws(PersistenceError) {
            if let m = mode {
                guard persistence.variable(guid: .storeState, name: name)?.data != [m.rawValue] else { return .success }
                try persistence.put(StoredVariable(guid: .storeState, name: name, attributes: ModeMark.attributes,
                                                   data: [m.rawValue]))
            } else if persistence.variable(guid: .storeState, name: name) != nil {
                try persistence.remove(guid: .storeState, name: name)
            }
        } catch {
            return VariableStore.status(for: error)
        }
        return .success
    }

    @inline(never)   // eight mode lines
    func note(_ line: StaticString) { log?(line) }

    /// A SetVariable of AuditMode or DeployedMode without AT (nil for any other variable),
    /// once the attribute bits passed. AuditMode may be set to 1 in setup mode (→ audit) and
    /// user mode (→ audit, PK deleted); DeployedMode in user mode (→ deployed); both only before
    /// ExitBootServices. Elsewhere they are read-only: EFI_WRITE_PROTECTED, except that writing
    /// the value they have with BS|RT changes nothing and succeeds (U-Boot publishes them at
    /// start-up). Where writable: anything but one byte 0 or 1 with exactly BS|RT (a deletion
    /// included) → EFI_INVALID_PARAMETER; 0 changes nothing.
    mutating func setModeVariable(guid: EFIGuid, name: [UInt8], attributes: UInt32, data: [UInt8]) -> EFIStatus? {
        guard guid == .globalVariable else { return nil }
        let audit = UCS2Name.equals(name, "AuditMode")
        guard audit || UCS2Name.equals(name, "DeployedMode") else { return nil }
        let mode = secureBootMode
        let current = audit ? mode.auditMode : mode.deployedMode
        let plain = attributes == ReadOnlyGlobals.attributes
        let writable = !atRuntime && (audit ? mode == .setup || mode == .user : mode == .user)
        guard writable else {
            if !atRuntime && plain && data == [current] { return .success }
            note(audit ? "secure boot: AuditMode is read-only in audit and deployed mode and at runtime: EFI_WRITE_PROTECTED"
                 : "secure boot: DeployedMode can change only in user mode, before ExitBootServices: EFI_WRITE_PROTECTED")
            return .writeProtected
        }
        guard plain, data.count == 1, data[0] <= 1 else {
            note("secure boot: AuditMode and DeployedMode take one byte, 0 or 1, with BS|RT: EFI_INVALID_PARAMETER")
            return .invalidParameter
        }
        if data[0] == current { return .success }
        if !audit {
            let status = setModeMark(.deployed)
            if status == .success { note("secure boot: user mode -> deployed mode (DeployedMode := 1)") }
            return status
        }
        if mode == .user {
            // PK goes first: a failure between the two writes leaves setup mode, not deployed.
            do throws(PersistenceError) {
                try persistence.remove(guid: .globalVariable, name: UCS2.fromASCII("PK"))
            } catch {
                return VariableStore.status(for: error)
            }
        }
        let status = setModeMark(.audit)
        if status == .success {
            note(mode == .user ? "secure boot: user mode -> audit mode (AuditMode := 1, PK deleted)"
                 : "secure boot: setup mode -> audit mode (AuditMode := 1)")
        }
        return status
    }

    /// Stores PK (`record`, with its prefix) or deletes it (nil), and moves the mode along:
    /// enrolling leaves setup mode for user mode and audit mode for deployed mode; deleting
    /// returns user and deployed mode to setup mode. The writes are ordered so that a failure
    /// between them leaves the mode before or after (`SecureBootMode.derive`).
    mutating func changePlatformKey(_ record: [UInt8]?) -> EFIStatus {
        let name = UCS2.fromASCII("PK")
        let before = secureBootMode
        let mark = modeMark
        let existing = find(guid: .globalVariable, name: name)
        guard let value = record else {
            guard let e = existing else { return .notFound }
            // A stale audit mark would read as audit mode once PK is gone.
            if before == .deployed && mark != .deployed {
                let s = setModeMark(.deployed)
                guard s == .success else { return s }
            }
            let status = remove(e)
            guard status == .success else { return status }
            _ = setModeMark(nil)  // left behind, it still reads as setup mode
            note(before == .deployed ? "secure boot: deployed mode -> setup mode (PK deleted)"
                 : "secure boot: user mode -> setup mode (PK deleted)")
            return .success
        }
        // In setup mode a mark left by an interrupted deletion would read as deployed mode.
        if before == .setup && mark != nil {
            let s = setModeMark(nil)
            guard s == .success else { return s }
        }
        let status = write(StoredVariable(guid: .globalVariable, name: name, attributes: VariableStore.nvBsRtAt,
                                          data: value), replacing: existing)
        guard status == .success else { return status }
        switch before {
        case .setup: note("secure boot: setup mode -> user mode (PK enrolled)")
        case .audit:
            _ = setModeMark(.deployed)  // not written, the audit mark with PK still reads as deployed
            note("secure boot: audit mode -> deployed mode (PK enrolled)")
        case .user, .deployed: break
        }
        return .success
    }
}
