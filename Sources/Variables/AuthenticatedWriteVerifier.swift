/// The cryptography behind authenticated writes, handed to the store by the image that serves
/// them (the MM partition, the host tool, the tests). A store without one refuses every
/// authenticated write, and an image that never hands one over (the normal world's in-process
/// fallback store) links none of the crypto nor the rules that use it.
public struct AuthenticatedWriteVerifier {
    /// `AuthenticatedWriteRules.decide`.
    let decide: (AuthenticatedWrite) -> AuthenticatedDecision
    /// Whether a value is signature lists whose X.509 certificates all parse.
    let certificatesParse: ([UInt8]) -> Bool

    /// RSA PKCS#1 v1.5 with SHA-256, X.509 and PKCS#7 of the Crypto module.
    public static var standard: AuthenticatedWriteVerifier {
        AuthenticatedWriteVerifier(decide: { AuthenticatedWriteRules.decide($0) },
                                   certificatesParse: { AuthenticatedWriteRules.certificates(in: $0) != nil })
    }
}
