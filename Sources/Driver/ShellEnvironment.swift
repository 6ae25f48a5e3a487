/// The shell's own variables (`setenv name value`, `printenv name`), as U-Boot's environment:
/// byte strings kept in RAM, apart from UEFI variables (`-e`). `bootargs` becomes the
/// kernel command line.
public struct ShellEnvironment: Equatable, Sendable {
    public static let maxEntries = 64
    public static let maxValue = 4096

    /// The names, and their values at the same index: two lists of byte strings, not one of
    /// (name, value) pairs, whose element type would bring its own array code to the image.
    public private(set) var names: [[UInt8]] = []
    public private(set) var values: [[UInt8]] = []

    public init() {}

    public static func == (a: ShellEnvironment, b: ShellEnvironment) -> Bool {
        a.names == b.names && a.values == b.values
    }

    /// Where `name` is in `names`.
    func index(_ name: [UInt8]) -> Int? {
        for i in names.indices where names[i] == name { return i }
        return nil
    }

    @inline(never)   // booti and bootefi ask it for bootargs
    public func value(_ name: [UInt8]) -> [UInt8]? { index(name).map { values[$0] } }

    /// Names are letters, digits, `_`, `-` and `.`, as U-Boot's `setenv` accepts them.
    public static func validName(_ name: [UInt8]) -> Bool {
        !name.isEmpty && name.count <= 64 && name.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || c == 0x5F || c == 0x2D || c == 0x2E
        }
    }

    /// `setenv name [value...]`: the words joined by single spaces; no value deletes.
    public mutating func set(_ args: [[UInt8]]) throws(ShellArgumentError) {
        guard let name = args.first else { throw .missingName }
        guard ShellEnvironment.validName(name) else { throw .malformedName }
        var value: [UInt8] = []
        for i in 1..<args.count {
            if i > 1 { appendByte(0x20, to: &value) }
            for b in args[i] { appendByte(b, to: &value) }
        }
        try set(name, value)
    }

    /// Sets `name` to `value`; an empty value deletes.
    public mutating func set(_ name: [UInt8], _ value: [UInt8]) throws(ShellArgumentError) {
        guard ShellEnvironment.validName(name) else { throw .malformedName }
        guard value.count <= ShellEnvironment.maxValue else { throw .malformedValue(argument: 1) }
        let existing = index(name)
        if value.isEmpty {
            if let i = existing { names.remove(at: i); values.remove(at: i) }
            return
        }
        if let i = existing { values[i] = value; return }
        guard names.count < ShellEnvironment.maxEntries else { throw .environmentFull }
        appendWord(name, to: &names)
        appendWord(value, to: &values)
    }
}
