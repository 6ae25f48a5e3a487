import ABI
import Driver
import MM
import SPMC
import Variables
import TestSupport

typealias FlashStore = FlashVariableLog<RAMFlash>

/// Variable attribute bits (UEFI 2.10 §8.2), spelled out so the tests read like the spec.
enum Attr {
    static let nv: UInt32 = 0x01
    static let bs: UInt32 = 0x02
    static let rt: UInt32 = 0x04
    static let append: UInt32 = 0x40
    static let nvBsRt: UInt32 = nv | bs | rt
    static let nvBs: UInt32 = nv | bs
    static let bsRt: UInt32 = bs | rt
}

/// A vendor GUID {0x12345678, 0x9abc, 0xdef0, {01 23 45 67 89 ab cd ef}}.
let vendor = EFIGuid(0x1234_5678, 0x9abc, 0xdef0, (0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef))

func ucs2(_ text: StaticString) -> [UInt8] { UCS2.fromASCII(text) }

/// The variable store region of flash0: its last MiB, four 256 KiB erase blocks.
func blankFlash() -> RAMFlash { RAMFlash(blockCount: 4, eraseBlockSize: 0x4_0000) }

struct SetupFailure: Error, CustomStringConvertible {
    var description: String
}

/// One machine: non-secure RAM, the booted secure world, and the normal world's stack (the real
/// FF-A driver and MM variable client) over a conduit into it.
final class Machine<P: VariablePersistence> {
    typealias FFATransport = FFAMMTransport<MonitorConduit<P>, SharedBufferView, RecordingCache>
    /// The image's composition (Images/NormalWorld/EFIVariables.swift): one transport type,
    /// FF-A or volatile, chosen at run time.
    typealias Client = VariableClient<SelectedMMTransport<FFATransport>>

    let ram = NonSecureRAM()
    let world: SecureWorld<P>
    let log = DoorbellLog()

    init(persistence: P, limits: VariableStoreLimits = VariableStoreLimits(), config: SPMCConfig = Board.spmcConfig,
         mountFails: Bool = false) {
        world = SecureWorld(store: VariableStore(persistence: persistence, limits: limits, verifier: .standard), ram: ram, config: config,
                            mountFails: mountFails)
    }

    var buffers: RAMBuffers { RAMBuffers(ram: ram) }

    /// The FF-A driver over the monitor conduit, not yet probed.
    func driver() -> FFADriver<MonitorConduit<P>> {
        FFADriver(conduit: MonitorConduit(world: world, log: log))
    }

    /// Probed, RX/TX mapped.
    func startedDriver() throws -> FFADriver<MonitorConduit<P>> {
        var d = driver()
        try d.start(buffers: buffers)
        return d
    }

    /// The normal world's boot as the image does it: probe, map RX/TX, find the MM partition by
    /// UUID, choose the transport (FF-A, or the volatile store when no partition answers), then
    /// GET_PAYLOAD_SIZE. `offset` is where messages sit in the shared buffer.
    func bootClient(offset: Int = 0) throws -> Client {
        var d = try startedDriver()
        let found: Result<[PartitionInfo], FFADriverError>
        do throws(FFADriverError) {
            found = .success(try d.partitions(uuid: .mmVariable, buffers: buffers))
        } catch {
            found = .failure(error)
        }
        let transport: SelectedMMTransport<FFATransport>
        switch VariableTransportChoice.select(discovery: found) {
        case .ffa(let id):
            transport = .ffa(FFAMMTransport(driver: d, memory: SharedBufferView(ram: ram, log: log),
                                            cache: RecordingCache(log: log), partitionID: id, offset: offset))
        case .volatile:
            transport = .volatile(VolatileMMTransport())
        }
        var client = VariableClient(transport: transport)
        let status = client.initialize()
        guard status == .success else { throw SetupFailure(description: "GET_PAYLOAD_SIZE: \(status.rawValue)") }
        return client
    }
}

extension Machine where P == FlashStore {
    /// A machine whose partition mounts the variable log in `flash` (formatting it when blank).
    convenience init(flash: RAMFlash = blankFlash()) throws {
        self.init(persistence: try FlashVariableLog(flash: flash))
    }

    /// The flash the partition writes.
    var flash: RAMFlash { world.store.persistence.flash }

    /// Power off and on: nothing survives but the flash bytes; a new SPMC, partition and store
    /// mount them again.
    func rebooted() throws -> Machine<FlashStore> {
        try Machine(flash: RAMFlash(bytes: flash.bytes, eraseBlockSize: flash.eraseBlockSize))
    }
}

/// Every (GUID, name) the client lists from L"" to EFI_NOT_FOUND; nil on any other status.
func listAll<T: MMTransport>(_ client: inout VariableClient<T>, nameSize: Int = 256) -> [StoredKey]? {
    var keys: [StoredKey] = []
    var name: [UInt8] = [0, 0]
    var guid = EFIGuid.zero
    for _ in 0..<1024 {
        let next = client.getNextVariableName(nameSize: nameSize, name: name, guid: guid)
        if next.status == .notFound { return keys }
        guard next.status == .success else { return nil }
        keys.append(StoredKey(guid: next.guid, name: next.name))
        name = next.name
        guid = next.guid
    }
    return nil
}

/// The secure-boot state the partition serves itself (every store lists it).
let servedKeys: Set<StoredKey> = Set(["AuditMode", "DeployedMode", "SecureBoot", "SetupMode", "VendorKeys"].map {
    StoredKey(guid: .globalVariable, name: UCS2.fromASCII(bytes: Array($0.utf8)))
})

/// `listAll` without the served variables: what was stored.
func listStored<T: MMTransport>(_ client: inout VariableClient<T>, nameSize: Int = 256) -> [StoredKey]? {
    listAll(&client, nameSize: nameSize)?.filter { !servedKeys.contains($0) }
}

struct StoredKey: Hashable {
    var guid: EFIGuid
    var name: [UInt8]
}
