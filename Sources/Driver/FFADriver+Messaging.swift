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
        _ = try requireProbed()
        guard payload.count <= 5 else { throw .ffa(.invalidParameters) }
        let is64 = width == .smc64
        var request = Registers(UInt64(is64 ? FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64 : FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32),
                                UInt64(ownID) << 16 | UInt64(target))
        for (i, word) in payload.enumerated() {
            guard is64 || word <= UInt64(UInt32.max) else { throw .ffa(.invalidParameters) }
            request[3 + i] = word
        }
        let response = is64 ? FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64 : FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32
        guard let out = try exchange(request, target: target, responseID: response) else { return .delivered }
        // SMC32 results: only the low halves are defined.
        let mask: UInt64 = is64 ? ~0 : 0xFFFF_FFFF
        return .response((3...7).map { out[$0] & mask })
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
        var request = Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_REQ2), UInt64(ownID) << 16 | UInt64(target.id),
                                service.bytes.0, service.bytes.1)
        for (i, word) in payload.enumerated() { request[4 + i] = word }
        guard let out = try exchange(request, target: target.id, responseID: FFAFunction.FFA_MSG_SEND_DIRECT_RESP2) else {
            return .delivered
        }
        return .response((4...17).map { out[$0] })
    }

    /// Issues `request` until the target answers: the response registers, or nil for
    /// FFA_SUCCESS. Bounded: every turn returns, throws, or spends a run or a retry.
    mutating func exchange(_ request: Registers, target: UInt16, responseID: UInt32) throws(FFADriverError) -> Registers? {
        let endpoints = UInt32(target) << 16 | UInt32(ownID)
        var call = request
        var runs = 0, retries = 0
        while true {
            let out = invoke(call)
            switch out.w(0) {
            case responseID:
                guard out.w(1) == endpoints else { throw .unexpectedEndpoints(out.w(1)) }
                return out
            case FFAFunction.FFA_SUCCESS_32, FFAFunction.FFA_SUCCESS_64:
                return nil
            case FFAFunction.FFA_INTERRUPT, FFAFunction.FFA_YIELD:
                runs += 1
                guard runs <= runLimit else { throw .retriesExhausted(.interrupted) }
                call = Registers(UInt64(FFAFunction.FFA_RUN), UInt64(Self.runTarget(out.w(1), target: target)))
            case FFAFunction.FFA_ERROR, Self.ffaError64:
                let e = FFADriverError.fromErrorAnswer(out)
                guard e == .ffa(.busy) || e == .ffa(.retry) else { throw e }
                retries += 1
                guard retries <= retryLimit else { throw .retriesExhausted(e == .ffa(.busy) ? .busy : .retry) }
                // The same call again: the request, or the FFA_RUN that was refused.
            default:
                throw .unexpectedFunction(out.w(0))
            }
        }
    }

    /// FFA_RUN's w1 (endpoint << 16 | vCPU): the one FFA_INTERRUPT/FFA_YIELD named, or the
    /// target when the endpoint field came back 0 (the normal world cannot run itself).
    static func runTarget(_ w1: UInt32, target: UInt16) -> UInt32 {
        w1 >> 16 == 0 ? UInt32(target) << 16 | (w1 & 0xFFFF) : w1
    }
}
