import ABI
import Board
import Driver
import MM
import Platform
import Variables

@_extern(c, "dcache_clean_range_poc") func dcache_clean_range_poc(_ start: UInt64, _ length: UInt64)
@_extern(c, "dcache_invalidate_range_poc") func dcache_invalidate_range_poc(_ start: UInt64, _ length: UInt64)

/// The MM shared buffer: the `/reserved-memory/mm-buffer` node our monitor adds, else the
/// board's default (board.h).
struct NSSharedBuffer: SharedMemory {
    nonisolated(unsafe) static var base = UInt64(BOARD_MM_BUFFER_BASE)
    nonisolated(unsafe) static var bytes = Int(BOARD_MM_BUFFER_SIZE)
    var size: Int { NSSharedBuffer.bytes }

    /// Takes the device tree's buffer (FDT.mmBuffer: page-aligned, at least a page); at most
    /// 1 MiB of it is used.
    static func place(base: UInt64, size: UInt64) {
        guard base != 0 else { return }   // `bytes` is never a null pointer
        self.base = base
        bytes = Int(min(size, 0x10_0000))
    }
    mutating func write(_ bytes: [UInt8], at offset: Int) {
        guard let p = UnsafeMutablePointer<UInt8>(bitPattern: UInt(NSSharedBuffer.base) + UInt(offset)) else { return }
        for i in bytes.indices { unsafe p[i] = bytes[i] }
    }
    func read(at offset: Int, count: Int) -> [UInt8] {
        guard let p = UnsafeRawPointer(bitPattern: UInt(NSSharedBuffer.base) + UInt(offset)), count > 0 else { return [] }
        return unsafe Array(UnsafeRawBufferPointer(start: p, count: count))   // runtime code: not readBytes
    }
    /// Mapped as normal memory: the variable client builds and reads messages in place. Never
    /// nil (the base is not 0), so the transport's path through arrays is not linked.
    var bytes: UnsafeMutableRawBufferPointer? {
        unsafe UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(bitPattern: UInt(NSSharedBuffer.base)).unsafelyUnwrapped, count: size)
    }
}

/// By-VA maintenance of the shared buffer's ranges (Startup/cache_by_va.S).
struct VACache: CacheMaintenance {
    mutating func cleanToPoC(offset: Int, length: Int) {
        dcache_clean_range_poc(NSSharedBuffer.base + UInt64(offset), UInt64(length))
    }
    mutating func invalidate(offset: Int, length: Int) {
        dcache_invalidate_range_poc(NSSharedBuffer.base + UInt64(offset), UInt64(length))
    }
}

typealias FFATransport = FFAMMTransport<RuntimeConduit, NSSharedBuffer, VACache>
typealias Transport = SelectedMMTransport<FFATransport>

/// The UEFI variable services: over FF-A to the MM partition when one answers the MM UUID,
/// otherwise a volatile in-memory store, chosen at run time and said once on the console.
enum EFIVariables {
    /// The client once started, on the heap (runtime data, as the image's data): the global is
    /// a pointer, 0 in .bss until then, not a 272-byte nil optional in the image's .data.
    nonisolated(unsafe) static var clientBox: UnsafeMutablePointer<VariableClient<Transport>>? = nil
    /// A copy of the client (nil before `start`); the variable paths use it in place (`with`).
    static var client: VariableClient<Transport>? { unsafe clientBox?.pointee }

    /// Puts `c` in place of the client, built where it stays (no copy of a local into it).
    static func install(_ c: consuming VariableClient<Transport>) {
        if let box = unsafe clientBox { unsafe box.pointee = c; return }
        let box = UnsafeMutablePointer<VariableClient<Transport>>.allocate(capacity: 1)
        unsafe box.initialize(to: c)
        unsafe clientBox = box
    }

    static func start() {
        let discovery: Result<[PartitionInfo], FFADriverError>
        if let box = unsafe FFA.driverBox {
            do throws(FFADriverError) {
                discovery = .success(try unsafe box.pointee.partitions(uuid: .mmVariable, buffers: FFA.buffers))
            } catch {
                discovery = .failure(error)
            }
        } else {
            discovery = .failure(FFA.absent ?? .noFFA(.notProbed))
        }
        let choice = VariableTransportChoice.select(discovery: discovery)   // one call, not one per way
        // Built in place in `client`: a local copy would be copied again into it.
        switch choice {
        case .ffa(let id):
            guard let d = FFA.driver else { return }
            install(VariableClient(transport: .ffa(FFATransport(driver: d, memory: NSSharedBuffer(), cache: VACache(), partitionID: id))))
            Console.hex0x("normal: UEFI variables over FF-A, MM partition ", UInt64(id)); Console.put(10)
        case .volatile(let reason):
            startVolatile()
            Console.write("normal: variables are volatile: "); Console.line(reason.name)
        }
        guard let box = unsafe clientBox else { return }
        let status = unsafe box.pointee.initialize()
        if status != .success {
            Console.write("normal: MM GET_PAYLOAD_SIZE failed: "); Console.line(status.name)
            if unsafe !box.pointee.transport.isVolatile {
                startVolatile()
                _ = unsafe box.pointee.initialize()
                Console.line("normal: variables are volatile: the MM partition does not answer")
            }
        }
    }

    /// The client over the volatile fallback, built in place (one copy of its construction).
    @inline(never)
    static func startVolatile() {
        install(VariableClient(transport: .volatile(VolatileMMTransport())))
    }

    /// Runs `body` on the client in place: one copy of this code, no copy of the client.
    @inline(never)
    static func with(_ body: (inout VariableClient<Transport>) -> Void) {
        guard let box = unsafe clientBox else { Console.line("UEFI variables are not available"); return }
        unsafe body(&box.pointee)  // in place: a copy out and back would copy the transport each call
    }
}
