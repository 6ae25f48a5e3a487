/// `booti <kernel_addr> [<initrd_addr>[:<size>] | -] [<fdt_addr>]` (U-Boot `do_booti`, all in
/// hex). A raw initrd needs its size: after the colon, or from `qfw load` when the address is
/// the one it loaded to (`knownInitrd`).
public struct BootiArguments: Equatable, Sendable {
    public var kernel: UInt64
    public var initrd: (base: UInt64, size: UInt64)?
    public var fdt: UInt64?

    public init(kernel: UInt64, initrd: (base: UInt64, size: UInt64)?, fdt: UInt64?) {
        self.kernel = kernel; self.initrd = initrd; self.fdt = fdt
    }

    public static func == (a: BootiArguments, b: BootiArguments) -> Bool {
        a.kernel == b.kernel && a.fdt == b.fdt && a.initrd?.base == b.initrd?.base && a.initrd?.size == b.initrd?.size
    }

    /// Parses the words after `booti`.
    public static func parse(_ args: [[UInt8]], knownInitrd: (base: UInt64, size: UInt64)? = nil)
        throws(ShellArgumentError) -> BootiArguments {
        guard (1...3).contains(args.count) else { throw .wrongArgumentCount }
        var result = BootiArguments(kernel: try ShellNumber.parseHex(args[0]), initrd: nil, fdt: nil)
        if args.count >= 2, args[1] != [UInt8(ascii: "-")] {
            let word = args[1]
            if let colon = word.firstIndex(of: UInt8(ascii: ":")) {
                let base = try ShellNumber.parseHex(Array(word[..<colon]))
                let size = try ShellNumber.parseHex(Array(word[(colon + 1)...]))
                result.initrd = (base, size)
            } else {
                let base = try ShellNumber.parseHex(word)
                guard let known = knownInitrd, known.base == base else { throw .missingSize(argument: 1) }
                result.initrd = known
            }
        }
        if args.count == 3 { result.fdt = try ShellNumber.parseHex(args[2]) }
        return result
    }
}
