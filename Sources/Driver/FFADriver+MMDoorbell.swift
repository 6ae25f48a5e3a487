import ABI

extension FFADriver {
    /// The MM doorbell: FFA_MSG_SEND_DIRECT_REQ_64 to `target` with x3 = `x3` and x4..x7 = 0,
    /// as `sendDirectRequest(to:payload:width:)` sends it, without the payload and response
    /// arrays (the variable hot path allocates nothing). Returns the response's x3, or nil for
    /// FFA_SUCCESS (delivered, nothing came back).
    public mutating func mmDoorbell(to target: UInt16, x3: UInt64) throws(FFADriverError) -> UInt64? {
        _ = try requireProbed()
        let request = Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64), UInt64(ownID) << 16 | UInt64(target), 0, x3)
        guard let out = try exchange(request, target: target, responseID: FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64) else {
            return nil
        }
        return out.x3
    }
}
