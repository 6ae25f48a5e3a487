import FuzzChecks

/// libFuzzer target: DER elements, X.509 certificates and PKCS#7 SignedData (`DERFuzz`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let broken = DERFuzz.check(bytes) { fatalError("DER: \(broken)") }
    return 0
}
