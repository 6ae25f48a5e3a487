/// The shell's own variables (`setenv name value`, `printenv name`), as U-Boot's environment:
/// byte strings kept in RAM, apart from UEFI variables (`-e`). `bootargs` becomes the
/// kernel command line.
public struct ShellEnvironment: Equatable, Sendable {
    public static let maxEntries = 64
    public static let maxValue = 4096

    public private(set) var entries: [(name: [UInt8], value: [UInt8])] = []

    public init() {}

    public static func == (a: ShellEnvironment, b: ShellEnvironment) -> Bool {
        a.entries.count == b.entries.count
            && zip(a.entries, b.entries).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    public func value(_ name: [UInt8]) -> [UInt8]? { entries.first { $0.name == name }?.value }

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
            if i > 1 { value.append(0x20) }
            value += args[i]
        }
        try set(name, value)
    }

    /// Sets `name` to `value`; an empty value deletes.
    public mutating func set(_ name: [UInt8], _ value: [UInt8]) throws(ShellArgumentError) {
        guard ShellEnvironment.validName(name) else { throw .malformedName }
        guard value.count <= ShellEnvironment.maxValue else { throw .malformedValue(argument: 1) }
        let existing = entries.firstIndex { $0.name == name }
        if value.isEmpty {
            if let i = existing { entries.remove(at: i) }
            return
        }
        if let i = existing { entries[i].value = value; return }
        guard entries.count < ShellEnvironment.maxEntries else { throw .malformedValue(argument: 1) }
        entries.append((name, value))
    }
}
