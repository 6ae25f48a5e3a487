import Hardware
import Platform
import MM

@_extern(c, "boot_code_probe") func boot_code_probe()

typealias GetVariableFn = @convention(c) (UnsafePointer<UInt16>?, UnsafeRawPointer?, UnsafeMutablePointer<UInt32>?,
                                          UnsafeMutablePointer<UInt64>?, UnsafeMutableRawPointer?) -> UInt64
typealias GetNextVariableNameFn = @convention(c) (UnsafeMutablePointer<UInt64>?, UnsafeMutablePointer<UInt16>?,
                                                  UnsafeMutableRawPointer?) -> UInt64
typealias SetVariableFn = @convention(c) (UnsafePointer<UInt16>?, UnsafeRawPointer?, UInt32, UInt64, UnsafeRawPointer?) -> UInt64
typealias QueryVariableInfoFn = @convention(c) (UInt32, UnsafeMutablePointer<UInt64>?, UnsafeMutablePointer<UInt64>?,
                                                UnsafeMutablePointer<UInt64>?) -> UInt64

/// Plays the OS after ExitBootServices: it only has the runtime services table, and runs with
/// the runtime page tables (Linker/normal.ld puts this code in its own "OS" region). It records
/// statuses; the shell prints them once the boot-time map is back.
enum RuntimeCaller {
    struct Step { var what: StaticString; var status: UInt64; var expected: UInt64; var value: UInt64 }
    /// The last run's steps: a heap buffer (runtime data) of `capacity`, more than `run` ever
    /// records (7, plus one for each of at most 64 names listed); no array that grows.
    static let capacity = 80
    nonisolated(unsafe) static var steps: UnsafeMutablePointer<Step>? = nil
    nonisolated(unsafe) static var count = 0
    /// The buffers `run` hands the services (368 bytes).
    nonisolated(unsafe) static var scratch: UnsafeMutableRawPointer? = nil

    @inline(never)   // one store, not one per call
    static func record(_ what: StaticString, _ status: UInt64, _ expected: EFIStatus, _ value: UInt64 = 0) {
        guard let s = steps, count < capacity else { return }
        unsafe (s + count).initialize(to: Step(what: what, status: status, expected: expected.rawValue, value: value))
        count += 1
    }

    /// Installs the runtime-only map, calls the services, and puts the boot map back. Lives in
    /// the caller's region: the code that flips the map must stay executable under both.
    @inline(never)
    static func runIsolated(runtimeRoot: UInt64, bootRoot: UInt64, el: Int, table: UnsafeRawPointer, probeBootCode: Bool) {
        if steps == nil { steps = .allocate(capacity: capacity) }
        if scratch == nil { scratch = .allocate(byteCount: 368, alignment: 16) }
        unsafe scratch!.initializeMemory(as: UInt8.self, repeating: 0, count: 368)
        count = 0
        switchTables(runtimeRoot, el: el)
        run(table: table, probeBootCode: probeBootCode)
        switchTables(bootRoot, el: el)
    }

    static func switchTables(_ root: UInt64, el: Int) {
        hw_dsb_sy()
        if el == 2 { hw_write_ttbr0_el2(root); hw_isb(); hw_tlbi_all_el2() }
        else { hw_write_ttbr0_el1(root); hw_isb(); hw_tlbi_all_el1() }
    }

    @inline(never)
    static func run(table: UnsafeRawPointer, probeBootCode: Bool) {
        let getVariable = unsafe unsafeBitCast(table.load(fromByteOffset: 72, as: UInt.self), to: GetVariableFn.self)
        let getNext = unsafe unsafeBitCast(table.load(fromByteOffset: 80, as: UInt.self), to: GetNextVariableNameFn.self)
        let setVariable = unsafe unsafeBitCast(table.load(fromByteOffset: 88, as: UInt.self), to: SetVariableFn.self)
        let query = unsafe unsafeBitCast(table.load(fromByteOffset: 128, as: UInt.self), to: QueryVariableInfoFn.self)
        let rtName = UCS2.fromASCII("RtVar")     // UCS-2 with its terminator, as bytes
        let bsName = UCS2.fromASCII("BootTest")
        // The buffers an OS would pass, in one heap block (runtime data): no array to make
        // unique before each call. The GUID, the value, what GetVariable returns, and a name
        // and a vendor for GetNextVariableName.
        guard let scratch = unsafe RuntimeCaller.scratch else { return }
        let guid = scratch, value = unsafe scratch + 16, out = unsafe scratch + 32
        let name = unsafe scratch + 96, vendor = unsafe scratch + 352
        let g = EFIGuid.globalVariable.bytes
        for i in 0..<16 { unsafe guid.storeBytes(of: g[i], toByteOffset: i, as: UInt8.self) }
        let runtime: StaticString = "runtime"
        for i in 0..<7 { unsafe value.storeBytes(of: runtime.utf8Start[i], toByteOffset: i, as: UInt8.self) }

        unsafe rtName.withUnsafeBytes { nameBytes in
            let n = unsafe nameBytes.assumingMemoryBound(to: UInt16.self).baseAddress
            let s = unsafe setVariable(n, guid, 0x7, 7, value)
            record("SetVariable(RtVar, NV|BS|RT)", s, .success)
            var size: UInt64 = 64
            var attributes: UInt32 = 0
            let r = unsafe getVariable(n, guid, &attributes, &size, out)
            record("GetVariable(RtVar)", r, .success, size)
            var small: UInt64 = 2
            let t = unsafe getVariable(n, guid, nil, &small, out)
            record("GetVariable(RtVar) with 2 bytes", t, .bufferTooSmall, small)
        }
        unsafe bsName.withUnsafeBytes { nameBytes in
            let n = unsafe nameBytes.assumingMemoryBound(to: UInt16.self).baseAddress
            var size: UInt64 = 64
            let r = unsafe getVariable(n, guid, nil, &size, out)
            record("GetVariable(BootTest, BS only)", r, .notFound)
            let s = unsafe setVariable(n, guid, 0x3, 1, out)
            record("SetVariable(BootTest, BS only)", s, .writeProtected)
        }
        // GetNextVariableName from the empty name to EFI_NOT_FOUND: counts what runtime sees.
        let units = unsafe name.assumingMemoryBound(to: UInt16.self)
        var listed: UInt64 = 0
        var status: UInt64 = 0
        while listed < 64 {
            var size: UInt64 = 256
            status = unsafe getNext(&size, units, vendor)
            if status != 0 { break }
            if unsafe units[0] == 66 && units[1] == 111 {                // "Bo": BootTest
                record("GetNextVariableName listed a BS-only variable", 1, .success)
            }
            listed += 1
        }
        record("GetNextVariableName to the end", status, .notFound, listed)
        var maxStorage: UInt64 = 0, remaining: UInt64 = 0, maxSize: UInt64 = 0
        let q = unsafe query(0x7, &maxStorage, &remaining, &maxSize)
        record("QueryVariableInfo(NV|BS|RT)", q, .success, remaining)
        if probeBootCode {
            // Boot-time code is not executable any more: this must fault (instruction abort).
            boot_code_probe()
        }
    }

    static func report() {
        var failures = 0
        for i in 0..<count {
            let s = unsafe steps![i]
            Console.write("runtime: "); Console.write(s.what); Console.write(" -> ")
            Console.write(EFIStatus(rawValue: s.status).name)
            if s.value != 0 { Console.write(" ("); Console.dec(s.value); Console.write(")") }
            if s.status != s.expected { Console.write("  UNEXPECTED"); failures += 1 }
            Console.put(10)
        }
        Console.write("runtime: "); Console.dec(UInt64(count)); Console.write(" calls, ")
        Console.dec(UInt64(failures)); Console.line(" unexpected")
    }
}
