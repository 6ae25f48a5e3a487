import Boot
import Driver
import Hardware
import Platform
import UEFI

extension Commands {

    static func booti(_ args: [[UInt8]]) {
        do throws(ShellArgumentError) {
            KernelLoader.booti(try BootiArguments.parse(words(args, from: 1), knownInitrd: KernelLoader.loadedInitrd))
        } catch {
            argumentError(error, "booti")
        }
    }

    /// `bootefi <addr>[:<size>] ...`: booti's arguments, with the image's size.
    static func bootefi(_ args: [[UInt8]]) {
        guard args.count >= 2 else { usage("bootefi"); return }
        do throws(ShellArgumentError) {
            let a = try BootiArguments.parse(words(args, from: 1), knownInitrd: KernelLoader.loadedInitrd, kernelSize: true)
            UEFIBoot.bootefi(kernel: a.kernel, size: a.kernelSize, initrd: a.initrd, fdt: a.fdt)
        } catch {
            argumentError(error, "bootefi")
        }
    }

    static func qfw(_ args: [[UInt8]]) {
        guard (2...4).contains(args.count), matches(args[1], "load") else { usage("qfw"); return }
        do throws(ShellArgumentError) {
            let kernel = args.count > 2 ? try ShellNumber.parseHex(args[2]) : KernelLoader.defaultKernel
            let initrd = args.count > 3 ? try ShellNumber.parseHex(args[3]) : KernelLoader.defaultInitrd
            _ = KernelLoader.qfwLoad(kernel: kernel, initrd: initrd)
        } catch {
            argumentError(error, "qfw")
        }
    }

    static func bootCommand(_ args: [[UInt8]]) {
        guard noArguments(args, "boot") else { return }
        guard KernelLoader.qfwLoad(kernel: KernelLoader.defaultKernel, initrd: KernelLoader.defaultInitrd) else { return }
        if PEImage.looksLikePE(UnsafeRawBufferPointer(KernelLoader.buffer(KernelLoader.defaultKernel, 4096))) {
            UEFIBoot.bootefi(kernel: KernelLoader.defaultKernel, size: nil, initrd: KernelLoader.loadedInitrd, fdt: nil)
        } else {
            KernelLoader.booti(BootiArguments(kernel: KernelLoader.defaultKernel, initrd: KernelLoader.loadedInitrd, fdt: nil))
        }
    }

    /// `setenv name [value...]`: a shell variable (U-Boot's environment), not a UEFI one.
    static func setenvPlain(_ args: [[UInt8]]) {
        do throws(ShellArgumentError) { try KernelLoader.environment.set(words(args, from: 1)) } catch {
            argumentError(error, "setenv")
        }
    }

    /// `printenv [name...]`: shell variables as `name=value`.
    static func printenvPlain(_ args: [[UInt8]]) {
        let env = KernelLoader.environment
        for i in env.names.indices where args.count == 1 || holds(args, env.names[i], from: 1) {
            Console.bytes(env.names[i]); Console.put(61); Console.bytes(env.values[i]); Console.put(10)
        }
        for k in 1..<args.count where !holds(env.names, args[k], from: 0) {   // by index: no slice of arrays
            Console.write("## Error: \""); Console.bytes(args[k]); Console.line("\" not defined")
        }
    }

    /// Whether `list` holds `word` at `from` or after: one loop for both of printenv's searches.
    @inline(never)
    static func holds(_ list: [[UInt8]], _ word: [UInt8], from: Int) -> Bool {
        var i = from
        while i < list.count {
            if list[i] == word { return true }
            i += 1
        }
        return false
    }
}

/// U-Boot's autoboot: with a kernel from QEMU, count down and `boot` unless a key is pressed.
enum Autoboot {
    static let seconds = 2

    static func run() {
        guard KernelLoader.kernelOffered else { return }
        Console.write("Hit any key to stop autoboot: "); Console.dec(UInt64(seconds))
        let tick = hw_read_cntfrq()
        var deadline = hw_read_cntpct() &+ tick
        var left = seconds
        while left > 0 {
            if Console.uart.read() != nil { Console.write("\u{8}0\n"); return }
            if hw_read_cntpct() >= deadline {
                left -= 1
                deadline &+= tick
                Console.write("\u{8}"); Console.dec(UInt64(left))
            }
        }
        Console.put(10)
        Commands.bootCommand([[0x62, 0x6F, 0x6F, 0x74]])   // "boot"
    }
}
