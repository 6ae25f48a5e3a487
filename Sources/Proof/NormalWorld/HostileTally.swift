import ABI
import MM
import Platform

/// What the hostile normal world counted: every call, every answer by kind, and every answer
/// that was not the one the specification (and our SPMC's documented choices) require.
struct HostileTally {
    var calls = 0
    /// FF-A error codes by -code (1...10); index 0 counts codes the spec does not define.
    var ffaErrors = [Int](repeating: 0, count: 11)
    /// x0 = -1: SMCCC NOT_SUPPORTED (unknown function, refused version, PSCI not supported).
    var smcccNotSupported = 0
    var ffaSuccesses = 0
    var directResponses = 0
    /// Version words, PSCI status 0, and the like.
    var otherAnswers = 0
    /// MM return codes by -code (0...5) of the MM messages sent.
    var mmCodes = [Int](repeating: 0, count: 6)
    /// ReturnStatus values of the MM messages the partition accepted.
    var efiStatuses: [(status: UInt64, count: Int)] = []
    var unexpected = 0
    static let shownLimit = 12

    mutating func classify(_ out: Registers) {
        switch Interface.function(of: out) {
        case .error? where Interface.functionWord(out) == FFAFunction.FFA_ERROR:
            if let (_, e) = try? Interface.errorArguments(out) { ffaErrors[Int(-e.rawValue)] += 1 } else { ffaErrors[0] += 1 }
        case .success32?, .success64?:
            ffaSuccesses += 1
        case .msgSendDirectResp64?:
            directResponses += 1
            // w3 of the MM doorbell
            if let m = try? DirectMessage(decoding: out, is64: true), let code = MMReturnCode(register: m.x3) { record(mm: code) }
        case .msgSendDirectResp32?, .msgSendDirectResp2?:
            directResponses += 1
        default:
            if Interface.functionWord(out) == SMCCC.NOT_SUPPORTED { smcccNotSupported += 1 } else { otherAnswers += 1 }
        }
    }

    mutating func record(mm code: MMReturnCode) {
        let i = Int(-code.rawValue)
        if i >= 0 && i < mmCodes.count { mmCodes[i] += 1 }
    }

    mutating func record(efi status: EFIStatus) {
        for i in efiStatuses.indices where efiStatuses[i].status == status.rawValue {
            efiStatuses[i].count += 1
            return
        }
        efiStatuses.append((status.rawValue, 1))
    }

    /// Compares every result register; an answer that differs is counted and, for the first
    /// few, printed with the request.
    /// `want` is the predicted message; the caller must get it over its own registers.
    mutating func compare(_ label: StaticString, request: Registers, got: Registers, want message: Registers) -> Bool {
        let want = HostileModel.answer(message, to: request)
        var first = -1
        for i in 0..<Registers.count where got[i] != want[i] { first = i; break }
        guard first >= 0 else { return true }
        fail(label)
        if unexpected <= HostileTally.shownLimit {
            Console.write("  request "); registers(request)
            Console.write("  got     "); registers(got)
            Console.write("  wanted  "); registers(want)
            Console.write("  first difference in x"); Console.dec(UInt64(first)); Console.put(10)
        }
        return false
    }

    /// An answer that is wrong in a way `compare` cannot see (memory contents, say).
    mutating func fail(_ label: StaticString) {
        unexpected += 1
        if unexpected <= HostileTally.shownLimit {
            Console.write("hostile: UNEXPECTED ("); Console.write(label); Console.line(")")
        }
    }

    func registers(_ r: Registers) {
        for i in 0..<8 { Console.hex(r[i]); Console.put(32) }
        var rest = false
        for i in 8..<Registers.count where r[i] != 0 { rest = true }
        Console.line(rest ? "(x8..x17 not zero)" : "")
    }

    func report() {
        Console.write("hostile: calls "); Console.dec(UInt64(calls)); Console.put(10)
        Console.write("hostile: FF-A errors:")
        var any = false
        for code in 1...10 where ffaErrors[code] > 0 {
            guard let e = FFAError(rawValue: Int32(-code)) else { continue }
            Console.put(32); Console.write(e.name); Console.put(32); Console.dec(UInt64(ffaErrors[code]))
            any = true
        }
        if ffaErrors[0] > 0 { Console.write(" undefined-code "); Console.dec(UInt64(ffaErrors[0])); any = true }
        Console.line(any ? "" : " none")
        Console.write("hostile: SMCCC NOT_SUPPORTED "); Console.dec(UInt64(smcccNotSupported))
        Console.write(", FFA_SUCCESS "); Console.dec(UInt64(ffaSuccesses))
        Console.write(", direct responses "); Console.dec(UInt64(directResponses))
        Console.write(", other answers "); Console.dec(UInt64(otherAnswers)); Console.put(10)
        Console.write("hostile: MM return codes:")
        for i in 0..<mmCodes.count where mmCodes[i] > 0 {
            guard let c = MMReturnCode(rawValue: Int32(-i)) else { continue }
            Console.put(32); Console.write(c.name); Console.put(32); Console.dec(UInt64(mmCodes[i]))
        }
        Console.put(10)
        Console.write("hostile: EFI statuses:")
        for (status, count) in efiStatuses {
            Console.put(32); Console.write(EFIStatus(rawValue: status).name); Console.put(32); Console.dec(UInt64(count))
        }
        Console.put(10)
        Console.write("hostile: unexpected answers "); Console.dec(UInt64(unexpected)); Console.put(10)
    }
}
