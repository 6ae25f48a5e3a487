import DeviceTree
import Driver
import Hardware
import MM
import Platform

/// A shell command: its `help` line as one string, the usage, a tab, then what it does; its name
/// is the usage's first word. One string, not three, and a thin function (the commands capture
/// nothing, so no closure context). The product's are made as `Commands.each` visits them
/// (their texts one literal, their functions one list); the proof build's are a list of these.
struct Command {
    let text: StaticString
    let run: @convention(thin) ([[UInt8]]) -> Void

    /// Where the name ends (the usage's first space or the tab), and where the usage ends (the tab).
    var nameEnd: Int { end(32) }
    var usageEnd: Int { end(9) }

    func end(_ stop: UInt8) -> Int { Commands.wordEnd(text, from: 0, stop: stop) }

    /// Whether the name is `name` (its bytes: the two tables name a command twice).
    @inline(never)
    func named(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard name.count == nameEnd else { return false }
        for i in 0..<name.count where unsafe name[i] != text.utf8Start[i] { return false }
        return true
    }

    /// Writes the text from byte `from` up to byte `to`.
    func write(_ from: Int, _ to: Int) { Commands.write(text, from, to) }
}

enum Commands {
    /// Where the word of `text` that starts at `from` ends: at `stop`, a tab or the end.
    @inline(never)
    static func wordEnd(_ text: StaticString, from: Int, stop: UInt8 = 32) -> Int {
        var i = from
        while i < text.utf8CodeUnitCount, unsafe text.utf8Start[i] != stop, unsafe text.utf8Start[i] != 9 { i += 1 }
        return i
    }

    /// Writes the bytes `from..<to` of `text`.
    @inline(never)
    static func write(_ text: StaticString, _ from: Int, _ to: Int) {
        for i in from..<to { Console.put(unsafe text.utf8Start[i]) }
    }

    /// The product's commands: their texts as one literal of NUL-ended entries, their functions
    /// in a list in the same order (a test boots the shell and runs each one by name). 8 bytes a
    /// command in the image's data, not a 32-byte `Command` (a StaticString of 24 and a function).
    static let texts: StaticString = """
        help\tlist the commands\0\
        version\tfirmware version\0\
        el\tthe exception level the shell runs at\0\
        dt\twhat the device tree says\0\
        md <address> [<words>]\tdisplay memory (32-bit words, hex)\0\
        poweroff\tPSCI SYSTEM_OFF\0\
        reset\tPSCI SYSTEM_RESET\0\
        ffa version|features|parts\tFF-A driver state and discovery\0\
        armffa getpart <uuid>|ping <id>|devlist\tU-Boot's FF-A commands\0\
        printenv -e [-guid <guid>|-all] [-n] [<name>...]\tshow UEFI variables\0\
        setenv -e [-guid <guid>] [-nv] [-bs] [-rt] [-at] [-a] [-v] [-i <addr>:<size>] <name> [<value>...]\t\
        set or delete a UEFI variable\0\
        printenv [<name>...]\tshow shell variables (bootargs, ...)\0\
        setenv <name> [<value>...]\tset or delete a shell variable\0\
        varinfo\tQueryVariableInfo for NV+BS+RT and BS+RT\0\
        booti <addr> [<initrd>[:<size>] | -] [<fdt>]\tboot an arm64 Linux Image\0\
        qfw load [<kernel_addr> [<initrd_addr>]]\tload QEMU's -kernel/-initrd/-append\0\
        bootefi <addr>[:<size>] [<initrd>:<size> | -] [<fdt>]\tstart an EFI application (Linux's EFI stub)\0\
        boot\tqfw load, then bootefi (EFI stub) or booti
        """
    static let runs: [@convention(thin) ([[UInt8]]) -> Void] = [
        help, version, el, dt, md, poweroff, reset, ffa, armffa, printenv,
        setenv, printenvPlain, setenvPlain, varinfo, booti, qfw, bootefi, bootCommand,
    ]

    /// Calls `body` with each command, the product's then the build's (ImageExtensions), until
    /// it returns false. One literal table: no concatenation at boot.
    static func each(_ body: (Command) -> Bool) {
        for i in 0..<runs.count where !body(Command(text: NameList.entry(texts, i), run: runs[i])) { return }
        for c in ImageExtensions.commands where !body(c) { return }
    }

    static func usage(_ c: StaticString) {
        c.withUTF8Buffer { name in
            each { command in
                if command.named(name) { Console.write("usage: "); command.write(0, command.usageEnd); Console.put(10) }
                return true
            }
        }
    }

    /// Rejects extra arguments for commands that take none.
    static func noArguments(_ args: [[UInt8]], _ name: StaticString) -> Bool {
        if args.count == 1 { return true }
        Console.write("'"); Console.write(name); Console.line("' takes no arguments")
        return false
    }

    static func help(_ args: [[UInt8]]) {
        each { c in
            let usage = c.usageEnd
            Console.write("  "); c.write(0, usage)
            if usage < 44 {
                for _ in usage..<44 { Console.put(32) }
            } else {
                Console.write("\n      ")
            }
            c.write(min(usage + 1, c.text.utf8CodeUnitCount), c.text.utf8CodeUnitCount); Console.put(10)
            return true
        }
    }

    static func version(_ args: [[UInt8]]) {
        guard noArguments(args, "version") else { return }
        Console.line("swift-ffa-firmware 0.1.0 normal world (Embedded Swift, AArch64)")
        Console.line("FF-A 1.2 client, EDK2 MM variable protocol, SMCCC 1.2")
    }

    static func el(_ args: [[UInt8]]) {
        guard noArguments(args, "el") else { return }
        Console.write("EL"); Console.dec(UInt64(boot.shellEL))
        if boot.shellEL != boot.entryEL { Console.write(" (entered at EL"); Console.dec(UInt64(boot.entryEL)); Console.write(", EL2 stub below)") }
        Console.put(10)
    }

    static func dt(_ args: [[UInt8]]) {
        guard noArguments(args, "dt") else { return }
        // The tree read again where it lies for what it names; the ranges and choices made at boot.
        let read = withBootTree { fdt in
            Console.hex0x("DTB at ", boot.dtbAddress); Console.write(", version ")
            Console.dec(UInt64(fdt.version)); Console.write(", "); Console.dec(UInt64(fdt.totalSize)); Console.line(" bytes")
            if let m = fdt.modelText() { Console.write("model: "); Console.bytes(m); Console.put(10) }
            fdt.forEachRootCompatible { c in Console.write("compatible: "); Console.bytes(c); Console.put(10) }
            for r in bootSummary?.memory ?? [] {
                Console.hex0x("memory: ", r.base); Console.hex0x(" size ", r.size); Console.put(10)
            }
            Console.write("console: ")
            let console = boot.console
            if let u = console.uart { Console.write(u.kind.name); Console.hex0x(" at ", u.base) } else { Console.write("none found") }
            if let p = fdt.stdoutPathText() { Console.write(" (stdout-path "); Console.bytes(p); Console.write(")") }
            if console.source == .fallbackNoStdoutPath || console.source == .fallbackUnsupported { Console.write(" (fallback)") }
            Console.put(10)
            Console.write("fw_cfg: ")
            if let f = FwCfg.base { Console.hex0x(f); Console.put(10) } else { Console.line("none") }
            Console.hex0x("MM buffer: ", NSSharedBuffer.base); Console.hex0x(" size ", UInt64(NSSharedBuffer.bytes))
            Console.line(fdt.mmBuffer() == nil ? " (default: no /reserved-memory/mm-buffer)" : " (/reserved-memory)")
            Console.write("timer: "); Console.dec(hw_read_cntfrq()); Console.line(" Hz (CNTFRQ_EL0)")
            Console.hex0x("image: loaded at ", boot.loadAddress); Console.put(10)
            Console.write("psci: ")
            switch boot.psci {
            case .smc?: Console.line("method smc")
            case .hvc?: Console.line("method hvc")
            default: Console.line("none")
            }
            _ = reservedRegions(fdt, print: true)
        }
        if !read { Console.line("no usable device tree (none at boot, outside mapped RAM, or no longer valid)") }
    }

    /// U-Boot's `md`: addresses and counts in hex, one 32-bit read a word (device registers
    /// too, with their read side effects). Where nothing answers, it says so and stops
    /// (MemoryProbe) rather than stopping the machine as U-Boot's does.
    static func md(_ args: [[UInt8]]) {
        guard args.count == 2 || args.count == 3 else { usage("md"); return }
        do throws(ShellArgumentError) {
            let address = try ShellNumber.parseHex(args[1]) & ~3
            let words = args.count == 3 ? min(try ShellNumber.parseHex(args[2]), 0x1000) : 16
            var i: UInt64 = 0
            while i < words {
                let at = address &+ 4 &* i   // past 2^64 it wraps, as the hardware's address does
                if i % 4 == 0 { Console.hex(at, digits: 8); Console.write(":") }
                guard let word = MemoryProbe.read32(at) else {
                    Console.hex0x("\nmd: nothing answers at ", at); Console.put(10); return
                }
                Console.put(32); Console.hex(UInt64(word), digits: 8)
                i += 1
                if i % 4 == 0 || i == words { Console.put(10) }
            }
        } catch {
            Console.line("md: bad number")
        }
    }

    static func poweroff(_ args: [[UInt8]]) { psci(args, "poweroff", 0x8400_0008, "SYSTEM_OFF", "Powering off...") }

    static func reset(_ args: [[UInt8]]) { psci(args, "reset", 0x8400_0009, "SYSTEM_RESET", "Resetting...") }

    /// `poweroff` and `reset`: a PSCI call that does not return where there is PSCI.
    @inline(never)   // one copy for the two commands
    static func psci(_ args: [[UInt8]], _ name: StaticString, _ function: UInt32, _ call: StaticString, _ doing: StaticString) {
        guard noArguments(args, name) else { return }
        guard boot.psci != nil else { Console.write(name); Console.line(": cannot, the device tree has no /psci"); return }
        Console.line(doing)
        PSCI.call(function)
        Console.write("PSCI "); Console.write(call); Console.line(" returned: no PSCI here")
    }
}
