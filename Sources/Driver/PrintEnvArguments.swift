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
            switch wordIndex(args[i], in: "-guid -all -n") {
            case 0:
                guard i + 1 < args.count else { throw .missingOptionValue(argument: i) }
                if result.vendor == .any { throw .conflictingOptions(argument: i) }
                result.vendor = .guid(try GUIDText.parse(args[i + 1]))
                i += 1
            case 1:
                if case .guid = result.vendor { throw .conflictingOptions(argument: i) }
                result.vendor = .any
            case 2:
                result.showData = false
            default:
                throw .unknownOption(argument: i)
            }
            i += 1
        }
        while i < args.count {
            appendWord(try UCS2Text.fromUTF8(args[i]), to: &result.names)
            i += 1
        }
        return result
    }
}

/// Whether a shell word is exactly `text` (the shell's commands and their options). Out of
/// line: inlined, each of its uses was a loop.
@inline(never)
public func matches(_ word: [UInt8], _ text: StaticString) -> Bool {
    text.withUTF8Buffer { buffer in
        guard buffer.count == word.count else { return false }
        for k in 0..<word.count where buffer[k] != word[k] { return false }
        return true
    }
}

/// Where `word` is among the space-separated words of `list` (from 0), or -1: a command's
/// options and subcommands looked up in one literal and one loop, not a call and a branch each.
@inline(never)
public func wordIndex(_ word: [UInt8], in list: StaticString) -> Int {
    var index = 0, k = 0, i = 0
    let n = list.utf8CodeUnitCount
    while i <= n {
        let c: UInt8 = i < n ? unsafe list.utf8Start[i] : 32
        if c == 32 {
            if k == word.count { return index }
            index += 1; k = 0
        } else if k >= 0 && k < word.count && word[k] == c {
            k += 1
        } else {
            k = -1 - word.count   // stays negative (and unequal to the count) until the next word
        }
        i += 1
    }
    return -1
}
