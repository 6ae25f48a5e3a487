import ABI
import Hardware
import MM
import MMU
import Platform
import Variables

/// The partition's view of the platform (the rest of the map belongs to others).
enum PartitionMap {
    static let image: UInt64 = 0x0E10_0000
    static let imageSize: UInt64 = 0x0050_0000
    static let mmBuffer: UInt64 = 0x4010_0000
    static let mmBufferSize = 0x1_0000
    static let variableStore: UInt64 = 0x03F0_0000
    static let variableStoreSize = 0x10_0000
    static let flashBlock = 0x4_0000
    static let secureUART: UInt64 = 0x0904_0000
}

@_extern(c, "__image_start") nonisolated(unsafe) var __image_start: UInt8
@_extern(c, "__text_end") nonisolated(unsafe) var __text_end: UInt8
@_extern(c, "__rodata_end") nonisolated(unsafe) var __rodata_end: UInt8
@_extern(c, "__pagetables_start") nonisolated(unsafe) var __pagetables_start: UInt8
@_extern(c, "__pagetables_end") nonisolated(unsafe) var __pagetables_end: UInt8

typealias Service = MMVariableHandler<FlashVariableLog<CFIFlash>>
nonisolated(unsafe) var service: Service? = nil

/// One FF-A call to the SPMC at EL3.
func ffa(_ r: Registers) -> Registers { smcCall(r) }

/// Called by Startup/partition_entry.S at S-EL1: own translation tables (own memory, the MM
/// buffer as non-secure memory, the variable store's flash), mount the store, then serve.
@_cdecl("partition_main")
public func partition_main() -> Never {
    Console.uart = PL011(base: PartitionMap.secureUART)
    ConsoleLog.line(enablePartitionMMU() ? "mm: W^X at S-EL1: text read-only, data execute-never, SCTLR_EL1.WXN set"
                    : "mm: W^X check at S-EL1 failed (AT S1E1W or SCTLR_EL1 disagrees with the map)")

    let flash = CFIFlash(base: PartitionMap.variableStore, size: PartitionMap.variableStoreSize,
                         eraseBlockSize: PartitionMap.flashBlock)
    var first: Registers
    do throws(PersistenceError) {
        let log = try FlashVariableLog(flash: flash)
        let handler = MMVariableHandler(store: VariableStore(persistence: log))
        ConsoleLog.line("mm: variable store mounted from flash")
        ConsoleLog.number("mm: non-volatile variables: ", UInt64(handler.store.persistence.variables.count))
        ConsoleLog.number("mm: heap bytes in use: ", UInt64(heapBytesInUse()))
        if handler.store.persistence.statistics.droppedRecords > 0 {
            ConsoleLog.number("mm: records past the store's limits made obsolete: ",
                              UInt64(handler.store.persistence.statistics.droppedRecords))
        }
        service = handler
        first = ffa(Registers(UInt64(FFAFunction.FFA_MSG_WAIT)))
    } catch {
        ConsoleLog.line("mm: the variable store could not be mounted (flash error)")
        first = ffa(.ffaError(.aborted))
    }
    Messages.serve(first)
}

func address(_ p: UnsafeMutableRawPointer) -> UInt64 { UInt64(UInt(bitPattern: p)) }

/// Own translation tables: the image W^X (Linker/partition.ld), the MM buffer as non-secure
/// data, the variable store's flash and the secure UART as devices; MMU on with SCTLR_EL1.WXN.
/// Returns whether AT S1E1W and SCTLR_EL1 confirm the text is read-only and WXN is set.
func enablePartitionMMU() -> Bool {
    let image = ImageLayout(start: address(unsafe UnsafeMutableRawPointer(&__image_start)), textEnd: address(unsafe UnsafeMutableRawPointer(&__text_end)),
                            rodataEnd: address(unsafe UnsafeMutableRawPointer(&__rodata_end)), end: address(unsafe UnsafeMutableRawPointer(&__pagetables_end)))
    var tables = TranslationTables(pool: unsafe UnsafeMutableRawPointer(&__pagetables_start), pages: 16, regime: .el1)
    let mapped = image.isValid && tables.map(image.regions + [
        Region(base: PartitionMap.mmBuffer, size: UInt64(PartitionMap.mmBufferSize), .readWrite, nonSecure: true),
        Region(base: PartitionMap.variableStore, size: UInt64(PartitionMap.variableStoreSize), .device),
        Region(base: PartitionMap.secureUART, size: 0x1000, .device),
    ])
    guard mapped else { crashEarly() }
    MMUControl.enable(el: 1, tables: tables, wxn: true)
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
@_cdecl("partition_exception")
public func partition_exception(_ frame: UnsafeMutablePointer<UInt64>, _ kind: UInt64) {
    // A fault while reporting one goes straight to the abort.
    if !reportingFault {
        reportingFault = true
        reportException(ExceptionFrame(frame), kind: kind, el: 1)
        Console.line("*** mm: fatal error; FFA_ABORT to the SPMC")
    }
    _ = ffa(Registers(UInt64(FFAFunction.FFA_ABORT_32)))
    halt()
}

nonisolated(unsafe) var reportingFault = false
