import Platform

#if !PROOF
/// What a build adds to this image: nothing in the product. The proof build
/// (`make proof`, build/proof/normal.elf) compiles Sources/Proof/NormalWorld into this module
/// with `-D PROOF`; its ImageExtensions adds the proof commands and the exceptions they provoke.
enum ImageExtensions {
    static var commands: [Command] { [] }

    /// An exception a proof command provoked on purpose; the product has none.
    static func handleException(_ frame: ExceptionFrame, kind: UInt64, el: Int) -> Bool { false }

    /// The HCR_EL2 traps for an EL2 stub mode other than "hvc"; the product knows no other.
    static func el2StubTraps(_ mode: [UInt8]) -> UInt64? { nil }

    /// The shell is about to start at EL1 behind the EL2 stub.
    static func shellAtEL1() {}
}
#endif
