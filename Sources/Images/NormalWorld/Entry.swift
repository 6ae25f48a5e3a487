import Boot
import DeviceTree
import Hardware
import MMU
import Platform

@_extern(c, "__pagetables_start") nonisolated(unsafe) var __pagetables_start: UInt8
@_extern(c, "__image_start") nonisolated(unsafe) var __image_start: UInt8
@_extern(c, "__pagetables_end") nonisolated(unsafe) var __pagetables_end: UInt8
@_extern(c, "__early_pagetables_start") nonisolated(unsafe) var __early_pagetables_start: UInt8
@_extern(c, "__early_pagetables_end") nonisolated(unsafe) var __early_pagetables_end: UInt8

/// What the normal world learned at boot; the shell reads it.
struct BootInfo {
    var entryEL: Int = 0
    var shellEL: Int = 0
    var dtbAddress: UInt64 = 0
    var dtbError = false
    var psci: DeviceTree.PSCIMethod? = nil
    /// /psci's method, else OP-TEE's: what FF-A's conduit is chosen from.
    var smccc: DeviceTree.PSCIMethod? = nil
    var console = ConsoleChoice.withoutDeviceTree
    /// Where this image runs (Startup/normal_entry.S relocated it there).
    var loadAddress: UInt64 = 0
}

nonisolated(unsafe) var boot = BootInfo()

/// The ranges the DTB gave at boot, kept for the loaders and the memory map. What only `dt`
/// shows (the model, names, stdout-path) is read again from the tree where it lies
/// (`withBootTree`): no arrays of names built at boot.
struct BootTree {
    var totalSize: Int
    var memory: [FDTRegion]
    /// `/reserved-memory`'s regions (`reservedRegions`).
    var reserved: [FDTRegion]
    /// The memory reservation block's entries.
    var reservationMap: [FDTRegion]
}

/// What the DTB says, once read; nil without a usable one. A global of its own, not a field of
/// `boot`: nil is all zero bytes (.bss), where `boot`'s enum defaults put it in the image's .data.
nonisolated(unsafe) var bootSummary: BootTree? = nil

/// RAM from the DTB; the board's default RAM when the DTB says nothing. Read from `boot` in
/// place: a getter on BootInfo would copy all of it at each use.
@inline(never)
func bootMemory() -> [FDTRegion] {
    let m = bootSummary?.memory ?? []
    return m.isEmpty ? [BoardDefaults.ram] : m
}
/// The boot map, which bootefi extends (a loaded EFI image must be executable).
nonisolated(unsafe) var bootTables: TranslationTables? = nil
/// The RAM ranges the identity map mapped as Normal memory: the only RAM the loaders, UEFI's
/// memory map and `setenv -e -i` use (a range the map refused would fault at the first touch).
nonisolated(unsafe) var mappedRAM: [FDTRegion] = []

/// Called by Startup/normal_entry.S, relocated to where it runs, with the loader's x0 (DTB) and
/// the current EL.
@_cdecl("normal_main")
public func normal_main(_ x0: UInt64, _ el: UInt64) -> Never {
    boot.entryEL = Int(el)
    boot.shellEL = Int(el)
    boot.loadAddress = ImageMap.imageStart
    boot.dtbAddress = findDeviceTree(x0)
    enableEarlyMap(el: Int(el), pool: 0)
    readDeviceTree()
    addEarlyDevices()
    useConsole(boot.console)
    Console.write("\nnormal: Swift firmware entered at EL"); Console.dec(UInt64(el))
    Console.hex0x(", loaded at ", boot.loadAddress)
    Console.hex0x(", DTB at ", boot.dtbAddress); Console.put(10)
    if boot.dtbError { Console.line("normal: the DTB is malformed or has too many nodes; using QEMU virt defaults") }
    let footprint = KernelLoader.firmware
    if boot.dtbAddress >= footprint.base && boot.dtbAddress - footprint.base < footprint.size {
        Console.line("normal: the DTB lies inside this image's image_size: the heap and tables will overwrite it")
    }
    describeConsole(boot.console)
    if el == 2, let traps = EL2Stub.requestedTraps() {
        EL2Stub.enter(traps: traps, dtb: boot.dtbAddress)   // EL2 keeps its early map
    }
    enableIdentityMap(el: Int(el))
    Console.line("normal: MMU and caches on")
    SystemConduit.select(el2Stub: false)
    FFA.start()
    EFIVariables.start()
    Shell.run()
}

/// The early map (Platform/EarlyMap.swift) while it is on: this image and the DTB, then the
/// console and fw_cfg pages.
nonisolated(unsafe) var earlyTables: TranslationTables? = nil

/// The MMU on (EarlyMap) before the DTB is read: from here on nothing but Platform and MMU code,
/// built with strict alignment, runs with the MMU off. Pool 0 serves the entry EL, pool 1 EL1
/// behind the EL2 stub (whose EL2 keeps pool 0). A DTB the map cannot take is not read.
/// Called with the MMU off: aligned word loads of the DTB header only.
func enableEarlyMap(el: Int, pool: Int) {
    let pools = unsafe UnsafeMutableRawPointer(&__early_pagetables_start)
    let end = ImageMap.address(unsafe UnsafeMutableRawPointer(&__early_pagetables_end))
    let pages = Int(end - ImageMap.address(pools)) / 4096 / 2
    var dtbEnd = boot.dtbAddress
    if dtbEnd != 0, let p = UnsafePointer<UInt32>(bitPattern: UInt(boot.dtbAddress)) {
        dtbEnd += min(UInt64(unsafe p[1].byteSwapped), BoardDefaults.dtbSlot)
    }
    earlyTables = EarlyMap.enable(el: el, pool: unsafe pools + pool * pages * 4096, pages: pages, imageStart: ImageMap.imageStart,
                                  imageEnd: end, dataStart: boot.dtbAddress, dataEnd: dtbEnd)
    guard let t = earlyTables else { halt() }   // the image alone does not fit the pool: a link-time mistake
    if dtbEnd != 0 && t.lookup((dtbEnd - 1) & ~0xFFF) == nil { boot.dtbAddress = 0 }   // not mapped: not read
}

/// The console's and fw_cfg's pages into the early map, once the DTB has named them.
func addEarlyDevices() {
    guard earlyTables != nil else { return }
    if let u = boot.console.uart { EarlyMap.addDevice(&earlyTables!, u.base) }
    if let f = FwCfg.base { EarlyMap.addDevice(&earlyTables!, f) }
}

/// x0 when it points at a DTB, else the base of RAM where QEMU places one for ELF payloads.
func findDeviceTree(_ x0: UInt64) -> UInt64 {
    func looksLikeDTB(_ a: UInt64) -> Bool {
        // The magic as one aligned word load (the MMU is off: Device memory, aligned accesses only).
        guard a != 0, a & 7 == 0, let p = UnsafePointer<UInt32>(bitPattern: UInt(a)) else { return false }
        return unsafe p.pointee == FDT.magic.bigEndian
    }
    if looksLikeDTB(x0) { return x0 }
    return looksLikeDTB(BoardDefaults.dtb) ? BoardDefaults.dtb : 0
}

@inline(never) func readDeviceTree() {
    guard boot.dtbAddress != 0, let start = UnsafeRawPointer(bitPattern: UInt(boot.dtbAddress)) else {
        // No tree at all: QEMU virt as it was before device trees (PL011, fw_cfg).
        boot.dtbError = true; FwCfg.base = BoardDefaults.fwCfg; return
    }
    let total = unsafe start.load(fromByteOffset: 4, as: UInt32.self).byteSwapped
    let length = Int(min(UInt64(total), BoardDefaults.dtbSlot))
    do throws(FDTError) {
        let fdt = try FDT(unsafe UnsafeRawBufferPointer(start: start, count: length))
        boot.psci = fdt.psciMethod()
        boot.smccc = fdt.smcccMethod()
        boot.console = fdt.consoleChoice()
        FwCfg.base = fdt.fwCfgBase()
        if let b = fdt.mmBuffer() { NSSharedBuffer.place(base: b.base, size: b.size) }
        bootSummary = BootTree(totalSize: fdt.totalSize, memory: fdt.memoryRanges(),
                               reserved: reservedRegions(fdt, print: false), reservationMap: fdt.reservationMap())
    } catch {
        boot.dtbError = true
    }
}

/// `/reserved-memory`'s regions of `fdt`, listed, or (`dt`) printed with their names: one
/// walk for both (each closure given to `forEachReservedRegion` gets a copy of the walk).
@inline(never) func reservedRegions(_ fdt: FDT, print: Bool) -> [FDTRegion] {
    var list: [FDTRegion] = []
    fdt.forEachReservedRegion { node, r, noMap in
        guard print else { FDTRegion.append(r, to: &list); return }
        Console.write("reserved: "); Console.bytes(fdt.nameText(of: node)); Console.hex0x(" ", r.base)
        Console.hex0x(" size ", r.size); Console.line(noMap ? " no-map" : "")
    }
    return list
}

/// `body` with the boot DTB, read again where it lies at its size now (validated again: nothing
/// is assumed of memory since boot, and an EFI application may have edited the tree). False,
/// without a call, when it was not usable at boot or it does not lie in RAM the identity map
/// mapped as Normal memory (outside RAM, or RAM the map refused), which its reads need.
@inline(never) func withBootTree(_ body: (FDT) -> Void) -> Bool {
    guard bootSummary != nil, BootPlan.inRAM(FDTRegion(base: boot.dtbAddress, size: 8), KernelLoader.memory),
          let start = UnsafeRawPointer(bitPattern: UInt(boot.dtbAddress)) else { return false }
    let total = UInt64(unsafe start.load(fromByteOffset: 4, as: UInt32.self).byteSwapped)
    let length = min(total, BoardDefaults.dtbSlot)
    guard BootPlan.inRAM(FDTRegion(base: boot.dtbAddress, size: length), KernelLoader.memory) else { return false }
    do throws(FDTError) {
        body(try FDT(unsafe UnsafeRawBufferPointer(start: start, count: Int(length))))
        return true
    } catch {
        return false
    }
}

/// The console's UART from the device tree's choice (DeviceTree/FDTConsole.swift).
func useConsole(_ choice: ConsoleChoice) {
    guard let u = choice.uart else { Console.uart = .none; return }
    switch u.kind {
    case .pl011: Console.uart = .pl011(PL011(base: u.base))
    case .ns16550: Console.uart = .ns16550(NS16550(base: u.base, regShift: u.regShift, regIOWidth: u.regIOWidth))
    case .cadence:
        let c = CadenceUART(base: u.base)
        c.enable()
        Console.uart = .cadence(c)
    }
}

func describeConsole(_ choice: ConsoleChoice) {
    guard let u = choice.uart else { return }
    Console.write("normal: console "); Console.write(u.kind.name); Console.hex0x(" at ", u.base)
    switch choice.source {
    case .stdoutPath: Console.line(" (stdout-path)")
    case .fallbackNoStdoutPath: Console.line(" (no usable stdout-path: first UART we drive)")
    case .fallbackUnsupported: Console.line(" (stdout-path names a UART we do not drive: first one we do)")
    case .noDeviceTree: Console.line(" (no device tree: QEMU virt's)")
    case .none: Console.put(10)
    }
}

/// Identity map: the low 4 GiB (devices wherever a board puts them) as Device-nGnRnE, then all
/// RAM from the DTB (any number of ranges, anywhere below 2^48) as normal write-back memory,
/// read/write and execute-never but for this image's code (ImageMap), then the console and
/// fw_cfg pages as device memory wherever they are. No WXN: what this firmware loads next may
/// need its own rules.
func enableIdentityMap(el: Int) {
    var tables = TranslationTables(pool: unsafe UnsafeMutableRawPointer(&__pagetables_start), pages: 64,
                                   regime: Regime(el: el))
    _ = tables.map(0, 0x1_0000_0000, .device)
    let memory = bootMemory()
    for r in memory {
        if tables.map(r.base, r.size, .readWrite) {
            FDTRegion.append(r, to: &mappedRAM)
            continue
        }
        Console.hex0x("normal: RAM ", r.base); Console.hex0x(" size ", r.size)
        Console.line(" not (fully) mapped: unaligned, above 2^48 or out of table pages")
    }
    // After RAM: a /memory that covers a device (QEMU's zcu102 with -m 4G) must not make it cacheable.
    if let d = Console.uart.base { _ = tables.map(d & ~0xFFF, 0x1000, .device) }
    if let d = FwCfg.base { _ = tables.map(d & ~0xFFF, 0x1000, .device) }
    if !ImageMap.mapBoot(&tables) { Console.line("normal: the image's W^X map does not fit its tables") }
    if earlyTables != nil { MMUControl.replace(el: el, with: tables) } else { MMUControl.enable(el: el, tables: tables, wxn: false) }
    earlyTables = nil
    bootTables = tables
    // AT S1ExW: the image's text and read-only data refuse writes, its data takes them.
    let wx = MMUControl.writeFaults(el: el, ImageMap.imageStart) && MMUControl.writeFaults(el: el, ImageMap.textEnd)
        && !MMUControl.writeFaults(el: el, ImageMap.rodataEnd)
    Console.line(wx ? "normal: image W^X (text read-only, data execute-never)" : "normal: image W^X check FAILED")
}

@_cdecl("normal_exception_el1")
public func normal_exception_el1(_ frame: UnsafeMutablePointer<UInt64>, _ kind: UInt64) {
    if MemoryProbe.resume(ExceptionFrame(frame)) { return }
    if ImageExtensions.handleException(ExceptionFrame(frame), kind: kind, el: 1) { return }
    crash(ExceptionFrame(frame), kind: kind, el: 1)
}

@_cdecl("normal_exception_el2")
public func normal_exception_el2(_ frame: UnsafeMutablePointer<UInt64>, _ kind: UInt64) {
    if kind == 8 && EL2Stub.handleLowerSync(ExceptionFrame(frame)) { return }
    if MemoryProbe.resume(ExceptionFrame(frame)) { return }
    if ImageExtensions.handleException(ExceptionFrame(frame), kind: kind, el: 2) { return }
    crash(ExceptionFrame(frame), kind: kind, el: 2)
}
