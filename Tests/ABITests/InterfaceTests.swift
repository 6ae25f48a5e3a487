import Testing
@testable import ABI
import TestSupport

/// The draws of random register blocks, on the tests' fixed-seed generator.
extension SplitMix64 {
    mutating func u32() -> UInt32 { UInt32(truncatingIfNeeded: next()) }
    mutating func u16() -> UInt16 { UInt16(truncatingIfNeeded: next()) }
    mutating func extended() -> ExtendedArguments {
        var e = ExtendedArguments()
        e.x4 = next(); e.x5 = next(); e.x6 = next(); e.x7 = next(); e.x8 = next(); e.x9 = next()
        e.x10 = next(); e.x11 = next(); e.x12 = next(); e.x13 = next(); e.x14 = next(); e.x15 = next()
        e.x16 = next(); e.x17 = next()
        return e
    }
}

/// One value of every case, with random fields (within each field's defined width).
func everyCase(_ g: inout SplitMix64) -> [Interface] {
    let m32 = DirectMessage(sender: g.u16(), receiver: g.u16(), is64: false, UInt64(g.u32()), UInt64(g.u32()),
                            UInt64(g.u32()), UInt64(g.u32()), UInt64(g.u32()))
    let m64 = DirectMessage(sender: g.u16(), receiver: g.u16(), is64: true, g.next(), g.next(), g.next(), g.next(), g.next())
    var low = ExtendedArguments()
    low.x4 = UInt64(g.u32()); low.x5 = UInt64(g.u32()); low.x6 = UInt64(g.u32()); low.x7 = UInt64(g.u32())
    let text = Array("Hello from a partition, as a test!".utf8)
    let c32 = text.withUnsafeBufferPointer { ConsoleCharacters($0, is64: false) }
    let c64 = text.withUnsafeBufferPointer { ConsoleCharacters($0, is64: true) }
    return [
        .smcccVersion, .smcccArchFeatures(function: g.u32()), .psciVersion, .psciFeatures(function: g.u32()),
        .psciSystemOff, .psciSystemReset,
        .error(target: g.u32(), FFAError.allCases[g.below(FFAError.allCases.count)]),
        .success32(SuccessArguments(target: g.u32(), UInt64(g.u32()), UInt64(g.u32()), rest: low)),
        .success64(SuccessArguments(target: g.u32(), g.next(), g.next(), rest: g.extended())),
        .version(FFAVersion(major: UInt16(g.below(0x8000)), minor: g.u16())),
        .features(id: g.u32(), properties: g.u32()),
        .rxRelease(vmID: g.u16()),
        .rxtxMap(tx: UInt64(g.u32()), rx: UInt64(g.u32()), pageCount: UInt8(g.below(64)), is64: false),
        .rxtxMap(tx: g.next(), rx: g.next(), pageCount: UInt8(g.below(64)), is64: true),
        .rxtxUnmap(id: g.u16()),
        .partitionInfoGet(uuid: UUID(lo: g.next(), hi: g.next()), countOnly: g.below(2) == 1),
        .partitionInfoGetRegs(uuid: UUID(lo: g.next(), hi: g.next()), start: g.u16(), tag: g.u16()),
        .idGet, .spmIDGet, .msgWait(retainRx: g.below(2) == 1),
        .msgSendDirectReq(m32), .msgSendDirectReq(m64), .msgSendDirectResp(m32), .msgSendDirectResp(m64),
        .msgSendDirectReq2(DirectMessage2(sender: g.u16(), receiver: g.u16(), service: UUID(lo: g.next(), hi: g.next()),
                                          arguments: g.extended())),
        .msgSendDirectResp2(DirectMessage2(sender: g.u16(), receiver: g.u16(), arguments: g.extended())),
        .consoleLog(c32), .consoleLog(c64),
        .abort(is64: false), .abort(is64: true),
        .run(target: g.u32()), .interrupt(target: g.u32(), interruptID: g.u32()),
        .yield(target: g.u32(), timeout: g.next()),
    ]
}

@Test func everyCaseRoundTripsThroughTheRegisterBlock() {
    var g = SplitMix64(seed: 0xAB1_2026)
    for _ in 0..<200 {
        for c in everyCase(&g) {
            var r = Registers()
            c.encode(into: &r)
            #expect((try? Interface.decode(r)) == c, "\(c)")
        }
    }
}

@Test func answersInW0RoundTripGivenTheirCall() {
    for call in [Interface.smcccVersion, .psciFeatures(function: 1)] {
        for x0: UInt64 in [0x1_0002, 0xFFFF_FFFF, 0, UInt64.max] {
            var r = Registers()
            Interface.result(x0).encode(into: &r)
            #expect((try? Interface.decodeAnswer(r, to: call)) == .result(x0))
        }
    }
    for w0: UInt32 in [0x1_0002, 0xFFFF_FFFF] {
        var r = Registers()
        Interface.versionAnswer(w0).encode(into: &r)
        #expect((try? Interface.decodeAnswer(r, to: .version(.v1_2))) == .versionAnswer(w0))
    }
}

@Test func encodingWritesOnlyTheMessageSpan() {
    // Over a block of junk: x0...x7 (x0...x17 for the extended ABIs) are the message's, with
    // unused registers 0; the rest stays as it was. `.result` writes x0 alone.
    var junk = Registers()
    for i in 0..<Registers.count { junk[i] = 0xA5A5_0000 + UInt64(i) }
    var r = junk
    Interface.idGet.encode(into: &r)
    #expect(r.x0 == UInt64(FFAFunction.FFA_ID_GET))
    for i in 1...7 { #expect(r[i] == 0) }
    for i in 8..<18 { #expect(r[i] == junk[i]) }
    r = junk
    Interface.success64(SuccessArguments(target: 0, 1)).encode(into: &r)
    #expect(r.x2 == 1)
    for i in 3..<18 { #expect(r[i] == 0) }
    r = junk
    Interface.result(7).encode(into: &r)
    #expect(r.x0 == 7)
    for i in 1..<18 { #expect(r[i] == junk[i]) }
}

/// The spec's rules for each function, written independently of the decoder: the error a
/// block must be refused with, or nil if it must decode.
func expectedRefusal(_ r: Registers) -> FFAError? {
    let w0 = UInt32(truncatingIfNeeded: r.x0)
    let f = w0 & ~0x1_0000
    let w = { (i: Int) in UInt32(truncatingIfNeeded: r[i]) }
    guard w0 & 0x8000_0000 != 0, w0 & 0x00FE_0000 == 0 else { return .notSupported }
    switch f {
    case SMCCC.SMCCC_VERSION, SMCCC.SMCCC_ARCH_FEATURES, SMCCC.PSCI_VERSION, SMCCC.PSCI_FEATURES,
         SMCCC.PSCI_SYSTEM_OFF, SMCCC.PSCI_SYSTEM_RESET, FFAFunction.FFA_SUCCESS_32, FFAFunction.FFA_SUCCESS_64,
         FFAFunction.FFA_FEATURES, FFAFunction.FFA_ID_GET, FFAFunction.FFA_SPM_ID_GET,
         FFAFunction.FFA_ABORT_32, FFAFunction.FFA_ABORT_64, FFAFunction.FFA_RUN, FFAFunction.FFA_YIELD,
         FFAFunction.FFA_INTERRUPT:
        return nil
    case FFAFunction.FFA_ERROR, 0xC400_0060:
        return (-10 ... -1).contains(Int32(bitPattern: w(2))) ? nil : .invalidParameters
    case FFAFunction.FFA_VERSION:
        return w(1) & 0x8000_0000 == 0 ? nil : .notSupported
    case FFAFunction.FFA_RX_RELEASE:
        return w(1) & 0xFFFF_0000 == 0 ? nil : .invalidParameters
    case FFAFunction.FFA_RXTX_MAP_32, FFAFunction.FFA_RXTX_MAP_64:
        return w(3) < 64 ? nil : .invalidParameters
    case FFAFunction.FFA_RXTX_UNMAP:
        return w(1) & 0xFFFF == 0 ? nil : .invalidParameters
    case FFAFunction.FFA_PARTITION_INFO_GET:
        return w(5) <= 1 ? nil : .invalidParameters
    case FFAFunction.FFA_PARTITION_INFO_GET_REGS:
        return r.x3 >> 32 == 0 ? nil : .invalidParameters
    case FFAFunction.FFA_MSG_WAIT:
        return w(1) == 0 && w(2) <= 1 && (3...7).allSatisfy { w($0) == 0 } ? nil : .invalidParameters
    case FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32, FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32:
        return w(2) == 0 ? nil : .invalidParameters
    case FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64, FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64:
        return r.x2 == 0 ? nil : .invalidParameters
    case FFAFunction.FFA_MSG_SEND_DIRECT_REQ2:
        return nil
    case FFAFunction.FFA_MSG_SEND_DIRECT_RESP2:
        return r.x2 == 0 && r.x3 == 0 ? nil : .invalidParameters
    case FFAFunction.FFA_CONSOLE_LOG_32:
        return (1...24).contains(w(1)) ? nil : .invalidParameters
    case FFAFunction.FFA_CONSOLE_LOG_64:
        return (1...128).contains(r.x1) ? nil : .invalidParameters
    default:
        return .notSupported
    }
}

let knownFunctions: [UInt32] = [
    SMCCC.SMCCC_VERSION, SMCCC.SMCCC_ARCH_FEATURES, SMCCC.PSCI_VERSION, SMCCC.PSCI_FEATURES,
    SMCCC.PSCI_SYSTEM_OFF, SMCCC.PSCI_SYSTEM_RESET, SMCCC.PSCI_CPU_ON_64, SMCCC.PSCI_CPU_OFF,
    FFAFunction.FFA_ERROR, FFAFunction.FFA_SUCCESS_32, FFAFunction.FFA_SUCCESS_64, FFAFunction.FFA_INTERRUPT,
    FFAFunction.FFA_VERSION, FFAFunction.FFA_FEATURES, FFAFunction.FFA_RX_RELEASE, FFAFunction.FFA_RXTX_MAP_32,
    FFAFunction.FFA_RXTX_MAP_64, FFAFunction.FFA_RXTX_UNMAP, FFAFunction.FFA_PARTITION_INFO_GET,
    FFAFunction.FFA_ID_GET, FFAFunction.FFA_MSG_WAIT, FFAFunction.FFA_YIELD, FFAFunction.FFA_RUN,
    FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32, FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64,
    FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32, FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64,
    FFAFunction.FFA_SPM_ID_GET, FFAFunction.FFA_CONSOLE_LOG_32, FFAFunction.FFA_CONSOLE_LOG_64,
    FFAFunction.FFA_PARTITION_INFO_GET_REGS, FFAFunction.FFA_MSG_SEND_DIRECT_REQ2,
    FFAFunction.FFA_MSG_SEND_DIRECT_RESP2, FFAFunction.FFA_ABORT_32, FFAFunction.FFA_ABORT_64, 0xC400_0060,
]

/// A random word, often zero or small, so that both sides of each rule are reached.
func field(_ g: inout SplitMix64) -> UInt64 {
    switch g.below(6) {
    case 0, 1: return 0
    case 2: return UInt64(g.below(4))
    case 3: return UInt64(g.u32())
    case 4: return UInt64(g.below(200))
    default: return g.next()
    }
}

@Test func seededRandomBlocksAreJudgedByTheSpecRules() {
    var g = SplitMix64(seed: 0x5EED_0012)
    var decoded = 0, refused = 0
    for _ in 0..<200_000 {
        var r = Registers()
        var f = knownFunctions[g.below(knownFunctions.count)]
        switch g.below(16) {
        case 0: f = g.u32()                       // anything at all
        case 1: f |= 0x1_0000                     // the SVE hint
        case 2: f |= UInt32(1) << (17 + UInt32(g.below(7)))   // a reserved bit
        default: break
        }
        r.x0 = UInt64(f) | (g.below(8) == 0 ? g.next() << 32 : 0)
        for i in 1..<Registers.count { r[i] = field(&g) }
        let want = expectedRefusal(r)
        do throws(FFAError) {
            let c = try Interface.decode(r)
            decoded += 1
            #expect(want == nil, "decoded \(c) from \(r)")
            // Re-encoding over the same block and decoding again gives the same message.
            var again = r
            c.encode(into: &again)
            #expect((try? Interface.decode(again)) == c)
        } catch {
            refused += 1
            #expect(want == error, "refused \(r) with \(error), rules say \(String(describing: want))")
        }
    }
    #expect(decoded > 50_000 && refused > 50_000)
}

@Test func refusalsUseTheWireFormOfTheCall() {
    #expect(Interface.refusal(.notSupported, to: Registers(UInt64(SMCCC.SMCCC_VERSION))) == .result(0xFFFF_FFFF))
    #expect(Interface.refusal(.notSupported, to: Registers(0xC200_0001)) == .result(UInt64.max))
    #expect(Interface.refusal(.notSupported, to: Registers(0x4400_0001)) == .result(UInt64.max))
    #expect(Interface.refusal(.notSupported, to: Registers(UInt64(FFAFunction.FFA_VERSION), 0x8000_0000))
            == .versionAnswer(0xFFFF_FFFF))
    #expect(Interface.refusal(.invalidParameters, to: Registers(UInt64(FFAFunction.FFA_RXTX_MAP_64)))
            == .error(target: 0, .invalidParameters))
}

@Test func consoleCharactersPackLittleEndian() {
    let text = Array("ABCDEFGHIJ".utf8)
    let c = text.withUnsafeBufferPointer { ConsoleCharacters($0, is64: false) }
    var r = Registers()
    Interface.consoleLog(c).encode(into: &r)
    #expect(r.x1 == 10 && r.x2 == 0x4443_4241 && r.x3 == 0x4847_4645 && r.x4 == 0x4A49)
    #expect((0..<10).map { c.character($0) } == text)
}

/// The driver's answer decoder is `function(of:)` on the answers and nil on everything else:
/// every function number of the FF-A/PSCI owner, both widths, with the SVE hint, with a
/// reserved bit, as a yielding call, and the other owners' IDs of our ABIs.
@Test func answerDecoderAgreesWithTheFullDecoderOnTheAnswers() {
    let answers: Set<Interface.Function> = [.error, .success32, .success64, .interrupt, .yield,
                                            .msgSendDirectResp32, .msgSendDirectResp64, .msgSendDirectResp2]
    var seen = Set<Interface.Function>()
    var ids: [UInt64] = [UInt64(SMCCC.SMCCC_VERSION), UInt64(SMCCC.SMCCC_ARCH_FEATURES), 0xFFFF_FFFF, 0]
    for base: UInt64 in [0x8400_0000, 0xC400_0000, 0x8401_0000, 0xC401_0000, 0x0400_0000, 0x8400_8000, 0x1_8400_0000,
                       0x8402_0000, 0xC480_0000] {   // the last two: reserved bits 17 and 23
        for n: UInt64 in 0...0xFF { ids.append(base | n) }
    }
    for x0 in ids {
        let r = Registers(x0)
        let full = Interface.function(of: r)
        let expected = full.flatMap { answers.contains($0) ? $0 : nil }
        #expect(Interface.answer(of: r) == expected, "x0 \(String(x0, radix: 16))")
        if let e = expected { seen.insert(e) }
    }
    #expect(seen == answers)
}
