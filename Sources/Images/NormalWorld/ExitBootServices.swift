import DeviceTree
import Driver
import Hardware
import MM
import MMU
import Platform
import Variables

@_extern(c, "efi_runtime_services") nonisolated(unsafe) var efi_runtime_services: UInt64
@_extern(c, "efi_rt_properties_table") nonisolated(unsafe) var efi_rt_properties_table: UInt64
@_extern(c, "__efi_runtime_start") nonisolated(unsafe) var __efi_runtime_start: UInt8
@_extern(c, "__efi_runtime_stop") nonisolated(unsafe) var __efi_runtime_stop: UInt8
@_extern(c, "__rtcaller_start") nonisolated(unsafe) var __rtcaller_start: UInt8
@_extern(c, "__rtcaller_stop") nonisolated(unsafe) var __rtcaller_stop: UInt8
@_extern(c, "__rt_pagetables_start") nonisolated(unsafe) var __rt_pagetables_start: UInt8

func address(_ p: UnsafeMutableRawPointer) -> UInt64 { UInt64(UInt(bitPattern: p)) }

/// `exitbs`: what the firmware does at ExitBootServices, then a runtime caller proves the
/// variable services work with only the runtime region executable.
enum ExitBootServices {
    nonisolated(unsafe) static var done = false
    nonisolated(unsafe) static var bootRoot: UInt64 = 0

    static func run(probeBootCode: Bool) {
        if !done {
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

        RuntimeCaller.runIsolated(runtimeRoot: runtimeTables(), bootRoot: bootRoot, el: boot.shellEL,
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
