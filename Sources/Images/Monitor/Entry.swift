import ABI
import Hardware
import Platform
import SecureMonitor
import SPMC

nonisolated(unsafe) var bl33Bytes: UInt64 = 0

/// Cleans [start, start+length) to the point of coherency (Startup/cache_by_va.S).
@_extern(c, "dcache_clean_range_poc")
func dcache_clean_range_poc(_ start: UInt64, _ length: UInt64)

/// Called by Startup/monitor_entry.S on the boot core, running from secure SRAM at EL3.
@_cdecl("monitor_main")
public func monitor_main() -> Never {
    Console.uart = .pl011(PL011(base: QEMUVirt.uart0))
    Console.line("\nsecure: EL3 monitor copied from flash to secure SRAM")
    GIC.initialise()   // before the MMU: MMIO with the MMU off is Device-nGnRnE

    MemoryMap.enableBootMap()
    CPUFeatures.configureTraps()
    Console.line("secure: MMU and caches on, identity map")

    let dtbReady = DeviceTreeFixup.apply()
    dcache_clean_range_poc(QEMUVirt.dtb, dtbReady.written)   // BL33 reads it with its MMU off
    let ram = MemoryMap.mapNormalWorldMemory(dtbReady.memory)
    Dispatch.setUp(nonSecureMemory: ram.accepted)
    if !Dispatch.spmc.config.mmBufferIsInNonSecureMemory {
        Console.write("secure: the MM buffer "); Console.hex0x(QEMUVirt.mmBuffer, digits: 8)
        Console.line(" is not in normal-world RAM; MM calls cannot work")
    }

    // Only the image's own bytes (its header says how many), not the whole flash slot.
    let partitionBytes = PartitionImage.sizeInFlash()
    if let count = partitionBytes {
        copy(from: QEMUVirt.partitionInFlash, to: QEMUVirt.partitionBase, count: count)
        dcache_clean_range_poc(QEMUVirt.partitionBase, count)  // run with its MMU off first
        Console.write("secure: MM partition 0x8001 loaded at "); Console.hex0x(QEMUVirt.partitionBase, digits: 8)
        Console.write(", "); Console.dec(count); Console.line(" bytes")
    } else {
        Dispatch.runLoop!.partitionFailedToStart(Endpoint.mmPartition)
    }

    guard let bl33Size = loadBL33(into: ram) else {
        Console.line("secure: no BL33 payload in flash (run `make` to pack one); halting")
        halt()
    }
    Console.write("secure: BL33 loaded at "); Console.hex0x(QEMUVirt.bl33Base, digits: 8); Console.write(", "); Console.dec(bl33Size); Console.line(" bytes")
    bl33Bytes = bl33Size

    normalContext.elr = QEMUVirt.bl33Base
    normalContext.spsr = CPUFeatures.hasEL2 ? 0x3C9 : 0x3C5   // EL2h or EL1h, DAIF masked
    normalContext.scr = CPUFeatures.scr(nonSecure: true)
    normalContext.sctlrEL1 = 0x30D0_0800                      // architectural reset value, MMU off
    unsafe normalContext.registerBlock.pointee.x0 = QEMUVirt.dtb   // BL33's boot protocol: x0 = DTB

    partitionContext.elr = QEMUVirt.partitionBase
    partitionContext.spsr = 0x3C5                             // S-EL1h, DAIF masked
    partitionContext.scr = CPUFeatures.scr(nonSecure: false)
    partitionContext.sctlrEL1 = 0x30D0_0800

    guard partitionBytes != nil else {   // no partition to run: straight to BL33
        partitionBooted()
        monitor_enter_world(normalContext.base)
        halt()
    }
    Console.line("secure: entering the MM partition at S-EL1")
    monitor_enter_world(partitionContext.base)
    halt()
}

/// Copies `count` bytes (a multiple of 8) between 8-byte aligned physical addresses.
func copy(from src: UInt64, to dst: UInt64, count: UInt64) {
    // memcpy (Startup/string.S) moves 16 bytes a step.
    unsafe UnsafeMutableRawPointer(bitPattern: UInt(dst))!.copyMemory(from: UnsafeRawPointer(bitPattern: UInt(src))!,
                                                                       byteCount: Int(count))
}

/// Copies the BL33 payload named by its flash header to BL33's base; nil when there is none.
/// Halts when normal-world RAM does not hold it there (e.g. `-m 512M`).
@inline(never)   // a `make bench` boot mark (qemu/bench.py)
func loadBL33(into ram: NonSecureMemory) -> UInt64? {
    let header = unsafe UnsafePointer<UInt64>(bitPattern: UInt(QEMUVirt.bl33HeaderInFlash))!
    guard unsafe header[0] == QEMUVirt.bl33Magic else { return nil }
    let size = unsafe header[1]
    guard size > 0, size <= QEMUVirt.bl33FlashSlot else { return nil }
    guard ram.contains(QEMUVirt.bl33Base, size: (size + 7) & ~7) else {
        Console.write("secure: BL33 ("); Console.dec(size)
        Console.write(" bytes) does not fit normal-world RAM at "); Console.hex0x(QEMUVirt.bl33Base, digits: 8); Console.line("; halting")
        halt()
    }
    copy(from: QEMUVirt.bl33PayloadInFlash, to: QEMUVirt.bl33Base, count: (size + 7) & ~7)
    return size
}

/// An SMC (or an unexpected trap) from a lower EL: `context` is the caller's saved state, x0...x17
/// of which the services answer in place. Returns the context of the world to enter next. The
/// hot calls (`RunLoop.forward`: SMCCC arch calls, direct requests and responses) are answered
/// here, inline and without a stack frame; every other call goes to `call`, other traps to
/// `unservedTrap` (tail calls).
@c(monitor_handle_trap)
public func monitor_handle_trap(_ context: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
    guard (hw_read_esr_el3() >> 26) & 0x3F == 0x17 else { return unservedTrap(context) }
    guard let action = Dispatch.forward(from: context == partitionContext.base ? .partition(Endpoint.mmPartition) : .normal)
    else { return call(context) }
    return next(action, context)
}

/// The context to enter after `action`.
@inline(__always)
func next(_ action: MonitorAction, _ context: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
    switch action {
    case .returnToCaller: return context
    case .switchToPartition: return partitionContext.base
    case .switchToNormal: return normalContext.base
    default: return otherAction(action, context)
    }
}

/// Any SMC `forward` did not take.
@inline(never)
func call(_ context: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
    let fromPartition = context == partitionContext.base
    return next(Dispatch.dispatch(from: fromPartition ? .partition(Endpoint.mmPartition) : .normal), context)
}

/// Not an SMC: nothing the monitor serves. The caller gets the exception back, as its own EL
/// would have taken it (UNDEFINED; a routed external abort stays an abort). The MM partition's
/// vectors then report it and end it with FFA_ABORT.
@inline(never) @_optimize(none)   // rare; kept as is so that the trap entry can tail-call it
func unservedTrap(_ context: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
    let fromPartition = context == partitionContext.base
    TrapInjection.inject(into: fromPartition ? partitionContext : normalContext,
                         world: fromPartition ? .partition(Endpoint.mmPartition) : .normal,
                         esr: hw_read_esr_el3(), far: hw_read_far_el3())
    return context
}

/// The actions that are not a plain return or world switch: the partition's end, power.
@inline(never)
func otherAction(_ action: MonitorAction, _ context: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
    switch action {
    case .returnToCaller:
        return context
    case .switchToPartition:
        return partitionContext.base
    case .switchToNormal:
        return normalContext.base
    case .partitionAborted:
        Console.line("\n*** secure: the MM partition reported a fatal error (FFA_ABORT)")
        Console.line("secure: partition 0x8001 aborted; requests to it are answered ABORTED")
        return normalContext.base
    case .partitionInitialised, .partitionFailed:
        partitionBooted()
        // The normal world's first entry: bit 0 asks lower_sync to load its kept EL1
        // registers too (world_context.h).
        return normalContext.base + 1
    case .systemOff:
        Console.line("secure: PSCI SYSTEM_OFF")
        Power.off()
    case .systemReset:
        Console.line("secure: PSCI SYSTEM_RESET")
        Power.reset()
    }
}

/// The MM partition's state (the image runs one).
func mmPartitionRuntime() -> PartitionRuntime? {
    Dispatch.spmc.runtime(of: Endpoint.mmPartition)
}

/// The partition ended its initialisation: log how, then boot BL33.
@inline(never)
func partitionBooted() {
    let runtime = mmPartitionRuntime()
    if runtime == .aborted {
        Console.line("\n*** secure: the MM partition reported a fatal error (FFA_ABORT)")
    }
    Console.write("secure: partition "); Console.hex0x(UInt64(Endpoint.mmPartition))
    Console.line(runtime == .waiting ? " initialised" : runtime == .aborted ? " aborted during initialisation; booting without it" : " failed to initialise")
    Console.write("secure: entering BL33 at "); Console.hex0x(QEMUVirt.bl33Base, digits: 8); Console.put(10)
    dcache_clean_range_poc(QEMUVirt.bl33Base, bl33Bytes)
}

@_cdecl("monitor_crash")
public func monitor_crash(_ frame: UnsafeMutablePointer<UInt64>, _ kind: UInt64) {
    crash(ExceptionFrame(frame), kind: kind, el: 3)
}
