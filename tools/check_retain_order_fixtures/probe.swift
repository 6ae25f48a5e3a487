// tools/check_retain_order.py --self-test: with -assume-single-threaded alone, the Swift LLVM
// ARC pass moves the retain that `var broken = good` needs below the uniqueness check of
// `broken[0] = 0x41`, so the store lands in good's storage.
@inline(never) func use(_ a: [UInt8], _ b: [UInt8]) -> UInt8 { a[0] &+ b[0] }

public func probe(_ n: Int) -> UInt8 {
    let good = [UInt8](repeating: 7, count: n)
    var broken = good
    broken[0] = 0x41
    return use(good, broken)
}
