import ABI

extension FFADriver {
    /// The MM doorbell: FFA_MSG_SEND_DIRECT_REQ_64 to `target` with x3 = `x3` and x4..x7 = 0,
    /// as `sendDirectRequest(to:payload:width:)` sends it, without the payload and response
    /// arrays (the variable hot path allocates nothing). Returns the response's x3, or nil for
    /// FFA_SUCCESS (delivered, nothing came back).
    public mutating func mmDoorbell(to target: UInt16, x3: UInt64) throws(FFADriverError) -> UInt64? {
        _ = try requireProbed()
        let request = DirectMessage(sender: ownID, receiver: target, is64: true, x3, 0, 0, 0, 0)
        var call = Registers()
        request.encode(into: &call, response: false)
        guard let out = try exchange(call, target: target, response: .msgSendDirectResp64) else {
            return nil
        }
        let m = try Self.decoded { () throws(FFAError) in try DirectMessage(decoding: out, is64: true) }
        return m.x3
    }
}
