import ABI
import Hardware
import Platform

/// One FF-A call to the SPMC at EL3.
func ffa(_ r: Registers) -> Registers { smcCall(r) }

/// Called by Startup/partition_entry.S at S-EL1.
@_cdecl("partition_main")
public func partition_main() -> Never {
    var request = ffa(Registers(UInt64(FFAFunction.FFA_MSG_WAIT)))
    while true {
        var response = Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64))
        response.x1 = (request.x1 & 0xFFFF) << 16 | (request.x1 >> 16) & 0xFFFF
        request = ffa(response)
    }
}

@_cdecl("partition_exception")
public func partition_exception(_ frame: UnsafeMutablePointer<UInt64>, _ kind: UInt64) {
    crash(ExceptionFrame(frame), kind: kind, el: 1)
}
