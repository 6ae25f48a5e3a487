import SPMC
import TestSupport

/// libFuzzer target: the SPMC's FF-A handler fed random 18-register calls from both worlds
/// against the state the earlier calls of the input built (`SPMCFuzz` decodes the bytes).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    precondition(SPMCFuzz.run(bytes), "SPMC invariant broken")
    return 0
}
