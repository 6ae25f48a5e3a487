import ABI
import Driver
import MM
import Platform
import Variables

/// Before and after the attack: what the secure world must still answer correctly.
extension HostileRun {
    /// GET_PAYLOAD_SIZE at offset 0: the size every later answer must repeat (at least 72).
    mutating func learnPayloadSize() -> Bool {
        let message = HostileMessage.frame(function: HostileMessage.functionGetPayloadSize, payload: HostileMessage.le64(0))
        var shared = NSSharedBuffer()
        var cache = VACache()
        shared.write(message, at: 0)
        cache.cleanToPoC(offset: 0, length: message.count)
        let request = Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64), UInt64(HostileModel.partition), 0, 0)
        let got = call(request)
        guard tally.compare("MM GET_PAYLOAD_SIZE", request: request, got: got, want: HostileModel.mmAnswer(.success)) else {
            return false
        }
        cache.invalidate(offset: 0, length: message.count)
        let answer = shared.read(at: 0, count: message.count)
        payloadSize = HostileMessage.read64(answer, at: 40)
        guard HostileMessage.read64(answer, at: 32) == 0, payloadSize >= 72 else {
            tally.fail("MM GET_PAYLOAD_SIZE answer")
            return false
        }
        return true
    }

    /// The driver's pair is mapped and RX is ours: a second map is DENIED, a release DENIED.
    mutating func checkHome() {
        issue("FFA_RX_RELEASE of a buffer we own", Registers(UInt64(FFAFunction.FFA_RX_RELEASE)))
        issue("FFA_RXTX_MAP over the driver's pair", HostileRun.map(home, is64: true))
    }

    /// SMCCC v1.2: a callee preserves x4...x17 unless they carry results, and a call answered
    /// in w0 alone (SMCCC, PSCI, unknown IDs such as TRNG_VERSION, which Linux probes with a
    /// live pointer in x4) leaves x1...x17 too. Every register the call does not use holds
    /// 0xA5A5_0000 + i; `issue` checks each one comes back. Returns whether all did.
    mutating func registerRulesKept() -> Bool {
        let before = tally.unexpected
        func patterned(_ r: Registers, from first: Int) -> Registers {
            var out = r
            for i in first..<Registers.count { out[i] = 0xA5A5_0000 + UInt64(i) }
            return out
        }
        issue("TRNG_VERSION keeps x1..x17", patterned(Registers(0x8400_0050), from: 1))
        issue("an unknown SMC64 keeps x1..x17", patterned(Registers(0xC200_0001), from: 1))
        issue("SMCCC_VERSION keeps x1..x17", patterned(Registers(UInt64(SMCCC.SMCCC_VERSION)), from: 1))
        issue("SMCCC_ARCH_FEATURES keeps x1..x17",
              patterned(Registers(UInt64(SMCCC.SMCCC_ARCH_FEATURES), UInt64(SMCCC.SMCCC_VERSION)), from: 2))
        issue("PSCI_VERSION keeps x1..x17", patterned(Registers(UInt64(SMCCC.PSCI_VERSION)), from: 1))
        issue("PSCI_FEATURES keeps x1..x17",
              patterned(Registers(UInt64(SMCCC.PSCI_FEATURES), UInt64(SMCCC.PSCI_VERSION)), from: 2))
        issue("FFA_ID_GET keeps x8..x17", patterned(Registers(UInt64(FFAFunction.FFA_ID_GET)), from: 8))
        let ping = Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64), UInt64(HostileModel.partition), 0,
                             0xAAAA_AAAA, 0xBBBB_BBBB, 0xCCCC_CCCC, 0xDDDD_DDDD, 0xEEEE_EEEE)
        if !issue("a ping keeps x8..x17", patterned(ping, from: 8)) { tally.fail("the model predicts no ping") }
        return tally.unexpected == before
    }

    /// Version, discovery both ways, a ping, a variable read; each answer as the spec says.
    /// Returns whether all of them were right.
    mutating func secureWorldAnswers(keep: [UInt8]) -> Bool {
        let before = tally.unexpected
        restoreHome()
        checkHome()
        issue("FFA_VERSION", Registers(UInt64(FFAFunction.FFA_VERSION), 0x1_0002))
        issue("FFA_ID_GET", Registers(UInt64(FFAFunction.FFA_ID_GET)))
        let u = UUID.mmVariable.words
        infoGet("FFA_PARTITION_INFO_GET", Registers(UInt64(FFAFunction.FFA_PARTITION_INFO_GET),
                                                    UInt64(u.0), UInt64(u.1), UInt64(u.2), UInt64(u.3)))
        if !state.rxOwned { tally.fail("FFA_PARTITION_INFO_GET did not fill RX") }
        issue("FFA_RX_RELEASE", Registers(UInt64(FFAFunction.FFA_RX_RELEASE)))
        issue("FFA_PARTITION_INFO_GET_REGS", Registers(UInt64(FFAFunction.FFA_PARTITION_INFO_GET_REGS),
                                                       UUID.mmVariable.bytes.0, UUID.mmVariable.bytes.1))
        issue("ping", Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64), UInt64(HostileModel.partition), 0,
                                0xAAAA_AAAA, 0xBBBB_BBBB, 0xCCCC_CCCC, 0xDDDD_DDDD, 0xEEEE_EEEE))
        let message = HostileMessage.frame(function: HostileMessage.functionGetVariable,
                                           payload: HostileMessage.access(dataSize: UInt64(keep.count), name: HostileMessage.keepName,
                                                                          data: [UInt8](repeating: 0, count: keep.count)))
        mm("MM GetVariable of the kept variable", message, at: 0,
           expect: .response(HostileMessage.getVariableAnswer(name: HostileMessage.keepName, attributes: 7,
                                                              dataSize: UInt64(keep.count), data: keep, status: .success)))
        restoreHome()
        return tally.unexpected == before
    }
}

/// The shell's own variable client, as any user would call it.
enum HostileStore {
    static let attributes: UInt32 = 7   // NV + BS + RT

    static func set(_ name: [UInt8], _ data: [UInt8]) -> EFIStatus {
        var status = EFIStatus.notReady
        EFIVariables.with { c in status = c.setVariable(name: name, guid: HostileMessage.guid, attributes: attributes, data: data) }
        return status
    }

    static func reads(_ name: [UInt8], _ data: [UInt8]) -> Bool {
        var ok = false
        EFIVariables.with { c in
            let r = c.getVariable(name: name, guid: HostileMessage.guid, dataSize: 256)
            ok = r.status == .success && r.data == data && r.attributes == attributes
        }
        return ok
    }
}
