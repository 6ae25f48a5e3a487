import Cache
import Hardware
import Platform

@_extern(c, "dcache_setway_level") func dcache_setway_level(_ level: UInt32, _ invalidateOnly: Bool)
@_extern(c, "dcache_clean_invalidate_all") func dcache_clean_invalidate_all()
@_extern(c, "dcache_invalidate_all") func dcache_invalidate_all()
@_extern(c, "dcache_flush_all") func dcache_flush_all() -> Int32

/// Runs the set/way routines at EL1 with HCR_EL2.TSW set, so the EL2 stub records every
/// operand, then compares the record with the Cache model computed from CLIDR/CCSIDR.
enum SetWaySelfTest {
    static let HCR_TSW: UInt64 = 1 << 22
    nonisolated(unsafe) static var log: UnsafeMutablePointer<UInt64>? = nil
    nonisolated(unsafe) static var logCount = 0
    static let logCapacity = 1 << 18

    static func startRecording() {
        log = UnsafeMutablePointer<UInt64>.allocate(capacity: logCapacity)
    }

    /// At EL2: a set/way operation trapped from EL1 (EC 0x18) goes into the log and is skipped.
    static func recordTrap(_ frame: ExceptionFrame) -> Bool {
        guard frame.exceptionClass == 0x18, let trap = SetWayTrap(esr: frame.esr), let log,
              logCount < logCapacity else { return false }
        let operand = trap.rt == 31 ? 0 : frame.x(trap.rt)
        unsafe log[logCount] = operand | UInt64(trap.instruction.crm) << 56
        logCount += 1
        frame.elr += 4
        return true
    }

    static func expected() -> [(StaticString, SetWaySequence)] {
        let clidr = CLIDR(hw_read_clidr())
        let format = IDAA64MMFR2(hw_read_id_aa64mmfr2()).ccsidrFormat
        func ccsidr(_ level: Int) -> CCSIDR {
            hw_write_csselr(UInt64(level) << 1); hw_isb()
            let v = CCSIDR(hw_read_ccsidr(), format: format)
            hw_write_csselr(0); hw_isb()
            return v
        }
        var out: [(StaticString, SetWaySequence)] = [
            ("clean+invalidate all", SetWaySequence(allLevels: clidr, instruction: .cleanInvalidate, ccsidr: ccsidr)),
            ("invalidate all", SetWaySequence(allLevels: clidr, instruction: .invalidate, ccsidr: ccsidr)),
            ("flush all (+L3 hook)", SetWaySequence(allLevels: clidr, instruction: .cleanInvalidate, ccsidr: ccsidr)),
        ]
        for level in clidr.setWayLevels {
            out.append(("one level, clean+invalidate", SetWaySequence(level: level, clidr: clidr, ccsidr: ccsidr(level), instruction: .cleanInvalidate)))
        }
        return out
    }

    static func run() {
        let expect = expected()
        dcache_clean_invalidate_all()
        dcache_invalidate_all()
        _ = dcache_flush_all()
        for level in CLIDR(hw_read_clidr()).setWayLevels { dcache_setway_level(UInt32(level), false) }

        var index = 0
        var mismatches = 0
        var total: UInt64 = 0
        guard let log else { return }
        for (name, sequence) in expect {
            var n: UInt64 = 0
            for op in sequence {
                let want = op.operand | UInt64(op.instruction.crm) << 56
                if index >= logCount || (unsafe log[index]) != want { mismatches += 1 }
                index += 1
                n += 1
            }
            total += n
            Console.write("setway: "); Console.write(name); Console.write(": "); Console.dec(n); Console.line(" operations")
        }
        if index != logCount { mismatches += 1 }
        Console.write("setway: CLIDR "); Console.hex0x(hw_read_clidr()); Console.write(", trapped ")
        Console.dec(UInt64(logCount)); Console.write(", model "); Console.dec(total)
        Console.write(", mismatches "); Console.dec(UInt64(mismatches)); Console.put(10)
        Console.line(mismatches == 0 ? "setway: PASS" : "setway: FAIL")
    }
}
