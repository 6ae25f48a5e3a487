import MM

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
    /// A new shell variable when `ShellEnvironment.maxEntries` are set.
    case environmentFull

    public var name: StaticString {
        let i: Int
        switch self {
        case .malformedNumber: i = 0
        case .numberOverflow: i = 1
        case .malformedGUID: i = 2
        case .malformedName: i = 3
        case .missingOptionValue: i = 4
        case .unknownOption: i = 5
        case .conflictingOptions: i = 6
        case .missingName: i = 7
        case .malformedValue: i = 8
        case .malformedMemoryRange: i = 9
        case .wrongArgumentCount: i = 10
        case .missingSize: i = 11
        case .environmentFull: i = 12
        }
        return NameList.entry("""
            not a number\0number too large\0GUID not in XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX format\0\
            bad variable name\0option needs a value\0unknown option\0conflicting options\0\
            variable name missing\0bad value\0-i needs <addr>:<size>\0wrong number of arguments\0\
            the initrd needs <addr>:<size>\0environment full
            """, i)
    }
}
