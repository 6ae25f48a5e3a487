import ABI
import Hardware
import MM
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

@_extern(c, "__pagetables_start") nonisolated(unsafe) var __pagetables_start: UInt8

typealias Service = MMVariableHandler<FlashVariableLog<CFIFlash>>
nonisolated(unsafe) var service: Service? = nil

/// One FF-A call to the SPMC at EL3.
func ffa(_ r: Registers) -> Registers { smcCall(r) }

/// Called by Startup/partition_entry.S at S-EL1: own translation tables (own memory, the MM
/// buffer as non-secure memory, the variable store's flash), mount the store, then serve.
@_cdecl("partition_main")
public func partition_main() -> Never {
    Console.uart = PL011(base: PartitionMap.secureUART)
    var tables = PageTables(pool: unsafe UnsafeMutableRawPointer(&__pagetables_start), pages: 16)
    tables.map(PartitionMap.image, PartitionMap.imageSize, .normal)
    tables.map(PartitionMap.mmBuffer, UInt64(PartitionMap.mmBufferSize), .normal, executable: false, nonSecure: true)
    tables.map(PartitionMap.variableStore, UInt64(PartitionMap.variableStoreSize), .device)
    tables.map(PartitionMap.secureUART, 0x1000, .device)
    enableMMU(el: 1, tables: tables)

    let flash = CFIFlash(base: PartitionMap.variableStore, size: PartitionMap.variableStoreSize,
                         eraseBlockSize: PartitionMap.flashBlock)
    var first: Registers
    do throws(PersistenceError) {
        let log = try FlashVariableLog(flash: flash)
        let handler = MMVariableHandler(store: VariableStore(persistence: log))
        ConsoleLog.line("mm: variable store mounted from flash")
        ConsoleLog.number("mm: non-volatile variables: ", UInt64(handler.store.persistence.variables.count))
        service = handler
        first = ffa(Registers(UInt64(FFAFunction.FFA_MSG_WAIT)))
    } catch {
        ConsoleLog.line("mm: the variable store could not be mounted (flash error)")
        first = ffa(.ffaError(.aborted))
    }
    Messages.serve(first)
}

@_cdecl("partition_exception")
public func partition_exception(_ frame: UnsafeMutablePointer<UInt64>, _ kind: UInt64) {
    crash(ExceptionFrame(frame), kind: kind, el: 1)
}
