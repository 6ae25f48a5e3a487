import ABI
import Driver
import MM
import Platform

@_extern(c, "proof_el1_fill") func proof_el1_fill(_ pattern: UInt64)
@_extern(c, "proof_el1_read") func proof_el1_read(_ block: UnsafeMutablePointer<UInt64>)

extension Commands {
    static let el1KeepCommand = Command(
        text: "el1keep [abort]\tEL1 registers survive SMCs that run the secure world (at EL2 only)", run: el1Keep)

    /// The monitor switches 11 EL1 registers between worlds and leaves the other 11 in place while
    /// the MM partition runs (world_context.h). At EL2 (EL1 idle) this fills all 22 with a pattern
    /// the partition's own values differ from, makes calls that stay at EL3 and calls that run the
    /// partition, and checks each register reads back as before.
    /// `abort`: first a non-volatile SetVariable, which a partition patched to fault in its store
    /// (qemu/proof_tests.py) cannot finish: it takes an exception at S-EL1, which writes its own
    /// ELR/SPSR/ESR/FAR_EL1, and ends with FFA_ABORT; every request after it is answered ABORTED.
    static func el1Keep(_ args: [[UInt8]]) {
        guard boot.shellEL == 2 else { Console.line("el1keep: needs the shell at EL2"); return }
        guard let driver = FFA.driver else { Console.line("el1keep: FF-A is absent"); return }
        let abort = args.count == 2 && matches(args[1], "abort")
        var c = driver.conduit
        let names: [StaticString] = ["SCTLR", "TTBR0", "TCR", "MAIR", "VBAR", "SP_EL1", "ELR", "SPSR", "ESR", "FAR", "CPACR",
                     "TTBR1", "AMAIR", "TPIDR_EL1", "TPIDR_EL0", "TPIDRRO", "CONTEXTIDR", "CNTKCTL", "PAR",
                     "AFSR0", "AFSR1", "CSSELR"]
        let request = Interface.msgSendDirectReq(DirectMessage(sender: 0, receiver: Endpoint.mmPartition, is64: true, 0, 0, 0, 0, 0)).registers
        // (runs the partition, the call): calls answered at EL3, and requests answered by the partition.
        let calls: [(Bool, Registers)] = [(false, Interface.smcccVersion.registers), (false, Interface.idGet.registers),
                                          (true, request), (true, request)]
        var failures = 0
        for (k, pattern) in [UInt64(0x5A5A_0000_0000_0000), 0x0000_A5A5_0000_F000].enumerated() {
            proof_el1_fill(pattern)
            var before = [UInt64](repeating: 0, count: names.count)
            var after = before
            unsafe before.withUnsafeMutableBufferPointer { unsafe proof_el1_read($0.baseAddress!) }
            if abort && k == 0 {
                var status = EFIStatus.success
                EFIVariables.with { v in status = v.setVariable(name: UCS2.fromASCII("El1Keep"), guid: Bench.guid, attributes: 7, data: [1]) }
                Console.write("el1keep: SetVariable in the faulting partition: "); Console.line(status == .success ? "success" : "failed")
            }
            for (isRequest, r) in calls {
                let answer = c.call(r)
                if isRequest && abort {
                    if Interface.function(of: answer) != .error || (try? Interface.errorArguments(answer))?.1 != .aborted {
                        Console.write("el1keep: the request to the aborted partition was not answered ABORTED: w0 ")
                        Console.hex0x(answer.x0); Console.put(10)
                        failures += 1
                    }
                } else if isRequest && Interface.function(of: answer) != .msgSendDirectResp64 {
                    Console.write("el1keep: the direct request was not answered: w0 "); Console.hex0x(answer.x0); Console.put(10)
                    failures += 1
                }
            }
            unsafe after.withUnsafeMutableBufferPointer { unsafe proof_el1_read($0.baseAddress!) }
            for i in names.indices where before[i] != after[i] {
                Console.write("el1keep: pass "); Console.dec(UInt64(k)); Console.write(" "); Console.write(names[i])
                Console.write(" was "); Console.hex0x(before[i]); Console.write(", now "); Console.hex0x(after[i]); Console.put(10)
                failures += 1
            }
        }
        Console.write("el1keep: 22 EL1 registers, 2 patterns, "); Console.dec(UInt64(failures)); Console.line(failures == 0 ? " changed; PASS" : " changed; FAIL")
    }
}
