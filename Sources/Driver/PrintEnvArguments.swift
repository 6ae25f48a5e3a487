import MM

/// `printenv -e [-n] [-guid <guid> | -all] [<name>...]` (U-Boot `do_env_print_efi`).
public struct PrintEnvArguments: Equatable, Sendable {
    /// Which vendor GUIDs to show.
    public enum Vendor: Equatable, Sendable {
        /// No option: EFI_GLOBAL_VARIABLE only, as U-Boot does.
        case global
        /// `-guid <guid>`.
        case guid(EFIGuid)
        /// `-all`: every vendor.
        case any
    }

    public var vendor: Vendor
    /// False with `-n`: name, attributes and size only, no hex dump.
    public var showData: Bool
    /// The names asked for, UCS-2LE with the NUL; empty means every variable.
    public var names: [[UInt8]]

    public init(vendor: Vendor = .global, showData: Bool = true, names: [[UInt8]] = []) {
        self.vendor = vendor; self.showData = showData; self.names = names
    }

    /// Parses the words after `printenv -e`. Options come first, as in U-Boot: the first word
    /// not starting with '-' begins the names.
    public static func parse(_ args: [[UInt8]]) throws(ShellArgumentError) -> PrintEnvArguments {
        var result = PrintEnvArguments()
        var i = 0
        while i < args.count, args[i].first == UInt8(ascii: "-") {
            let option = args[i]
            if matches(option, "-guid") {
                guard i + 1 < args.count else { throw .missingOptionValue(argument: i) }
                if result.vendor == .any { throw .conflictingOptions(argument: i) }
                result.vendor = .guid(try GUIDText.parse(args[i + 1]))
                i += 1
            } else if matches(option, "-all") {
                if case .guid = result.vendor { throw .conflictingOptions(argument: i) }
                result.vendor = .any
            } else if matches(option, "-n") {
                result.showData = false
            } else {
                throw .unknownOption(argument: i)
            }
            i += 1
        }
        while i < args.count {
            result.names.append(try UCS2Text.fromUTF8(args[i]))
            i += 1
        }
        return result
    }
}

/// Whether a shell word is exactly `text` (the shell's commands and their options). Out of
/// line: inlined, each of its ~26 uses was a loop.
@inline(never)
public func matches(_ word: [UInt8], _ text: StaticString) -> Bool {
    text.withUTF8Buffer { buffer in
        guard buffer.count == word.count else { return false }
        for k in 0..<word.count where buffer[k] != word[k] { return false }
        return true
    }
}
