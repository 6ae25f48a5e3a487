import Testing
import ABI

/// A fixed-seed generator: reproducible random register blocks.
private struct LCG {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state ^ (state >> 29)
    }
    mutating func block() -> Registers {
        var r = Registers()
        for i in 0..<Registers.count { r[i] = next() }
        return r
    }
}

/// The forwarder of the hot path writes exactly what decoding the message and encoding it over
/// the receiver's block writes, and refuses exactly what decoding refuses.
@Test func forwardWritesWhatDecodeThenEncodeWrites() {
    var g = LCG(state: 0x1234_5678)
    for round in 0..<3000 {
        var from = g.block()
        if round % 2 == 0 { from.x2 = 0 }                       // flags clear half the time
        if round % 4 == 1 { from.x2 &= 0xFFFF_FFFF_0000_0000 }   // set only above bit 31
        for is64 in [false, true] {
            let endpoints = DirectMessage.endpoints(from, is64: is64)
            let decoded = try? DirectMessage(decoding: from, is64: is64)
            #expect((endpoints == nil) == (decoded == nil))
            guard let m = decoded, let e = endpoints else { continue }
            #expect(e.sender == m.sender && e.receiver == m.receiver)
            for response in [false, true] {
                var viaCodec = g.block()
                var viaForward = viaCodec
                m.encode(into: &viaCodec, response: response)
                unsafe withUnsafePointer(to: from) { f in
                    unsafe withUnsafeMutablePointer(to: &viaForward) { t in
                        unsafe DirectMessage.forward(f, to: t, is64: is64, response: response)
                    }
                }
                #expect(viaForward == viaCodec)
            }
        }
    }
}

@Test func directMessageWidthsByFunctionID() {
    #expect(DirectMessage.requestWidth(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64) == true)
    #expect(DirectMessage.requestWidth(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32) == false)
    #expect(DirectMessage.responseWidth(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64) == true)
    #expect(DirectMessage.responseWidth(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32) == false)
    for f in [FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64, FFAFunction.FFA_MSG_SEND_DIRECT_REQ2, FFAFunction.FFA_VERSION,
              FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64 | 0x0002_0000, 0x0400_006F] {
        #expect(DirectMessage.requestWidth(f) == nil)
    }
    for f in [FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64, FFAFunction.FFA_MSG_SEND_DIRECT_RESP2, 0x0400_0070] {
        #expect(DirectMessage.responseWidth(f) == nil)
    }
}
