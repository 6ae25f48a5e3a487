import ABI

/// Which width of FFA_MSG_SEND_DIRECT_REQ to use: 32-bit payload words or 64-bit ones.
public enum DirectMessageWidth: Equatable, Sendable {
    case smc32
    case smc64
}

/// What a direct request brought back.
public enum DirectResponse: Equatable, Sendable {
    /// FFA_MSG_SEND_DIRECT_RESP (x3..x7) or FFA_MSG_SEND_DIRECT_RESP2 (x4..x17).
    case response([UInt64])
    /// FFA_SUCCESS instead of a response: delivered, nothing came back (U-Boot's reading).
    case delivered
}

extension FFADriver {
    /// FFA_MSG_SEND_DIRECT_REQ_32/64 (FF-A v1.2 §15.2): w1 = our ID << 16 | target, w2 = 0
    /// (a partition message), x3..x7 = `payload` (at most 5 words; 32-bit words for `.smc32`).
    /// FFA_INTERRUPT and FFA_YIELD are followed by FFA_RUN, BUSY and RETRY by the same call
    /// again, each within its bound.
    public mutating func sendDirectRequest(to target: UInt16, payload: [UInt64],
                                           width: DirectMessageWidth = .smc64) throws(FFADriverError) -> DirectResponse {
        guard payload.count <= 5 else { _ = try requireProbed(); throw .ffa(.invalidParameters) }
        var words: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        for (i, word) in payload.enumerated() {
            switch i {
            case 0: words.0 = word
            case 1: words.1 = word
            case 2: words.2 = word
            case 3: words.3 = word
            default: words.4 = word
            }
        }
        guard let m = try sendDirectRequest(to: target, words, width: width) else { return .delivered }
        return .response([m.x3, m.x4, m.x5, m.x6, m.x7])
    }

    /// The one direct-request path, with a fixed-size payload (x3..x7): the response message, or
    /// nil for FFA_SUCCESS (delivered, nothing came back). No array is built, and the registers
    /// are answered in place (the MM doorbell's path: it allocates nothing).
    public mutating func sendDirectRequest(to target: UInt16, _ payload: (UInt64, UInt64, UInt64, UInt64, UInt64),
                                           width: DirectMessageWidth = .smc64) throws(FFADriverError) -> DirectMessage? {
        _ = try requireProbed()
        let is64 = width == .smc64
        if !is64 {
            let high = payload.0 | payload.1 | payload.2 | payload.3 | payload.4
            guard high <= UInt64(UInt32.max) else { throw .ffa(.invalidParameters) }
        }
        let request = DirectMessage(sender: ownID, receiver: target, is64: is64,
                                    payload.0, payload.1, payload.2, payload.3, payload.4)
        // Encoded straight into the call's registers: no `Interface` value on the request path.
        var call = Registers()
        guard try exchange(&call, target: target, response: is64 ? .msgSendDirectResp64 : .msgSendDirectResp32,
                           request: { request.encode(into: &$0, response: false) }) else {
            return nil
        }
        // SMC32 results: only the low halves are defined (the codec drops the rest).
        return try Self.decoded { () throws(FFAError) in try DirectMessage(decoding: call, is64: is64) }
    }

    /// FFA_MSG_SEND_DIRECT_REQ2 (FF-A v1.2 §15.4, SMC64): x1 as above, x2/x3 = the service UUID,
    /// x4..x17 = `payload` (at most 14 words). Only for a target whose properties bit 9 says it
    /// receives it; otherwise NOT_SUPPORTED without a call.
    public mutating func sendDirectRequest2(to target: PartitionInfo, service: UUID,
                                            payload: [UInt64]) throws(FFADriverError) -> DirectResponse {
        let v = try requireProbed()
        guard v >= .v1_2, registerCount == Registers.count,
              target.properties & PartitionInfo.Property.receivesDirectRequest2 != 0 else { throw .ffa(.notSupported) }
        guard payload.count <= 14 else { throw .ffa(.invalidParameters) }
        let request = DirectMessage2(sender: ownID, receiver: target.id, service: service,
                                     arguments: ExtendedArguments(words: payload))
        var call = Registers()
        guard try exchange(&call, target: target.id, response: .msgSendDirectResp2,
                           request: { request.encode(into: &$0, response: false) }) else { return .delivered }
        let m = try Self.decoded { () throws(FFAError) in try DirectMessage2(decoding: call, isResponse: true) }
        return .response(m.arguments.words)
    }

    /// A response's arguments; one the codec rejects (set MBZ bits) is a malformed answer.
    static func decoded<T>(_ body: () throws(FFAError) -> T) throws(FFADriverError) -> T {
        do throws(FFAError) { return try body() } catch { throw .ffa(error) }
    }

    /// Issues the request `encode` writes (over zeroed registers) until the target answers: true
    /// with the response in `call`, false for FFA_SUCCESS. The registers are answered in place,
    /// so a refused call is built again rather than kept. Bounded: every turn returns, throws, or
    /// spends a run or a retry.
    mutating func exchange(_ call: inout Registers, target: UInt16, response: Interface.Function,
                           request encode: (inout Registers) -> Void) throws(FFADriverError) -> Bool {
        var runs = 0, retries = 0
        var run: UInt32? = nil   // FFA_RUN's w1 while the target is being run
        var send = true          // the call is (re)built: the request, or the FFA_RUN
        while true {
            if send {
                if let w1 = run {
                    call = Interface.run(target: w1).registers
                } else {
                    call = Registers()
                    encode(&call)
                }
                send = false
            }
            invoke(inPlace: &call)
            switch Interface.answer(of: call) {
            case response?:
                // w1: the responder (the target) and the receiver (us).
                let w1 = Interface.targetInformation(call)
                guard w1 == UInt32(target) << 16 | UInt32(ownID) else { throw .unexpectedEndpoints(w1) }
                return true
            case .success32?, .success64?:
                return false
            case .interrupt?, .yield?:
                runs += 1
                guard runs <= runLimit else { throw .retriesExhausted(.interrupted) }
                run = Self.runTarget(Interface.targetInformation(call), target: target)
                send = true
            case .error?:
                let e = FFADriverError.fromErrorAnswer(call)
                guard e == .ffa(.busy) || e == .ffa(.retry) else { throw e }
                retries += 1
                guard retries <= retryLimit else { throw .retriesExhausted(e == .ffa(.busy) ? .busy : .retry) }
                // The same call again: the request, or the FFA_RUN that was refused.
                send = true
            default:
                throw .unexpectedFunction(Interface.functionWord(call))
            }
        }
    }

    /// FFA_RUN's w1 (endpoint << 16 | vCPU): the one FFA_INTERRUPT/FFA_YIELD named, or the
    /// target when the endpoint field came back 0 (the normal world cannot run itself).
    static func runTarget(_ w1: UInt32, target: UInt16) -> UInt32 {
        w1 >> 16 == 0 ? UInt32(target) << 16 | (w1 & 0xFFFF) : w1
    }
}
