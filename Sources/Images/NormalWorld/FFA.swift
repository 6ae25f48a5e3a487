import ABI
import Driver
import Platform

@_extern(c, "__ffa_buffers") nonisolated(unsafe) var __ffa_buffers: UInt8

/// The RX/TX pair: by default two 64 KiB-aligned 64 KiB regions inside the 192 KiB that
/// Linker/normal.ld reserves (the image may sit at any 4 KiB boundary, so the alignment is
/// made here), enough for any minimum size FFA_FEATURES can report; `rxtx <address>`
/// (TestRXTXCommand.swift) moves it anywhere in RAM.
struct StaticRXTX: RXTXBuffers {
    static var reserved: UInt64 { UInt64(UInt(bitPattern: unsafe UnsafeMutableRawPointer(&__ffa_buffers))) }
    /// Where the proof build's `rxtx` put the pair; 0: the image's own, 64 KiB-aligned in
    /// .ffa_buffers. A constant start, so that FFA.buffers is a static value, not a global
    /// built on first use (an inlined swift_once check at each use).
    var moved: UInt64 = 0
    var txAddress: UInt64 { moved != 0 ? moved : (StaticRXTX.reserved + 0xFFFF) & ~0xFFFF }
    var rxAddress: UInt64 { txAddress + UInt64(capacity) }
    var capacity: Int { 0x1_0000 }
    func readRX(offset: Int, count: Int) -> [UInt8] {
        guard offset >= 0, count > 0, offset <= capacity - count,
              let p = UnsafeRawPointer(bitPattern: UInt(rxAddress) + UInt(offset)) else { return [] }
        return unsafe Array(UnsafeRawBufferPointer(start: p, count: count))   // runtime code: not readBytes
    }
}

/// The normal world's FF-A state: the driver once probed, or why there is none.
enum FFA {
    /// The driver once probed, on the heap: the global is a pointer, 0 in .bss until then,
    /// not a nil optional in the image's .data.
    nonisolated(unsafe) static var driverBox: UnsafeMutablePointer<FFADriver<RuntimeConduit>>? = nil
    /// A copy of the driver, nil without FF-A; setting it keeps the new one in place.
    static var driver: FFADriver<RuntimeConduit>? {
        get { unsafe driverBox?.pointee }
        set {
            guard let d = newValue else { unsafe driverBox?.deinitialize(count: 1).deallocate(); unsafe driverBox = nil; return }
            if let box = unsafe driverBox { unsafe box.pointee = d; return }
            let box = UnsafeMutablePointer<FFADriver<RuntimeConduit>>.allocate(capacity: 1)
            unsafe box.initialize(to: d)
            unsafe driverBox = box
        }
    }
    nonisolated(unsafe) static var absent: FFADriverError? = nil
    nonisolated(unsafe) static var buffers = StaticRXTX()

    /// Chooses the conduit (never an instruction that would be UNDEFINED here), then probes and
    /// maps the RX/TX pair. Prints one line either way.
    static func start() {
        let conduit: RuntimeConduit
        switch SystemConduit.choice {
        case .smc: conduit = RuntimeConduit(useHVC: false)
        case .hvc: conduit = RuntimeConduit(useHVC: true)
        case .noFFA(let reason):
            absent = .noFFA(reason)
            Console.write("normal: no FF-A ("); Console.write(reason.name); Console.line(")")
            return
        }
        // Started in place on the heap (no local driver copied there); given back on failure.
        let box = UnsafeMutablePointer<FFADriver<RuntimeConduit>>.allocate(capacity: 1)
        unsafe box.initialize(to: FFADriver(conduit: conduit))
        do throws(FFADriverError) {
            try unsafe box.pointee.start(buffers: buffers)
            unsafe driverBox = box
            Console.write("normal: FF-A "); printVersion(unsafe box.pointee.version)
            Console.write(" via "); Console.write(conduit.useHVC ? "hvc" : "smc")
            Console.write(", RX/TX mapped ("); Console.dec(UInt64(unsafe box.pointee.rxtx?.size ?? 0)); Console.line(" bytes each)")
        } catch {
            unsafe box.deinitialize(count: 1).deallocate()
            absent = error
            Console.write("normal: no FF-A ("); Console.write(error.name); Console.line(")")
        }
    }

    static func printVersion(_ v: FFAVersion?) {
        guard let v else { Console.write("?"); return }
        Console.dec(UInt64(v.major)); Console.put(46); Console.dec(UInt64(v.minor))
    }

    /// Runs `body` on the driver in place (no copy of the driver), or prints why FF-A is absent.
    /// The compiler makes one copy of this per command's closure: what each copy holds is kept
    /// to the call, the checks and the messages out of line (`present`, `report`).
    @inline(never)
    static func with(_ body: (inout FFADriver<RuntimeConduit>) throws(FFADriverError) -> Void) {
        guard present() else { return }
        do throws(FFADriverError) {
            try unsafe body(&driverBox!.pointee)
        } catch {
            report(error)
        }
    }

    /// Whether there is a driver; prints why not.
    @inline(never)
    static func present() -> Bool {
        guard unsafe driverBox == nil else { return true }
        Console.write("FF-A is absent: ")
        Console.line(absent?.name ?? "not probed")
        return false
    }

    @inline(never)
    static func report(_ error: FFADriverError) {
        Console.write("FF-A error: "); Console.line(error.name)
    }
}
