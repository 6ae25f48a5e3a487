import MM

/// A variable the UEFI specification defines (UEFI 2.10 §3.3 "Globally Defined Variables" and
/// §32.6.1 for the image security database), with the rules the store applies to writes of it.
/// Attributes and sizes follow the spec's table; the size and content rules are the ones EDK2's
/// VarCheckUefiLib applies.
struct DefinedVariable: Equatable, Sendable {
    /// Who may change the variable.
    enum Role: Equatable, Sendable {
        /// A setting the normal world keeps (Boot####, BootOrder, Lang, Timeout, ...).
        case setting
        /// Set by the normal world's firmware during boot and read-only to the OS: refused
        /// after ExitBootServices (PlatformLangCodes, OsIndicationsSupported, ConInDev, ...).
        case firmware
        /// Served by the store from its own state, never stored (SecureBoot, SetupMode, ...).
        case served
        /// Secure-boot key databases and their defaults: only an authenticated write may change
        /// them (the defaults: none).
        case secureBootKey
        /// The store's own state on the medium (the secure-boot mode mark): no caller writes it.
        case storeState
    }

    /// What the data must look like (EDK2 VarCheckUefiLib's check functions).
    enum Content: Equatable, Sendable {
        case any
        /// An ASCII string with a NUL (Lang, PlatformLang and their code lists).
        case asciiString
        /// An array of `element`-byte items (BootOrder: UINT16s; SignatureSupport: GUIDs).
        case array(element: UInt8)
        /// One or more device path instances (ConIn, ConOut, ...).
        case devicePath
        /// EFI_LOAD_OPTION (Boot####, Driver####, SysPrep####, PlatformRecovery####).
        case loadOption
        /// EFI_KEY_OPTION followed by up to three EFI_INPUT_KEYs (Key####).
        case keyOption
    }

    // Eight bytes a rule (the tables hold 21 of them): the attributes are the low byte's bits,
    // the bounds are at most a few dozen bytes or unbounded.
    var role: Role
    var content: Content
    var attributeBits: UInt8
    var minimum: UInt16
    var maximum: UInt16  // `UInt16.max`: unbounded

    /// The attributes a write must carry (APPEND_WRITE aside).
    var attributes: UInt32 { UInt32(attributeBits) }
    var minimumSize: Int { Int(minimum) }
    var maximumSize: Int { maximum == .max ? DefinedVariable.unbounded : Int(maximum) }

    init(role: Role, attributes: UInt32, minimumSize: Int, maximumSize: Int, content: Content) {
        precondition(attributes <= 0xFF && minimumSize < 0xFFFF && (maximumSize < 0xFFFF || maximumSize == DefinedVariable.unbounded))
        self.role = role
        self.content = content
        attributeBits = UInt8(truncatingIfNeeded: attributes)
        minimum = UInt16(truncatingIfNeeded: minimumSize)
        maximum = maximumSize == DefinedVariable.unbounded ? .max : UInt16(truncatingIfNeeded: maximumSize)
    }

    static let unbounded = Int.max
    static let nvBsRt: UInt32 = VariableAttributes.nonVolatileBootRuntime.rawValue
    static let bsRt: UInt32 = VariableAttributes([.bootServiceAccess, .runtimeAccess]).rawValue
    static let nvBsRtAt: UInt32 = nvBsRt | VariableAttributes.timeBasedAuthenticatedWriteAccess.rawValue

    static func setting(_ attributes: UInt32, _ minimumSize: Int, _ maximumSize: Int,
                        _ content: Content = .any) -> DefinedVariable {
        DefinedVariable(role: .setting, attributes: attributes, minimumSize: minimumSize,
                        maximumSize: maximumSize, content: content)
    }

    static func firmware(_ minimumSize: Int, _ maximumSize: Int, _ content: Content = .any,
                         attributes: UInt32 = bsRt) -> DefinedVariable {
        DefinedVariable(role: .firmware, attributes: attributes, minimumSize: minimumSize,
                        maximumSize: maximumSize, content: content)
    }

    static let served = DefinedVariable(role: .served, attributes: bsRt, minimumSize: 1, maximumSize: 1, content: .any)
    static let key = DefinedVariable(role: .secureBootKey, attributes: nvBsRtAt, minimumSize: 1,
                                     maximumSize: unbounded, content: .any)
    static let keyDefault = DefinedVariable(role: .secureBootKey, attributes: bsRt, minimumSize: 1,
                                            maximumSize: unbounded, content: .any)

    /// Sizes of EFI_LOAD_OPTION's fixed part (Attributes UINT32, FilePathListLength UINT16) and of
    /// EFI_KEY_OPTION (packed: KeyData UINT32, BootOptionCrc UINT32, BootOption UINT16) and
    /// EFI_INPUT_KEY (ScanCode, UnicodeChar: UINT16 each).
    static let loadOptionHeader = 6
    static let keyOptionSize = 10
    static let inputKeySize = 4

    /// The variables of EFI_GLOBAL_VARIABLE with a fixed name, grouped by rule: one literal, a
    /// group a line, its names separated by spaces; line i takes `globalRules[i]` (a (name, rule)
    /// pair per name took 64 bytes of data, a (group, rule) pair 32).
    static let globalNames: StaticString = """
        LangCodes PlatformLangCodes
        Lang PlatformLang
        Timeout BootNext
        ConIn ConOut ErrOut
        ConInDev ConOutDev ErrOutDev
        BootOrder DriverOrder SysPrepOrder
        BootCurrent
        BootOptionSupport
        HwErrRecSupport
        OsIndicationsSupported
        OsIndications
        SignatureSupport
        RuntimeServicesSupported
        SecureBoot SetupMode AuditMode DeployedMode VendorKeys
        PK KEK
        PKDefault KEKDefault dbDefault dbxDefault dbtDefault dbrDefault
        """
    static let globalRules: [DefinedVariable] = [
        .firmware(1, unbounded, .asciiString),
        .setting(nvBsRt, 1, unbounded, .asciiString),
        .setting(nvBsRt, 2, 2),
        .setting(nvBsRt, 4, unbounded, .devicePath),
        .firmware(4, unbounded, .devicePath),
        .setting(nvBsRt, 2, unbounded, .array(element: 2)),
        .firmware(2, 2),
        .firmware(4, 4),
        .firmware(2, 2, attributes: nvBsRt),
        .firmware(8, 8),
        .setting(nvBsRt, 8, 8),
        .firmware(16, unbounded, .array(element: 16)),
        .firmware(1, unbounded),
        .served,
        .key,
        .keyDefault,
    ]

    /// The variables of EFI_GLOBAL_VARIABLE named prefix + four hex digits.
    static let globalNumbered: [(prefix: StaticString, rule: DefinedVariable)] = [
        ("Boot", .setting(nvBsRt, loadOptionHeader, unbounded, .loadOption)),
        ("Driver", .setting(nvBsRt, loadOptionHeader, unbounded, .loadOption)),
        ("SysPrep", .setting(nvBsRt, loadOptionHeader, unbounded, .loadOption)),
        ("Key", .setting(nvBsRt, keyOptionSize, keyOptionSize + 3 * inputKeySize, .keyOption)),
        ("PlatformRecovery", .firmware(loadOptionHeader, unbounded, .loadOption)),
    ]

    /// The variables of EFI_IMAGE_SECURITY_DATABASE_GUID.
    static let imageSecurityNames: StaticString = "db dbx dbt dbr"

    /// The rule for (guid, name), `name` normalised (UCS-2LE with its NUL); nil for a variable
    /// the spec does not define.
    /// Whether `lookup` has rules for any name of `guid`.
    static func governs(_ guid: EFIGuid) -> Bool {
        guid == .storeState || guid == .imageSecurityDatabase || guid == .globalVariable
    }

    static func lookup(guid: EFIGuid, name: [UInt8]) -> DefinedVariable? {
        name.withUnsafeBytes { lookup(guid: guid, rawName: $0) }
    }

    /// `lookup` for a name where it lies (the MM buffer): SetVariable's in-place path asks it.
    static func lookup(guid: EFIGuid, rawName name: UnsafeRawBufferPointer) -> DefinedVariable? {
        if guid == .storeState {
            return UCS2Name.equals(name, ModeMark.name) ? DefinedVariable(role: .storeState, attributes: ModeMark.attributes,
                                                                          minimumSize: 1, maximumSize: 1, content: .any) : nil
        }
        if guid == .imageSecurityDatabase {
            return UCS2Name.group(of: name, in: imageSecurityNames) != nil ? .key : nil
        }
        guard guid == .globalVariable else { return nil }
        if let g = UCS2Name.group(of: name, in: globalNames) { return globalRules[g] }
        for entry in globalNumbered where UCS2Name.isNumbered(name, prefix: entry.prefix) { return entry.rule }
        return nil
    }
}

/// Comparisons of UCS-2LE names (with their NUL) against ASCII text, without building strings.
enum UCS2Name {
    /// Whether `name` spells `text` exactly.
    static func equals(_ name: [UInt8], _ text: StaticString) -> Bool {
        name.withUnsafeBytes { equals($0, text) }
    }

    /// The group of `words` (a group a line, words separated by spaces) with a word that `name`
    /// spells exactly; nil when none. Every SetVariable under EFI_GLOBAL_VARIABLE asks it: a
    /// word's end is found eight bytes at a time, and only a word of the name's length is
    /// compared (a byte at a time this took ~4,000 instructions for a name not listed).
    static func group(of name: [UInt8], in words: StaticString) -> Int? {
        name.withUnsafeBytes { group(of: $0, in: words) }
    }

    @inline(never)   // one loop, not one per table
    static func group(of name: UnsafeRawBufferPointer, in words: StaticString) -> Int? {
        guard name.count >= 4, name.count % 2 == 0 else { return nil }
        let length = name.count / 2 - 1
        return words.withUTF8Buffer { t in
            var start = 0, group = 0
            while start < t.count {
                let end = wordEnd(t, from: start)
                if end - start == length && equals(name, t[start..<end]) { return group }
                if end < t.count, t[end] == UInt8(ascii: "\n") { group += 1 }
                start = end + 1
            }
            return nil
        }
    }

    /// The index of the first byte at or after `start` that is a space or a newline (the text is
    /// ASCII, so: below 0x21), or `t.count`. Whole words are tested while eight bytes remain:
    /// `(w - 0x21…) & ~w & 0x80…` marks the bytes below 0x21, the lowest mark exactly.
    private static func wordEnd(_ t: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        guard let base = t.baseAddress else { return t.count }
        while t.count - i >= 8 {
            let w = unsafe UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self).littleEndian
            let marks = (w &- 0x2121_2121_2121_2121) & ~w & 0x8080_8080_8080_8080
            if marks != 0 { return i + marks.trailingZeroBitCount / 8 }
            i += 8
        }
        while i < t.count, t[i] > 0x20 { i += 1 }
        return i
    }

    private static func equals(_ name: UnsafeRawBufferPointer, _ text: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        guard name.count == 2 * text.count + 2 else { return false }
        var i = 0
        for c in text {
            if name[i] != c || name[i + 1] != 0 { return false }
            i += 2
        }
        return true
    }

    /// Whether `name` is `prefix` followed by exactly four hexadecimal digits (Boot0001).
    static func isNumbered(_ name: UnsafeRawBufferPointer, prefix: StaticString) -> Bool {
        let n = prefix.utf8CodeUnitCount
        guard name.count == 2 * (n + 4) + 2 else { return false }
        let prefixMatches = prefix.withUTF8Buffer { t in
            for i in 0..<n where name[2 * i] != t[i] || name[2 * i + 1] != 0 { return false }
            return true
        }
        guard prefixMatches else { return false }
        for i in n..<(n + 4) where name[2 * i + 1] != 0 || !isHexDigit(name[2 * i]) { return false }
        return true
    }

    static func isHexDigit(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
    }
}
