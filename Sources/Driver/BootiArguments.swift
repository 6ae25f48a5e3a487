/// `booti <kernel_addr> [<initrd_addr>[:<size>] | -] [<fdt_addr>]` (U-Boot `do_booti`, all in
/// hex). A raw initrd needs its size: after the colon, or from `qfw load` when the address is
/// the one it loaded to (`knownInitrd`). `bootefi` takes the same words, with the image's size
/// after its address too (`<kernel_addr>[:<size>]`).
public struct BootiArguments: Equatable, Sendable {
    public var kernel: UInt64
    /// `bootefi`'s `:<size>` after the image's address.
    public var kernelSize: UInt64?
    public var initrd: (base: UInt64, size: UInt64)?
    public var fdt: UInt64?

    public init(kernel: UInt64, kernelSize: UInt64? = nil, initrd: (base: UInt64, size: UInt64)?, fdt: UInt64?) {
        self.kernel = kernel; self.kernelSize = kernelSize; self.initrd = initrd; self.fdt = fdt
    }

    public static func == (a: BootiArguments, b: BootiArguments) -> Bool {
        a.kernel == b.kernel && a.kernelSize == b.kernelSize && a.fdt == b.fdt
            && a.initrd?.base == b.initrd?.base && a.initrd?.size == b.initrd?.size
    }

    /// Parses the words after `booti`, or after `bootefi` (`kernelSize`: the image's address may
    /// have a size; booti refuses one as not a number).
    public static func parse(_ args: [[UInt8]], knownInitrd: (base: UInt64, size: UInt64)? = nil, kernelSize: Bool = false)
        throws(ShellArgumentError) -> BootiArguments {
        guard (1...3).contains(args.count) else { throw .wrongArgumentCount }
        let (kernel, size) = try ShellNumber.parseHexAndSize(args[0])
        guard size == nil || kernelSize else { throw .malformedNumber }
        var result = BootiArguments(kernel: kernel, kernelSize: size, initrd: nil, fdt: nil)
        if args.count >= 2, !matches(args[1], "-") {
            let (base, size) = try ShellNumber.parseHexAndSize(args[1])
            if let size {
                result.initrd = (base, size)
            } else {
                guard let known = knownInitrd, known.base == base else { throw .missingSize(argument: 1) }
                result.initrd = known
            }
        }
        if args.count == 3 { result.fdt = try ShellNumber.parseHex(args[2]) }
        return result
    }
}
