/// Why a shell argument list was refused. `argument` is the index of the offending word in the
/// list given to the parser.
public enum ShellArgumentError: Error, Equatable, Sendable {
    /// Not a number in the expected base.
    case malformedNumber
    /// A number too large for 64 bits.
    case numberOverflow
    /// Not an 8-4-4-4-12 GUID.
    case malformedGUID
    /// A variable name that is empty, not UTF-8, or outside UCS-2 (or holds a NUL).
    case malformedName
    /// An option that takes a value came last.
    case missingOptionValue(argument: Int)
    /// An option the command does not know.
    case unknownOption(argument: Int)
    /// An option that contradicts an earlier one (-guid with -all, values with -i).
    case conflictingOptions(argument: Int)
    /// No variable name where the command needs one.
    case missingName
    /// A value that is none of U-Boot's forms (=0x…, =H…, ="…", =S"…", text).
    case malformedValue(argument: Int)
    /// `-i` without `<addr>:<size>` in hex.
    case malformedMemoryRange(argument: Int)
    /// More or fewer words than the command takes.
    case wrongArgumentCount
    /// An initrd address without `:<size>` where the size is not known otherwise.
    case missingSize(argument: Int)

    public var name: StaticString {
        switch self {
        case .malformedNumber: return "not a number"
        case .numberOverflow: return "number too large"
        case .malformedGUID: return "GUID not in XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX format"
        case .malformedName: return "bad variable name"
        case .missingOptionValue: return "option needs a value"
        case .unknownOption: return "unknown option"
        case .conflictingOptions: return "conflicting options"
        case .missingName: return "variable name missing"
        case .malformedValue: return "bad value"
        case .malformedMemoryRange: return "-i needs <addr>:<size>"
        case .wrongArgumentCount: return "wrong number of arguments"
        case .missingSize: return "the initrd needs <addr>:<size>"
        }
    }
}
