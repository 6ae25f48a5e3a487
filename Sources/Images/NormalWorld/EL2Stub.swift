import Hardware
import Platform

@_extern(c, "el2_enter_el1") func el2_enter_el1(_ stack: UInt64, _ arg: UInt64)
/// Startup/smccc.S: x0-x17 from an 18-word block, `smc #0`, x0-x17 back into it.
@_extern(c, "smccc_smc") func smccc_smc_block(_ block: UnsafeMutableRawPointer)
@_extern(c, "dcache_clean_invalidate_range_poc") func dcache_clean_invalidate_range_poc(_ start: UInt64, _ length: UInt64)
@_extern(c, "__stack_el1_top") nonisolated(unsafe) var __stack_el1_top: UInt8

/// When entered at EL2 and asked to (QEMU `-fw_cfg name=opt/swiftfw/el2-stub,string=hvc`), the
/// image keeps a minimal EL2 below itself and runs the shell at EL1, as a guest under a hypervisor
/// would: FF-A and other SMCCC calls made with `hvc` at EL1 are forwarded to EL3 with `smc`.
/// The proof build adds modes of its own (ImageExtensions.el2StubTraps).
enum EL2Stub {
    static let HCR_RW: UInt64 = 1 << 31

    /// The HCR_EL2 traps fw_cfg asks for (none for "hvc"), read with the MMU off at EL2; nil
    /// when the stub is not wanted.
    static func requestedTraps() -> UInt64? {
        guard let v = FwCfg.file("opt/swiftfw/el2-stub") else { return nil }
        if v.count >= 3 && v[0] == 0x68 && v[1] == 0x76 && v[2] == 0x63 { return 0 }  // "hvc"
        return ImageExtensions.el2StubTraps(v)
    }

    /// Drops to EL1 at `normal_el1_main` with the EL2 vectors in place; does not return. EL2
    /// stays on its early map (Entry.swift); EL1 starts with its MMU off, so what EL2 wrote
    /// through the caches goes to memory first, and no line EL1 would later hit stale stays.
    static func enter(traps: UInt64, dtb: UInt64) {
        hw_write_hcr_el2(HCR_RW | traps)
        hw_isb()
        let start = ImageMap.imageStart
        dcache_clean_invalidate_range_poc(start, ImageMap.address(unsafe UnsafeMutableRawPointer(&__early_pagetables_end)) - start)
        let stack = UInt64(UInt(bitPattern: unsafe UnsafeMutableRawPointer(&__stack_el1_top)))
        el2_enter_el1(stack, dtb)
    }

    /// A synchronous exception from EL1: an `hvc` to forward. Returns false for anything else
    /// (the caller offers it to the build's extensions, then prints a crash report).
    static func handleLowerSync(_ frame: ExceptionFrame) -> Bool {
        guard frame.exceptionClass == 0x16 else { return false }
        // HVC from AArch64: forward x0..x17 to EL3 (ELR already points past the hvc). The
        // frame's first 18 words are x0..x17 (Startup/exception_frame.inc): the SMCCC block
        // itself, so the call reads and writes them in place.
        unsafe smccc_smc_block(UnsafeMutableRawPointer(frame.base))
        return true
    }
}

@_cdecl("normal_el1_main")
public func normal_el1_main(_ dtb: UInt64) -> Never {
    enableEarlyMap(el: 1, pool: 1)   // first: EL1 runs with its MMU off until then
    addEarlyDevices()
    boot.shellEL = 1
    enableIdentityMap(el: 1)
    Console.line("normal: shell at EL1 behind the EL2 stub")
    ImageExtensions.shellAtEL1()
    SystemConduit.select(el2Stub: true)
    FFA.start()
    EFIVariables.start()
    Shell.run()
}
