import FuzzChecks

/// libFuzzer target: the variable log's recovery fed random flash images, then puts, removes,
/// power cuts and remounts (`FlashLogFuzz`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let broken = FlashLogFuzz.check(bytes) { fatalError("flash log: \(broken)") }
    return 0
}
