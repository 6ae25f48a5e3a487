import DeviceTree
import Driver
import Hardware
import MM
import MMU
import Platform
import Variables

@_extern(c, "__rtcaller_start") nonisolated(unsafe) var __rtcaller_start: UInt8
@_extern(c, "__rtcaller_stop") nonisolated(unsafe) var __rtcaller_stop: UInt8
@_extern(c, "__rt_pagetables_start") nonisolated(unsafe) var __rt_pagetables_start: UInt8

extension Commands {
    static let exitbsCommand = Command(
        text: "exitbs [probe]\tproof: ExitBootServices, then a test OS calls the runtime services", run: exitbs)

    static func exitbs(_ args: [[UInt8]]) {
        let probe = args.count == 2 && matches(args[1], "probe")
        guard args.count == 1 || probe else { usage("exitbs"); return }
        ExitBootServices.run(probeBootCode: probe)
    }
}

extension ImageMap {
    static var callerStart: UInt64 { address(unsafe UnsafeMutableRawPointer(&__rtcaller_start)) }
    static var callerStop: UInt64 { address(unsafe UnsafeMutableRawPointer(&__rtcaller_stop)) }

    /// The runtime region's code and the runtime caller: executable after ExitBootServices.
    static var runtimeCode: [Region] {
        [Region(base: runtimeStart, size: runtimeData - runtimeStart, .code),
         Region(base: callerStart, size: callerStop - callerStart, .code)]
    }
}

/// `exitbs` (proof build): what the firmware does at ExitBootServices, then a test OS
/// (RuntimeCaller) proves the variable services work with only the runtime region executable.
/// The product's ExitBootServices is bootefi's boot service (UEFIBoot.exitBootServices), which
/// Linux booted through bootefi calls (`make test-linux`).
enum ExitBootServices {
    nonisolated(unsafe) static var done = false

    static func run(probeBootCode: Bool) {
        if !done && !UEFIBoot.exited {
            EFIVariables.with { c in
                let s = c.exitBootServices()
                Console.write("exitbs: MM EXIT_BOOT_SERVICE: "); Console.line(s.name)
            }
            FFA.with { d throws(FFADriverError) in
                try d.unmapRXTX()
                Console.line("exitbs: FFA_RXTX_UNMAP done (the OS maps its own pair)")
            }
            RuntimeTables.finish()
            done = true
        }
        let table = unsafe UnsafeMutableRawPointer(&efi_runtime_services)
        let props = unsafe UnsafeMutableRawPointer(&efi_rt_properties_table)
        Console.hex0x("exitbs: runtime services table at ", address(table))
        Console.hex0x(", RT properties ", UInt64(unsafe props.load(fromByteOffset: 4, as: UInt32.self)))
        Console.hex0x(", runtime region ", address(unsafe UnsafeMutableRawPointer(&__efi_runtime_start)))
        Console.hex0x("-", address(unsafe UnsafeMutableRawPointer(&__efi_runtime_stop))); Console.put(10)

        RuntimeCaller.runIsolated(runtimeRoot: runtimeTables(), bootRoot: bootTables?.root ?? 0, el: boot.shellEL,
                                  table: UnsafeRawPointer(table), probeBootCode: probeBootCode)
        RuntimeCaller.report()
    }

    /// The map an OS leaves the firmware after ExitBootServices: the runtime region's code and
    /// the caller's own code executable (read-only); all RAM (data, MM buffer) readable and writable but never
    /// executable; the console UART; nothing else.
    static func runtimeTables() -> UInt64 {
        var t = TranslationTables(pool: unsafe UnsafeMutableRawPointer(&__rt_pagetables_start), pages: 32,
                                  regime: Regime(el: boot.shellEL))
        for r in bootMemory() { _ = t.map(r.base, r.size, .readWrite) }
        _ = t.map(ImageMap.runtimeCode)
        if let uart = Console.uart.base { _ = t.map(uart & ~0xFFF, 0x1000, .device) }
        return t.root
    }
}
