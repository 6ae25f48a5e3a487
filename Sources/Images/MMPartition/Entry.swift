import ABI
import Board
import Hardware
import MM
import MMU
import PartitionBoot
import Platform
import Variables

/// The partition's view of the platform (the rest of the map belongs to others). Built in for
/// our monitor, which passes no boot information (board.h through PartitionLayout.qemuVirt);
/// under an SPMC that follows the FF-A boot protocol the manifest's regions replace them at the
/// first entry (BootInformation.swift).
enum PartitionMap {
    static let image = UInt64(BOARD_PARTITION_BASE)
    static let imageSize = UInt64(BOARD_PARTITION_SIZE)
    nonisolated(unsafe) static var mmBuffer: UInt64 = PartitionLayout.qemuVirt.mmBuffer.base
    nonisolated(unsafe) static var mmBufferSize = Int(PartitionLayout.qemuVirt.mmBuffer.size)
    nonisolated(unsafe) static var variableStore: UInt64 = PartitionLayout.qemuVirt.variableStore.base
    nonisolated(unsafe) static var variableStoreSize = Int(PartitionLayout.qemuVirt.variableStore.size)
    static let flashBlock = Int(PartitionLayout.flashBlock)
    nonisolated(unsafe) static var secureUART: UInt64 = PartitionLayout.qemuVirt.secureUART
    static let devicePage = UInt64(BOARD_DEVICE_PAGE)
    /// Secure SRAM of QEMU virt: where boot information may be read from.
    static let secureRAM = (base: UInt64(BOARD_SECURE_SRAM_BASE), size: UInt64(BOARD_SECURE_SRAM_SIZE))

    static func use(_ layout: PartitionLayout) {
        mmBuffer = layout.mmBuffer.base
        mmBufferSize = Int(layout.mmBuffer.size)
        variableStore = layout.variableStore.base
        variableStoreSize = Int(layout.variableStore.size)
        secureUART = layout.secureUART
    }
}

@_extern(c, "__image_start") nonisolated(unsafe) var __image_start: UInt8
@_extern(c, "__text_end") nonisolated(unsafe) var __text_end: UInt8
@_extern(c, "__rodata_end") nonisolated(unsafe) var __rodata_end: UInt8
@_extern(c, "__pagetables_start") nonisolated(unsafe) var __pagetables_start: UInt8
@_extern(c, "__pagetables_end") nonisolated(unsafe) var __pagetables_end: UInt8
@_extern(c, "__early_pagetables_start") nonisolated(unsafe) var __early_pagetables_start: UInt8
@_extern(c, "__early_pagetables_end") nonisolated(unsafe) var __early_pagetables_end: UInt8

typealias Service = MMVariableHandler<FlashVariableLog<CFIFlash>>
nonisolated(unsafe) var service: Service? = nil
/// `service` is set (tested without copying the handler out of its optional).
nonisolated(unsafe) var serviceMounted = false

/// One FF-A call to the SPMC at EL3.
func ffa(_ r: Registers) -> Registers { smcCall(r) }

/// Called by Startup/partition_entry.S at S-EL1 with the entry's x0: FF-A boot information
/// (TF-A's EL3 SPMC) or 0 (our monitor). Reads the map (early map), then own translation tables
/// (own memory, the MM buffer as non-secure memory, the variable store's flash), mount the
/// store, then serve.
@_cdecl("partition_main")
public func partition_main(_ x0: UInt64) -> Never {
    // The MMU on first (Platform/EarlyMap.swift): the boot information is parsed from Normal
    // memory, and no code but Platform's and MMU's (strict alignment) runs with it off.
    let pool = unsafe UnsafeMutableRawPointer(&__early_pagetables_start)
    let poolEnd = address(unsafe UnsafeMutableRawPointer(&__early_pagetables_end))
    guard var early = EarlyMap.enable(el: 1, pool: pool, pages: Int(poolEnd - address(pool)) / 4096,
                                      imageStart: address(unsafe UnsafeMutableRawPointer(&__image_start)), imageEnd: poolEnd,
                                      dataStart: PartitionMap.secureRAM.base, dataEnd: PartitionMap.secureRAM.base + PartitionMap.secureRAM.size)
    else { crashEarly() }
    EarlyMap.addDevice(&early, PartitionMap.secureUART)   // crash reports
    let boot = readBootInformation(x0, imageBase: PartitionMap.image)
    if case .manifest(let layout, _, _, _) = boot { PartitionMap.use(layout) }
    EarlyMap.addDevice(&early, PartitionMap.secureUART)   // the manifest's, if another
    Console.uart = .pl011(PL011(base: PartitionMap.secureUART))
    logBootLayout(boot)
    if case .refused = boot {
        Messages.serve(ffa(Interface.failure(.invalidParameters).registers))
    }
    ConsoleLog.line(enablePartitionMMU() ? "mm: W^X at S-EL1: text read-only, data execute-never, SCTLR_EL1.WXN set"
                    : "mm: W^X check at S-EL1 failed (AT S1E1W or SCTLR_EL1 disagrees with the map)")

    CRC32Instructions.install()
    let flash = CFIFlash(base: PartitionMap.variableStore, size: PartitionMap.variableStoreSize,
                         eraseBlockSize: PartitionMap.flashBlock)
    var first: Registers
    do throws(PersistenceError) {
        let log = try mountStore(flash)
        let variables = log.variableCount, dropped = log.statistics.droppedRecords
        service = MMVariableHandler(store: VariableStore(persistence: log, verifier: .standard))  // built in place
        service!.store.log = { ConsoleLog.line("mm: ", $0) }
        ConsoleLog.line("mm: variable store mounted from flash")
        ConsoleLog.number("mm: non-volatile variables: ", UInt64(variables))
        ConsoleLog.number("mm: heap bytes in use: ", UInt64(heapBytesInUse()))
        if dropped > 0 { ConsoleLog.number("mm: records past the store's limits made obsolete: ", UInt64(dropped)) }
        scratch = .allocate(byteCount: PartitionMap.mmBufferSize, alignment: 16)  // the message copy's memory
        serviceMounted = true
        first = ffa(Interface.msgWait(retainRx: false).registers)
    } catch {
        ConsoleLog.line("mm: the variable store could not be mounted (flash error)")
        first = ffa(Interface.failure(.aborted).registers)
    }
    Messages.serve(first)
}

/// The store's mount, one function: `make bench` counts the boot up to it (qemu/bench.py).
@inline(never)
func mountStore(_ flash: CFIFlash) throws(PersistenceError) -> FlashVariableLog<CFIFlash> {
    try FlashVariableLog(flash: flash)
}

func address(_ p: UnsafeMutableRawPointer) -> UInt64 { UInt64(UInt(bitPattern: p)) }

/// Own translation tables: the image W^X (Linker/partition.ld), the MM buffer as non-secure
/// data, the variable store's flash and the secure UART as devices; MMU on with SCTLR_EL1.WXN.
/// Returns whether AT S1E1W and SCTLR_EL1 confirm the text is read-only and WXN is set.
func enablePartitionMMU() -> Bool {
    let image = ImageLayout(start: address(unsafe UnsafeMutableRawPointer(&__image_start)), textEnd: address(unsafe UnsafeMutableRawPointer(&__text_end)),
                            rodataEnd: address(unsafe UnsafeMutableRawPointer(&__rodata_end)), end: address(unsafe UnsafeMutableRawPointer(&__pagetables_end)))
    var tables = TranslationTables(pool: unsafe UnsafeMutableRawPointer(&__pagetables_start), pages: 16, regime: .el1)
    let mapped = image.isValid && tables.map(image)
        && tables.map(PartitionMap.mmBuffer, UInt64(PartitionMap.mmBufferSize), .readWrite, nonSecure: true)
        && tables.map(PartitionMap.variableStore, UInt64(PartitionMap.variableStoreSize), .device)
        && tables.map(PartitionMap.secureUART, PartitionMap.devicePage, .device)
    guard mapped else { crashEarly() }
    MMUControl.replace(el: 1, with: tables, wxn: true)   // from the early map (partition_main)
    return MMUControl.writeFaults(el: 1, image.start) && MMUControl.writeFaults(el: 1, image.textEnd)
        && !MMUControl.writeFaults(el: 1, image.rodataEnd) && MMUControl.wxnSet(el: 1)
}

/// The map did not fit its tables: a link-time mistake. Stop with a report the monitor logs.
func crashEarly() -> Never {
    Console.line("mm: the partition's map does not fit its tables; stopping")
    halt()
}

/// Any exception the partition takes at S-EL1 is fatal to it (an allocation that failed, a bad
/// access): it reports it, then tells the SPMC with FFA_ABORT (FF-A v1.3), which marks it
/// aborted and lets the machine go on without it. The SPMC never resumes an aborted partition.
/// An SPMC without FFA_ABORT (TF-A's EL3 SPMC) answers it with FFA_ERROR: then the partition
/// ends the request (or its initialisation) with FFA_ERROR(ABORTED) itself, and answers every
/// later request the same way.
@_cdecl("partition_exception")
public func partition_exception(_ frame: UnsafeMutablePointer<UInt64>, _ kind: UInt64) {
    // A fault while reporting one goes straight to the abort.
    if !reportingFault {
        reportingFault = true
        reportException(ExceptionFrame(frame), kind: kind, el: 1)
        Console.line("*** mm: fatal error; FFA_ABORT to the SPMC")
    }
    _ = ffa(Interface.abort(is64: false).registers)
    Console.line("*** mm: the SPMC does not support FFA_ABORT; every request is answered FFA_ERROR(ABORTED)")
    while true { _ = ffa(Interface.failure(.aborted).registers) }
}

nonisolated(unsafe) var reportingFault = false
