import ABI

/// The short answers the SPMC gives in place: FFA_SUCCESS_32 with w2/w3, or FFA_VERSION's word
/// (errors are thrown). Small, so that nothing large is built or copied on the way back.
enum Reply {
    case success(UInt64 = 0, UInt64 = 0)
    case version(UInt32)

    static let success = Reply.success(0, 0)

    @inline(__always)
    func encode(into r: inout Registers) {
        switch self {
        case .success(let w2, let w3): Interface.encodeSuccess(into: &r, w2, w3)
        case .version(let w0): Interface.encodeVersionAnswer(into: &r, w0)
        }
    }
}
