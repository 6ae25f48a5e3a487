import MM

/// `setenv -e [-guid <guid>] [-nv] [-bs] [-rt] [-at] [-a] [-v] [-i <addr>:<size>] <name> [<value>...]`
/// (U-Boot `do_env_set_efi`). No value and no `-i` deletes the variable.
public struct SetEnvArguments: Equatable, Sendable {
    /// Where the data comes from.
    public enum Value: Equatable, Sendable {
        /// The values on the command line, encoded and concatenated.
        case bytes([UInt8])
        /// `-i <addr>:<size>`: `size` bytes of memory at `addr` (the image reads them).
        case memory(address: UInt64, size: UInt64)
    }

    public var guid: EFIGuid
    /// EFI_VARIABLE_* bits: -nv 0x1, -bs 0x2, -rt 0x4, -at 0x20, -a 0x40. None by default, as in
    /// U-Boot (attributes 0 with data is refused by SetVariable).
    public var attributes: UInt32
    /// UCS-2LE with the NUL.
    public var name: [UInt8]
    public var value: Value
    /// `-v`: print the GUID, attributes and value before setting.
    public var verbose: Bool

    public init(guid: EFIGuid, attributes: UInt32, name: [UInt8], value: Value, verbose: Bool = false) {
        self.guid = guid; self.attributes = attributes; self.name = name; self.value = value; self.verbose = verbose
    }

    public static let nonVolatile: UInt32 = 0x01
    public static let bootServiceAccess: UInt32 = 0x02
    public static let runtimeAccess: UInt32 = 0x04
    public static let timeBasedAuthenticatedWriteAccess: UInt32 = 0x20
    public static let appendWrite: UInt32 = 0x40

    /// Parses the words after `setenv -e`. Without `-guid`, db, dbx and dbt belong to
    /// EFI_IMAGE_SECURITY_DATABASE_GUID and every other name to EFI_GLOBAL_VARIABLE.
    public static func parse(_ args: [[UInt8]]) throws(ShellArgumentError) -> SetEnvArguments {
        var guid: EFIGuid? = nil
        var attributes: UInt32 = 0
        var memory: (UInt64, UInt64)? = nil
        var memoryArgument = 0
        var verbose = false
        var i = 0
        while i < args.count, args[i].first == UInt8(ascii: "-") {
            let option = wordIndex(args[i], in: "-guid -i -v -nv -bs -rt -at -a")
            if option == 0 {
                guard i + 1 < args.count else { throw .missingOptionValue(argument: i) }
                guid = try GUIDText.parse(args[i + 1])
                i += 1
            } else if option == 1 {
                guard i + 1 < args.count else { throw .missingOptionValue(argument: i) }
                memory = try memoryRange(args[i + 1], argument: i + 1)
                memoryArgument = i
                i += 1
            } else if option == 2 {
                verbose = true
            } else if option > 2 {
                // -nv -bs -rt -at -a: the attribute bits 0x01 0x02 0x04 0x20 0x40, a byte each
                attributes |= UInt32(truncatingIfNeeded: 0x40_20_04_02_01 as UInt64 >> (8 * UInt64(option - 3))) & 0xFF
            } else {
                throw .unknownOption(argument: i)
            }
            i += 1
        }
        guard i < args.count else { throw .missingName }
        let nameUTF8 = args[i]
        let name = try UCS2Text.fromUTF8(nameUTF8)
        i += 1

        let value: Value
        if let (address, size) = memory {
            // U-Boot silently ignores values after -i; saying so is kinder.
            guard i == args.count else { throw .conflictingOptions(argument: memoryArgument) }
            value = .memory(address: address, size: size)
        } else {
            var data: [UInt8] = []
            while i < args.count {
                guard appendValue(args[i], to: &data) else { throw .malformedValue(argument: i) }
                i += 1
            }
            value = .bytes(data)
        }
        return SetEnvArguments(guid: guid ?? defaultVendor(nameUTF8), attributes: attributes,
                               name: name, value: value, verbose: verbose)
    }

    /// The vendor U-Boot picks when no `-guid` is given.
    public static func defaultVendor(_ nameUTF8: [UInt8]) -> EFIGuid {
        wordIndex(nameUTF8, in: "db dbx dbt") >= 0 ? EFIGuid.imageSecurityDatabase : .globalVariable
    }

    /// `<addr>:<size>`, both hex, as U-Boot writes it; `<addr>,<size>` is taken too.
    public static func memoryRange(_ word: [UInt8], argument: Int) throws(ShellArgumentError) -> (UInt64, UInt64) {
        guard let comma = word.firstIndex(where: { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ",") }) else {
            throw .malformedMemoryRange(argument: argument)
        }
        do throws(ShellArgumentError) {
            let address = try ShellNumber.parseHex(word, from: 0, to: comma)
            let size = try ShellNumber.parseHex(word, from: comma + 1, to: word.count)
            return (address, size)
        } catch {
            throw .malformedMemoryRange(argument: argument)
        }
    }

    /// One value word in U-Boot's forms (`append_value`):
    /// `=0x<hex>` a little-endian number of 1, 2, 4 or 8 bytes (by digit count, even, ≤ 16);
    /// `=H<hex>` a byte string; `="text"` or `=S"text"` the text between the quotes; anything
    /// else the word itself. No NUL is added. Nil when the word is malformed.
    public static func encodeValue(_ word: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        return appendValue(word, to: &out) ? out : nil
    }

    /// `encodeValue`'s bytes appended to `out` (the values of one command, with no array per
    /// word); false, with `out` partly written, when the word is malformed.
    static func appendValue(_ word: [UInt8], to out: inout [UInt8]) -> Bool {
        if startsWith(word, "=0x") {
            let digits = word.count - 3
            guard digits > 0, digits % 2 == 0, digits <= 16 else { return false }
            guard let number = try? ShellNumber.parseHex(word, from: 3, to: word.count) else { return false }
            let bytes = digits / 2
            let width = bytes <= 2 ? bytes : (bytes <= 4 ? 4 : 8)
            for k in 0..<width { append(UInt8(truncatingIfNeeded: number >> (8 * UInt64(k))), to: &out) }
            return true
        }
        if startsWith(word, "=H") {
            guard word.count % 2 == 0 else { return false }
            var high: UInt8? = nil
            for k in 2..<word.count {
                guard let nibble = UUIDText.hexValue(word[k]) else { return false }
                if let h = high { append(h << 4 | nibble, to: &out); high = nil } else { high = nibble }
            }
            return true
        }
        let quoted = startsWith(word, "=\"") ? 2 : (startsWith(word, "=S\"") ? 3 : 0)
        if quoted > 0 {
            let end = word.count - 1
            guard end >= quoted, word[end] == UInt8(ascii: "\"") else { return false }
            for k in quoted..<end { append(word[k], to: &out) }
            return true
        }
        for b in word { append(b, to: &out) }
        return true
    }

    /// One byte onto a value (the shell's one out-of-line append: it was inlined at each of the
    /// four forms).
    static func append(_ byte: UInt8, to out: inout [UInt8]) { appendByte(byte, to: &out) }

    static func startsWith(_ word: [UInt8], _ prefix: StaticString) -> Bool {
        prefix.withUTF8Buffer { p in
            guard p.count <= word.count else { return false }
            for k in 0..<p.count where p[k] != word[k] { return false }
            return true
        }
    }
}
