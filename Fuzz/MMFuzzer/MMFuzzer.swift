import Variables
import TestSupport

/// libFuzzer target: the MM partition's request handler fed random buffers, some behind valid
/// headers (`MMVariableFuzz` cuts the bytes into requests and traps on a broken promise).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    MMVariableFuzz.run(bytes)
    return 0
}
