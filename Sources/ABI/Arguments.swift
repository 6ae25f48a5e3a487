/// The payloads of the FF-A messages, each decoded from and encoded to its own registers.

/// x4...x17: the extended argument registers of SMCCC v1.2, as FFA_MSG_SEND_DIRECT_REQ2/RESP2,
/// FFA_SUCCESS_64 and FFA_CONSOLE_LOG_64 use them.
public struct ExtendedArguments: Equatable, Sendable {
    public var x4: UInt64 = 0, x5: UInt64 = 0, x6: UInt64 = 0, x7: UInt64 = 0
    public var x8: UInt64 = 0, x9: UInt64 = 0, x10: UInt64 = 0, x11: UInt64 = 0
    public var x12: UInt64 = 0, x13: UInt64 = 0, x14: UInt64 = 0, x15: UInt64 = 0
    public var x16: UInt64 = 0, x17: UInt64 = 0

    public init() {}

    /// x4, x5, ... from `words` (at most 14; the rest 0).
    public init(words: [UInt64]) {
        var r = Registers()
        for (i, w) in words.prefix(14).enumerated() { r[4 + i] = w }
        self.init(r)
    }

    /// x4...x17 in order.
    public var words: [UInt64] {
        [x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15, x16, x17]
    }

    @usableFromInline @inline(__always)
    init(_ r: borrowing Registers) {
        x4 = r.x4; x5 = r.x5; x6 = r.x6; x7 = r.x7; x8 = r.x8; x9 = r.x9; x10 = r.x10
        x11 = r.x11; x12 = r.x12; x13 = r.x13; x14 = r.x14; x15 = r.x15; x16 = r.x16; x17 = r.x17
    }

    @usableFromInline @inline(__always)
    func encode(into r: inout Registers) {
        r.x4 = x4; r.x5 = x5; r.x6 = x6; r.x7 = x7; r.x8 = x8; r.x9 = x9; r.x10 = x10
        r.x11 = x11; r.x12 = x12; r.x13 = x13; r.x14 = x14; r.x15 = x15; r.x16 = x16; r.x17 = x17
    }
}

/// The endpoints of a message in w1: sender ID in bits 31:16, receiver ID in bits 15:0.
@usableFromInline @inline(__always)
func endpointWord(sender: UInt16, receiver: UInt16) -> UInt64 { UInt64(sender) << 16 | UInt64(receiver) }

/// FFA_MSG_SEND_DIRECT_REQ/RESP_32 and _64 (FF-A v1.2 §15.2, §15.3): w1 = endpoints,
/// w2 (x2 for SMC64) = flags, x3...x7 = five implementation-defined arguments (only their low
/// halves in the SMC32 form). Bit 31 of the flags marks a framework message; we route none, and
/// the other bits are reserved, so every flag bit is rejected.
public struct DirectMessage: Equatable, Sendable {
    public var sender: UInt16
    public var receiver: UInt16
    /// The SMC64 form (FFA_MSG_SEND_DIRECT_*_64).
    public var is64: Bool
    public var x3: UInt64, x4: UInt64, x5: UInt64, x6: UInt64, x7: UInt64

    public init(sender: UInt16, receiver: UInt16, is64: Bool,
                _ x3: UInt64 = 0, _ x4: UInt64 = 0, _ x5: UInt64 = 0, _ x6: UInt64 = 0, _ x7: UInt64 = 0) {
        self.sender = sender; self.receiver = receiver; self.is64 = is64
        self.x3 = x3; self.x4 = x4; self.x5 = x5; self.x6 = x6; self.x7 = x7
    }

    /// The width of the SMC32 form: registers above bit 31 are not part of the message.
    @usableFromInline @inline(__always) static func low(_ v: UInt64, _ is64: Bool) -> UInt64 { is64 ? v : v & 0xFFFF_FFFF }

    @inlinable @inline(__always)
    public init(decoding r: borrowing Registers, is64: Bool) throws(FFAError) {
        let flags = is64 ? r.x2 : r.x2 & 0xFFFF_FFFF
        guard flags == 0 else { throw .invalidParameters }
        let w1 = r.x1
        sender = UInt16(truncatingIfNeeded: w1 >> 16)
        receiver = UInt16(truncatingIfNeeded: w1)
        self.is64 = is64
        x3 = DirectMessage.low(r.x3, is64); x4 = DirectMessage.low(r.x4, is64)
        x5 = DirectMessage.low(r.x5, is64); x6 = DirectMessage.low(r.x6, is64)
        x7 = DirectMessage.low(r.x7, is64)
    }

    /// The width of a direct request by its function ID (w0, SVE hint cleared): true for
    /// FFA_MSG_SEND_DIRECT_REQ_64, false for _32, nil for any other function.
    @inlinable @inline(__always)
    public static func requestWidth(_ function: UInt32) -> Bool? {
        function & ~0x4000_0000 == FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32 ? function & 0x4000_0000 != 0 : nil
    }

    /// The same for a direct response (FFA_MSG_SEND_DIRECT_RESP_64 / _32).
    @inlinable @inline(__always)
    public static func responseWidth(_ function: UInt32) -> Bool? {
        function & ~0x4000_0000 == FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32 ? function & 0x4000_0000 != 0 : nil
    }

    /// The sender and receiver of the direct message in `r` (w1), or nil when its flags (w2;
    /// x2 for SMC64) are not zero: the checks of `init(decoding:is64:)` without reading the
    /// arguments, for a forwarder that copies them with `forward`.
    @inlinable @inline(__always)
    public static func endpoints(_ r: borrowing Registers, is64: Bool) -> (sender: UInt16, receiver: UInt16)? {
        guard low(r.x2, is64) == 0 else { return nil }
        return (UInt16(truncatingIfNeeded: r.x1 >> 16), UInt16(truncatingIfNeeded: r.x1))
    }

    /// The direct message in `from` (checked with `endpoints`) written over `to`, as
    /// `init(decoding:is64:)` then `encode(into:response:)` would write it: x0...x7 only, the
    /// arguments copied register to register (issue 12: forwarding copies only the argument
    /// registers; `to` keeps x8...x17).
    @inlinable @inline(__always)
    public static func forward(_ from: UnsafePointer<Registers>, to: UnsafeMutablePointer<Registers>,
                               is64: Bool, response: Bool) {
        let request = is64 ? FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64 : FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32
        unsafe to.pointee.x0 = UInt64(response ? request + 1 : request)   // RESP = REQ + 1, either width
        unsafe to.pointee.x1 = from.pointee.x1 & 0xFFFF_FFFF
        unsafe to.pointee.x2 = 0
        if is64 {   // whole registers: pairs of loads and stores
            unsafe to.pointee.x3 = from.pointee.x3
            unsafe to.pointee.x4 = from.pointee.x4
            unsafe to.pointee.x5 = from.pointee.x5
            unsafe to.pointee.x6 = from.pointee.x6
            unsafe to.pointee.x7 = from.pointee.x7
        } else {
            unsafe to.pointee.x3 = from.pointee.x3 & 0xFFFF_FFFF
            unsafe to.pointee.x4 = from.pointee.x4 & 0xFFFF_FFFF
            unsafe to.pointee.x5 = from.pointee.x5 & 0xFFFF_FFFF
            unsafe to.pointee.x6 = from.pointee.x6 & 0xFFFF_FFFF
            unsafe to.pointee.x7 = from.pointee.x7 & 0xFFFF_FFFF
        }
    }

    /// A direct request (FFA_MSG_SEND_DIRECT_REQ_32/64) from `r`; NOT_SUPPORTED for any other
    /// message (a partition's loop decodes only the one payload it serves).
    @inlinable @inline(__always)
    public init(decodingRequest r: borrowing Registers) throws(FFAError) {
        switch r.function {
        case FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64: try self.init(decoding: r, is64: true)
        case FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32: try self.init(decoding: r, is64: false)
        default: throw .notSupported
        }
    }

    /// The request (or response) written over `r`: x0...x7 (`Interface.msgSendDirectReq`/`Resp`).
    @inlinable @inline(__always)
    public func encode(into r: inout Registers, response: Bool) {
        r.x0 = UInt64(response ? (is64 ? FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64 : FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32)
                               : (is64 ? FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64 : FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32))
        encodeArguments(into: &r)
    }

    /// Writes x1...x7 (x0 is the caller's: request or response).
    @usableFromInline @inline(__always)
    func encodeArguments(into r: inout Registers) {
        r.x1 = endpointWord(sender: sender, receiver: receiver)
        r.x2 = 0
        r.x3 = DirectMessage.low(x3, is64); r.x4 = DirectMessage.low(x4, is64)
        r.x5 = DirectMessage.low(x5, is64); r.x6 = DirectMessage.low(x6, is64)
        r.x7 = DirectMessage.low(x7, is64)
    }
}

/// FFA_MSG_SEND_DIRECT_REQ2/RESP2 (FF-A v1.2 §15.4, §15.5): w1 = endpoints, x2/x3 = the
/// service UUID of a request (MBZ in a response), x4...x17 = arguments.
public struct DirectMessage2: Equatable, Sendable {
    public var sender: UInt16
    public var receiver: UInt16
    /// The request's service UUID (nil: the partition's default); always nil in a response.
    public var service: UUID
    public var arguments: ExtendedArguments

    public init(sender: UInt16, receiver: UInt16, service: UUID = .nil,
                arguments: ExtendedArguments = ExtendedArguments()) {
        self.sender = sender; self.receiver = receiver; self.service = service; self.arguments = arguments
    }

    /// FFA_MSG_SEND_DIRECT_REQ2 from `r`; NOT_SUPPORTED for any other message.
    @inlinable @inline(__always)
    public init(decodingRequest r: borrowing Registers) throws(FFAError) {
        guard r.function == FFAFunction.FFA_MSG_SEND_DIRECT_REQ2 else { throw .notSupported }
        try self.init(decoding: r, isResponse: false)
    }

    @inlinable @inline(__always)
    public init(decoding r: borrowing Registers, isResponse: Bool) throws(FFAError) {
        if isResponse { guard r.x2 == 0, r.x3 == 0 else { throw .invalidParameters } }
        sender = UInt16(truncatingIfNeeded: r.x1 >> 16)
        receiver = UInt16(truncatingIfNeeded: r.x1)
        service = UUID(lo: r.x2, hi: r.x3)
        arguments = ExtendedArguments(r)
    }

    /// The request (or response) written over `r`: x0...x17.
    @inlinable @inline(__always)
    public func encode(into r: inout Registers, response: Bool) {
        r.x0 = UInt64(response ? FFAFunction.FFA_MSG_SEND_DIRECT_RESP2 : FFAFunction.FFA_MSG_SEND_DIRECT_REQ2)
        encodeArguments(into: &r)
    }

    @usableFromInline @inline(__always)
    func encodeArguments(into r: inout Registers) {
        r.x1 = endpointWord(sender: sender, receiver: receiver)
        r.x2 = service.bytes.0; r.x3 = service.bytes.1
        arguments.encode(into: &r)
    }
}

/// FFA_SUCCESS_32 / _64 (FF-A v1.2 §12.2): w1 = target information, then the function's
/// results: w2...w7 for SMC32 (low halves only), x2...x17 for SMC64.
public struct SuccessArguments: Equatable, Sendable {
    public var target: UInt32
    public var x2: UInt64, x3: UInt64
    public var rest: ExtendedArguments

    public init(target: UInt32 = 0, _ x2: UInt64 = 0, _ x3: UInt64 = 0, rest: ExtendedArguments = ExtendedArguments()) {
        self.target = target; self.x2 = x2; self.x3 = x3; self.rest = rest
    }
}

/// FFA_CONSOLE_LOG_32/64 (FF-A v1.2 §13.11): w1 = character count (1...24 in w2...w7, four
/// per register, or 1...128 in x2...x17, eight per register), packed little-endian.
public struct ConsoleCharacters: Equatable, Sendable {
    public static let maxCharacters32 = 24
    public static let maxCharacters64 = 128

    public var count: Int
    public var is64: Bool
    public var x2: UInt64, x3: UInt64
    public var rest: ExtendedArguments

    /// Packs `text` (at most the form's maximum) into the character registers.
    public init(_ text: UnsafeBufferPointer<UInt8>, is64: Bool) {
        let limit = is64 ? ConsoleCharacters.maxCharacters64 : ConsoleCharacters.maxCharacters32
        count = min(text.count, limit)
        self.is64 = is64
        x2 = 0; x3 = 0; rest = ExtendedArguments()
        var r = Registers()
        let per = is64 ? 8 : 4
        for i in 0..<count {
            r[2 + i / per] |= UInt64(unsafe text[i]) << (8 * UInt64(i % per))
        }
        x2 = r.x2; x3 = r.x3; rest = ExtendedArguments(r)
    }

    public init(count: Int, is64: Bool, x2: UInt64, x3: UInt64, rest: ExtendedArguments) {
        self.count = count; self.is64 = is64; self.x2 = x2; self.x3 = x3; self.rest = rest
    }

    public init(decoding r: borrowing Registers, is64: Bool) throws(FFAError) {
        let n = is64 ? r.x1 : r.x1 & 0xFFFF_FFFF
        let limit = is64 ? ConsoleCharacters.maxCharacters64 : ConsoleCharacters.maxCharacters32
        guard n != 0, n <= UInt64(limit) else { throw .invalidParameters }
        count = Int(n)
        self.is64 = is64
        let mask: UInt64 = is64 ? .max : 0xFFFF_FFFF
        x2 = r.x2 & mask; x3 = r.x3 & mask
        var rest = ExtendedArguments(r)
        if !is64 {
            rest = ExtendedArguments()
            rest.x4 = r.x4 & mask; rest.x5 = r.x5 & mask; rest.x6 = r.x6 & mask; rest.x7 = r.x7 & mask
        }
        self.rest = rest
    }

    func encodeArguments(into r: inout Registers) {
        r.x1 = UInt64(count)
        let mask: UInt64 = is64 ? .max : 0xFFFF_FFFF
        r.x2 = x2 & mask; r.x3 = x3 & mask
        if is64 {
            rest.encode(into: &r)
        } else {
            r.x4 = rest.x4 & mask; r.x5 = rest.x5 & mask; r.x6 = rest.x6 & mask; r.x7 = rest.x7 & mask
        }
    }

    /// Character `i` (0..<count).
    public func character(_ i: Int) -> UInt8 {
        var r = Registers()
        r.x2 = x2; r.x3 = x3; rest.encode(into: &r)
        let per = is64 ? 8 : 4
        return UInt8(truncatingIfNeeded: r[2 + i / per] >> (8 * UInt64(i % per)))
    }
}
