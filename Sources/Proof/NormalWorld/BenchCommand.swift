import Hardware
import ABI
import Driver
import MM
import Platform
import Variables

extension Commands {
    static let benchCommand = Command(
        text: "bench [<repeats>|alloc]\tinstruction counts of FF-A and variable calls (QEMU -icount shift=0)", run: bench)

    /// One line per figure, `bench: <name> all=… normal=… secure=… el3=… sel1=…`, each the
    /// median of `repeats` runs with the cost of reading the counters taken off.
    static func bench(_ args: [[UInt8]]) {
        guard args.count <= 2 else { usage("bench"); return }
        if args.count == 2 && args[1] == [0x61, 0x6c, 0x6c, 0x6f, 0x63] { benchAllocations(); return }  // "alloc"
        var repeats: UInt64 = 9
        do throws(ShellArgumentError) {
            if args.count == 2 { repeats = try ShellNumber.parse(args[1]) }
        } catch {
            argumentError(error, "bench"); return
        }
        repeats = min(max(repeats, 1), 101)
        guard var driver = FFA.driver else {
            Console.write("bench: FF-A is absent: "); Console.line(FFA.absent?.name ?? "not probed"); return
        }
        guard BenchPMU.counterCount >= 1 else { Console.line("bench: the PMU has no event counter"); return }
        BenchPMU.start(atEL2: boot.shellEL == 2)
        defer { BenchPMU.stop() }
        var b = Bench(repeats: Int(repeats))
        b.calibrate()
        Console.write("bench: shell at EL"); Console.dec(UInt64(boot.shellEL))
        Console.write(", read overhead "); Console.dec(b.overhead[0]); Console.write(", repeats "); Console.dec(repeats); Console.put(10)
        guard b.normalOverhead > 0 else { Console.line("bench: INST_RETIRED counts nothing: run QEMU with -icount shift=0"); return }

        var c = driver.conduit
        b.measure("empty") {}
        // Each call built once, outside the measurement, through the ABI codec.
        let smcccVersion = Interface.smcccVersion.registers
        b.measure("smccc_version") { _ = c.call(smcccVersion) }
        let idGet = Interface.idGet.registers
        b.measure("ffa_id_get") { _ = c.call(idGet) }
        let request = Interface.msgSendDirectReq(DirectMessage(
            sender: 0, receiver: Endpoint.mmPartition, is64: true,
            0xAAAA_AAAA, 0xBBBB_BBBB, 0xCCCC_CCCC, 0xDDDD_DDDD, 0xEEEE_EEEE)).registers
        b.measure("direct_request_64") { _ = c.call(request) }
        // U-Boot's discovery calls (drivers/firmware/arm-ffa): version, features, RX/TX map,
        // partition info.
        let version = Interface.version(.v1_2).registers
        b.measure("ffa_version") { _ = c.call(version) }
        let features = Interface.features(id: FFAFunction.FFA_RXTX_MAP_64, properties: 0).registers
        b.measure("ffa_features") { _ = c.call(features) }
        let release = Interface.rxRelease(vmID: 0).registers
        let infoGet = Interface.partitionInfoGet(uuid: .mmVariable, countOnly: false).registers
        b.measure("partition_info_get", after: { _ = c.call(release) }) { _ = c.call(infoGet) }
        let infoGetRegs = Interface.partitionInfoGetRegs(uuid: .mmVariable, start: 0, tag: 0).registers
        b.measure("partition_info_get_regs") { _ = c.call(infoGetRegs) }
        var found = 0
        b.measure("discovery_rx") { found = (try? driver.partitionInfoGet(uuid: .mmVariable, buffers: FFA.buffers))?.count ?? -1 }
        if found != 1 { Console.line("bench: discovery through RX did not find the partition") }
        b.measure("discovery") { found = (try? driver.partitions(uuid: .mmVariable, buffers: FFA.buffers))?.count ?? -1 }
        if found != 1 { Console.line("bench: discovery did not find the partition") }
        // Last of the FF-A figures: unmapping and mapping again leaves the pair as the driver had it.
        if let m = driver.rxtx {
            let unmap = Interface.rxtxUnmap(id: 0).registers
            let map = Interface.rxtxMap(tx: m.txAddress, rx: m.rxAddress, pageCount: UInt8(m.size / 4096), is64: true).registers
            _ = c.call(unmap)
            b.measure("rxtx_map", after: { _ = c.call(unmap) }) { _ = c.call(map) }
            _ = c.call(map)
        }
        FFA.driver = driver
        b.variables()
        Console.line("bench: done")
    }
}

/// One benchmark session: what reading the counters costs, and the median of each figure.
struct Bench {
    let repeats: Int
    /// Reading overhead of the cycle counter in each pass, and of the normal-world counter.
    var overhead = [UInt64](repeating: 0, count: BenchPMU.passes.count)
    var normalOverhead: UInt64 = 0

    init(repeats: Int) { self.repeats = repeats }

    static func median(_ values: [UInt64]) -> UInt64 {
        guard !values.isEmpty else { return 0 }
        var v = values
        for i in 1..<v.count {                   // insertion sort: at most a few hundred values
            var j = i
            while j > 0 && v[j - 1] > v[j] { v.swapAt(j - 1, j); j -= 1 }
        }
        return v[v.count / 2]
    }

    static func minus(_ a: UInt64, _ b: UInt64) -> UInt64 { a > b ? a - b : 0 }

    /// Two back-to-back readings, in each pass: what every figure has taken off.
    mutating func calibrate() {
        var normal: [UInt64] = []
        for (k, bits) in BenchPMU.passes.enumerated() {
            BenchPMU.filterCycles(bits)
            var runs: [UInt64] = []
            for _ in 0..<repeats {
                let a = BenchPMU.read(), b = BenchPMU.read()
                runs.append(b.filtered &- a.filtered)
                normal.append(b.normal &- a.normal)
            }
            overhead[k] = Bench.median(runs)
        }
        normalOverhead = Bench.median(normal)
    }

    /// Runs `body` `repeats` times in each pass between two readings (`after` outside them)
    /// and prints the medians.
    func measure(_ name: StaticString, after: () -> Void = {}, _ body: () -> Void) {
        var normal: [UInt64] = []
        var figures = [UInt64](repeating: 0, count: BenchPMU.passes.count)
        for (k, bits) in BenchPMU.passes.enumerated() {
            BenchPMU.filterCycles(bits)
            var runs: [UInt64] = []
            for _ in 0..<repeats {
                let a = BenchPMU.read()
                body()
                let b = BenchPMU.read()
                after()
                runs.append(Bench.minus(b.filtered &- a.filtered, overhead[k]))
                normal.append(Bench.minus(b.normal &- a.normal, normalOverhead))
            }
            figures[k] = Bench.median(runs)
        }
        Console.write("bench: "); Console.write(name)
        Console.write(" all="); Console.dec(figures[0])
        Console.write(" normal="); Console.dec(Bench.median(normal))
        Console.write(" secure="); Console.dec(figures[1])
        Console.write(" el3="); Console.dec(figures[2])
        Console.write(" sel1="); Console.dec(figures[3])
        Console.put(10)
    }

    static let guid = EFIGuid(0x4245_4e43, 0x484d, 0x4152, (0x4b, 0x53, 0x21, 0x62, 0x65, 0x6e, 0x63, 0x68))

    /// GetVariable of a small variable; SetVariable of a non-volatile variable (flash) and of a
    /// volatile one (no flash): their difference is what the flash path costs; one step of
    /// GetNextVariableName. Each figure is
    /// the whole call as the firmware's own callers make it: the client taken from its global,
    /// the data in the caller's buffer, no array built by the caller.
    func variables() {
        let small = UCS2.fromASCII("BenchSmall")
        let nv = UCS2.fromASCII("BenchNV"), volatile = UCS2.fromASCII("BenchVolatile")
        var set = false
        EFIVariables.with { c in set = c.setVariable(name: small, guid: Bench.guid, attributes: 7, data: [1, 2, 3, 4]) == .success }
        guard set else { Console.line("bench: cannot set BenchSmall"); return }
        var ok = true
        var value: UInt32 = 0
        measure("get_variable") {
            value = 0
            withUnsafeMutableBytes(of: &value) { buffer in
                EFIVariables.with { c in
                    let r = c.getVariable(name: small, guid: Bench.guid, into: buffer)
                    ok = ok && r.status == .success && r.dataSize == 4
                }
            }
            ok = ok && value == 0x0403_0201
        }
        var k: UInt32 = 0
        measure("set_variable_nv") {
            k &+= 0x0101_0101
            withUnsafeBytes(of: &k) { data in
                EFIVariables.with { c in ok = ok && c.setVariable(name: nv, guid: Bench.guid, attributes: 7, data: data) == .success }
            }
        }
        // One listing step in the caller's buffer, as the runtime service takes it: from BenchNV
        // (held since the last measure) to BenchSmall, a name on the flash.
        var listing = [UInt8](repeating: 0, count: 64)
        measure("get_next_variable_name") {
            for i in nv.indices { listing[i] = nv[i] }
            var guid = Bench.guid
            listing.withUnsafeMutableBytes { name in
                EFIVariables.with { c in ok = ok && c.getNextVariableName(name: name, guid: &guid).status == .success }
            }
            ok = ok && guid == Bench.guid && listing.starts(with: small)
        }
        measure("set_variable_volatile") {
            k &+= 0x0101_0101
            withUnsafeBytes(of: &k) { data in
                EFIVariables.with { c in ok = ok && c.setVariable(name: volatile, guid: Bench.guid, attributes: 6, data: data) == .success }
            }
        }
        // Under EFI_GLOBAL_VARIABLE, whose names have rules: a name without one, and BootOrder
        // (an array of UINT16, the variable an OS's boot manager writes), its rule checked.
        let global = UCS2.fromASCII("BenchGlobal"), bootOrder = UCS2.fromASCII("BootOrder")
        measure("set_variable_global") {
            k &+= 0x0101_0101
            withUnsafeBytes(of: &k) { data in
                EFIVariables.with { c in ok = ok && c.setVariable(name: global, guid: .globalVariable, attributes: 7, data: data) == .success }
            }
        }
        measure("set_variable_boot_order") {
            k &+= 0x0101_0101
            withUnsafeBytes(of: &k) { data in
                EFIVariables.with { c in ok = ok && c.setVariable(name: bootOrder, guid: .globalVariable, attributes: 7, data: data) == .success }
            }
        }
        EFIVariables.with { c in
            for name in [global, bootOrder] { ok = ok && c.setVariable(name: name, guid: .globalVariable, attributes: 7, data: []) == .success }
            for name in [small, nv] { ok = ok && c.setVariable(name: name, guid: Bench.guid, attributes: 7, data: []) == .success }
            ok = ok && c.setVariable(name: volatile, guid: Bench.guid, attributes: 6, data: []) == .success
        }
        if !ok { Console.line("bench: a variable call failed") }
    }
}

/// `bench alloc`: one direct request, one GetVariable, one SetVariable (NV, 4 bytes) and one
/// GetNextVariableName (to a name on the flash), each between two calls of `bench_mark` (phase 1/2, 3/4, 5/6, 7/8), for
/// qemu/bench.py to count the allocator calls of every world between them at gdbstub
/// breakpoints. The normal world's own count is printed too.
extension Commands {
    static func benchAllocations() {
        guard let driver = FFA.driver else { Console.line("bench: FF-A is absent"); return }
        let small = UCS2.fromASCII("BenchAlloc"), following = UCS2.fromASCII("BenchAllocNext")
        var ok = true
        EFIVariables.with { c in ok = c.setVariable(name: small, guid: Bench.guid, attributes: 7, data: [1, 2, 3, 4]) == .success }
        // The name the listing step finds next: on the flash, after "BenchAlloc".
        EFIVariables.with { c in ok = ok && c.setVariable(name: following, guid: Bench.guid, attributes: 7, data: [5]) == .success }
        var listing = small + [UInt8](repeating: 0, count: 64 - small.count)  // the caller's name buffer
        var c = driver.conduit
        let ping = Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64), UInt64(Endpoint.mmPartition), 0, 0xAAAA_AAAA)
        var counts: [Int] = []
        var value: UInt32 = 0
        var k: UInt32 = 0x0505_0505
        for phase in 0..<4 {
            let before = heapAllocations()
            bench_mark(UInt64(2 * phase + 1))
            switch phase {
            case 0:
                _ = c.call(ping)
            case 1:
                withUnsafeMutableBytes(of: &value) { buffer in
                    EFIVariables.with { c in ok = ok && c.getVariable(name: small, guid: Bench.guid, into: buffer).status == .success }
                }
            case 2:
                withUnsafeBytes(of: &k) { data in
                    EFIVariables.with { c in ok = ok && c.setVariable(name: small, guid: Bench.guid, attributes: 7, data: data) == .success }
                }
            default:
                // One step of a listing, in the caller's buffer as the runtime service takes it:
                // from the variable just written to the one after it.
                listing.withUnsafeMutableBytes { name in
                    var guid = Bench.guid
                    EFIVariables.with { c in
                        let r = c.getNextVariableName(name: name, guid: &guid)
                        ok = ok && r.status == .success && r.nameSize == UInt64(following.count) && guid == Bench.guid
                    }
                }
            }
            // A failed call marks its phase's end 0xBAD: the counts of a call that failed early
            // prove nothing.
            bench_mark(ok ? UInt64(2 * phase + 2) : 0xBAD)
            counts.append(heapAllocations() - before)
        }
        EFIVariables.with { c in ok = ok && c.setVariable(name: small, guid: Bench.guid, attributes: 7, data: []) == .success }
        EFIVariables.with { c in ok = ok && c.setVariable(name: following, guid: Bench.guid, attributes: 7, data: []) == .success }
        ok = ok && listing.starts(with: following)
        Console.write("bench: alloc normal direct_request="); Console.dec(UInt64(counts[0]))
        Console.write(" get_variable="); Console.dec(UInt64(counts[1]))
        Console.write(" set_variable="); Console.dec(UInt64(counts[2]))
        Console.write(" get_next_variable_name="); Console.dec(UInt64(counts[3]))
        Console.put(10)
        Console.line(ok ? "bench: alloc done" : "bench: a variable call failed")
    }
}

/// The marker qemu/bench.py breaks on: x0 = the phase. Not inlined, and its body is an
/// instruction sequence the compiler must keep, so the call survives link-time optimisation.
@inline(never)
func bench_mark(_ phase: UInt64) { hw_keep(phase) }
