import FuzzChecks

/// libFuzzer target: the DTB reader and editor fed random blobs (`DeviceTreeFuzz`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let broken = DeviceTreeFuzz.check(bytes) { fatalError("DeviceTree: \(broken)") }
    return 0
}
