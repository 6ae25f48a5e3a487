/// Every FF-A, SMCCC and PSCI call and answer that we send or serve, as data (the arm-ffa
/// crate's `Interface` is the model). One encode to the SMCCC v1.2 register block and one decode
/// from it; nothing else reads or writes a function ID or a register by number.
///
/// - `encode(into:)` writes the message over a register block in place: x0...x7, or x0...x17 for
///   the ABIs that define the extended registers (`FFAFunction.definedRegisterCount`); inside
///   that span the registers the message leaves unused are MBZ and written as 0; past it the
///   block keeps what it had (SMCCC v1.2: a callee preserves the registers that carry no
///   results). `.result` writes x0 alone.
/// - `decode(_:)` reads a message that carries a function ID in w0. It rejects an unknown or
///   unsupported function with NOT_SUPPORTED and reserved values or set MBZ bits with
///   INVALID_PARAMETERS (the FF-A error codes; SMCCC and PSCI answer both as -1 in w0). A
///   register the ABI calls "SBZ" (unused) is ignored, as TF-A does.
/// - An answer in w0 alone (SMCCC and PSCI versions and status codes, FFA_VERSION's answer)
///   carries no function ID: `decodeAnswer(_:to:)` reads it knowing the call.
public enum Interface: Equatable, Sendable {
    // SMCCC architecture calls (DEN0028 §7).
    case smcccVersion
    case smcccArchFeatures(function: UInt32)
    // PSCI (DEN0022 §5).
    case psciVersion
    case psciFeatures(function: UInt32)
    case psciSystemOff
    case psciSystemReset
    /// An answer in w0 alone: an SMCCC or PSCI version or status (x0 is all ones for an SMC64
    /// call's unknown-function answer). x1...x17 stay the caller's.
    case result(UInt64)
    /// FFA_VERSION's answer: the version word or NOT_SUPPORTED in w0, x1...x7 MBZ (an FF-A
    /// answer, so it spans x0...x7 like the others).
    case versionAnswer(UInt32)

    // FF-A v1.2 (DEN0077A).
    case error(target: UInt32, FFAError)
    case success32(SuccessArguments)
    case success64(SuccessArguments)
    /// FFA_VERSION: the caller's version (bit 31 MBZ).
    case version(FFAVersion)
    /// FFA_FEATURES: w1 = a function ID (bit 31 set) or a feature ID, w2 = input properties.
    case features(id: UInt32, properties: UInt32)
    /// FFA_RX_RELEASE: w1 bits 15:0 = VM ID (a hypervisor's), bits 31:16 MBZ.
    case rxRelease(vmID: UInt16)
    /// FFA_RXTX_MAP_32/64: TX and RX base addresses, w3 bits 5:0 = pages per buffer (31:6 MBZ).
    case rxtxMap(tx: UInt64, rx: UInt64, pageCount: UInt8, is64: Bool)
    /// FFA_RXTX_UNMAP: w1 bits 31:16 = the endpoint (a hypervisor's), bits 15:0 MBZ.
    case rxtxUnmap(id: UInt16)
    /// FFA_PARTITION_INFO_GET: w1...w4 = UUID (nil: all), w5 = flags, bits 31:1 MBZ.
    case partitionInfoGet(uuid: UUID, countOnly: Bool)
    /// FFA_PARTITION_INFO_GET_REGS: x1/x2 = UUID, x3 = start index | tag << 16, bits 63:32 MBZ.
    case partitionInfoGetRegs(uuid: UUID, start: UInt16, tag: UInt16)
    case idGet
    case spmIDGet
    /// FFA_MSG_WAIT: w2 bit 0 = the caller keeps its RX buffer; w1, w2 bits 31:1, w3...w7 MBZ.
    case msgWait(retainRx: Bool)
    case msgSendDirectReq(DirectMessage)
    case msgSendDirectResp(DirectMessage)
    case msgSendDirectReq2(DirectMessage2)
    case msgSendDirectResp2(DirectMessage2)
    case consoleLog(ConsoleCharacters)
    /// FFA_ABORT (FF-A v1.3): the caller stops for good; its registers mean nothing.
    case abort(is64: Bool)
    /// FFA_RUN: w1 = endpoint ID << 16 | vCPU ID.
    case run(target: UInt32)
    /// FFA_INTERRUPT (an answer): w1 = endpoint/vCPU, w2 = interrupt ID.
    case interrupt(target: UInt32, interruptID: UInt32)
    /// FFA_YIELD: w1 = endpoint/vCPU, w2/w3 = timeout (low, high).
    case yield(target: UInt32, timeout: UInt64)

    /// The function ID in w0, or nil for `.result` and `.versionAnswer`: what `encode` writes
    /// there, so the IDs are written down once.
    public var functionID: UInt32? {
        switch self {
        case .result, .versionAnswer: return nil
        default: return UInt32(truncatingIfNeeded: registers.x0)
        }
    }

    // MARK: Encode

    /// The message written over `r` in place (see the type's comment for which registers). One
    /// switch: each case starts its span (`start`: x0 = its ID, the rest of the span MBZ) and
    /// writes its arguments.
    @inline(__always)
    public func encode(into r: inout Registers) {
        switch self {
        case .result(let x0):
            Interface.encodeResult(into: &r, x0)
        case .versionAnswer(let w0):
            Interface.encodeVersionAnswer(into: &r, w0)
        case .smcccVersion:
            Interface.start(&r, SMCCC.SMCCC_VERSION)
        case .smcccArchFeatures(let f):
            Interface.start(&r, SMCCC.SMCCC_ARCH_FEATURES); r.x1 = UInt64(f)
        case .psciVersion:
            Interface.start(&r, SMCCC.PSCI_VERSION)
        case .psciFeatures(let f):
            Interface.start(&r, SMCCC.PSCI_FEATURES); r.x1 = UInt64(f)
        case .psciSystemOff:
            Interface.start(&r, SMCCC.PSCI_SYSTEM_OFF)
        case .psciSystemReset:
            Interface.start(&r, SMCCC.PSCI_SYSTEM_RESET)
        case .error(let target, let e):
            Interface.encodeError(into: &r, target: target, e)
        case .success32(let s):
            Interface.encodeSuccess(into: &r, target: s.target, s.x2, s.x3)
            r.x4 = s.rest.x4 & 0xFFFF_FFFF; r.x5 = s.rest.x5 & 0xFFFF_FFFF
            r.x6 = s.rest.x6 & 0xFFFF_FFFF; r.x7 = s.rest.x7 & 0xFFFF_FFFF
        case .success64(let s):
            r.x0 = UInt64(FFAFunction.FFA_SUCCESS_64)
            r.x1 = UInt64(s.target); r.x2 = s.x2; r.x3 = s.x3
            s.rest.encode(into: &r)
        case .version(let v):
            Interface.start(&r, FFAFunction.FFA_VERSION); r.x1 = UInt64(v.word)
        case .features(let id, let properties):
            Interface.start(&r, FFAFunction.FFA_FEATURES); r.x1 = UInt64(id); r.x2 = UInt64(properties)
        case .rxRelease(let vm):
            Interface.start(&r, FFAFunction.FFA_RX_RELEASE); r.x1 = UInt64(vm)
        case .rxtxMap(let tx, let rx, let pages, let is64):
            Interface.start(&r, is64 ? FFAFunction.FFA_RXTX_MAP_64 : FFAFunction.FFA_RXTX_MAP_32)
            r.x1 = is64 ? tx : tx & 0xFFFF_FFFF
            r.x2 = is64 ? rx : rx & 0xFFFF_FFFF
            r.x3 = UInt64(pages & 0x3F)
        case .rxtxUnmap(let id):
            Interface.start(&r, FFAFunction.FFA_RXTX_UNMAP); r.x1 = UInt64(id) << 16
        case .partitionInfoGet(let uuid, let countOnly):
            Interface.start(&r, FFAFunction.FFA_PARTITION_INFO_GET)
            let w = uuid.words
            r.x1 = UInt64(w.0); r.x2 = UInt64(w.1); r.x3 = UInt64(w.2); r.x4 = UInt64(w.3)
            r.x5 = countOnly ? 1 : 0
        case .partitionInfoGetRegs(let uuid, let start, let tag):
            Interface.start(&r, FFAFunction.FFA_PARTITION_INFO_GET_REGS)
            r.x1 = uuid.bytes.0; r.x2 = uuid.bytes.1
            r.x3 = UInt64(start) | UInt64(tag) << 16
        case .idGet:
            Interface.start(&r, FFAFunction.FFA_ID_GET)
        case .spmIDGet:
            Interface.start(&r, FFAFunction.FFA_SPM_ID_GET)
        case .msgWait(let retain):
            Interface.start(&r, FFAFunction.FFA_MSG_WAIT); r.x2 = retain ? 1 : 0
        case .msgSendDirectReq(let m):
            m.encode(into: &r, response: false)
        case .msgSendDirectResp(let m):
            m.encode(into: &r, response: true)
        case .msgSendDirectReq2(let m):
            m.encode(into: &r, response: false)
        case .msgSendDirectResp2(let m):
            m.encode(into: &r, response: true)
        case .consoleLog(let c):
            Interface.start(&r, c.is64 ? FFAFunction.FFA_CONSOLE_LOG_64 : FFAFunction.FFA_CONSOLE_LOG_32)
            c.encodeArguments(into: &r)
        case .abort(let is64):
            Interface.start(&r, is64 ? FFAFunction.FFA_ABORT_64 : FFAFunction.FFA_ABORT_32)
        case .run(let target):
            Interface.start(&r, FFAFunction.FFA_RUN); r.x1 = UInt64(target)
        case .interrupt(let target, let id):
            Interface.start(&r, FFAFunction.FFA_INTERRUPT); r.x1 = UInt64(target); r.x2 = UInt64(id)
        case .yield(let target, let timeout):
            Interface.start(&r, FFAFunction.FFA_YIELD)
            r.x1 = UInt64(target); r.x2 = timeout & 0xFFFF_FFFF; r.x3 = timeout >> 32
        }
    }

    /// x0 = `id`, and the rest of its span (`FFAFunction.definedRegisterCount`) zero.
    @inline(never)
    static func start(_ r: inout Registers, _ id: UInt32) {
        r.x0 = UInt64(id)
        r.x1 = 0; r.x2 = 0; r.x3 = 0; r.x4 = 0; r.x5 = 0; r.x6 = 0; r.x7 = 0
        if FFAFunction.definedRegisterCount(id) > 8 {
            r.x8 = 0; r.x9 = 0; r.x10 = 0; r.x11 = 0; r.x12 = 0
            r.x13 = 0; r.x14 = 0; r.x15 = 0; r.x16 = 0; r.x17 = 0
        }
    }

    /// A fresh register block holding the message (a call's, with everything else zero).
    @inline(__always)
    public var registers: Registers {
        var r = Registers()
        encode(into: &r)
        return r
    }

    // MARK: Decode

    /// The message in `r` (w0 = its function ID; bits 63:32 of x0 and bit 16, SMCCC v1.3's SVE
    /// hint, are ignored).
    public static func decode(_ r: borrowing Registers) throws(FFAError) -> Interface {
        guard let f = function(of: r) else { throw .notSupported }
        switch f {
        case .smcccVersion: return .smcccVersion
        case .smcccArchFeatures: return .smcccArchFeatures(function: queriedFunction(r))
        case .psciVersion: return .psciVersion
        case .psciFeatures: return .psciFeatures(function: queriedFunction(r))
        case .psciSystemOff: return .psciSystemOff
        case .psciSystemReset: return .psciSystemReset
        case .error:
            let (target, e) = try errorArguments(r)
            return .error(target: target, e)
        case .success32: return .success32(successArguments(r, is64: false))
        case .success64: return .success64(successArguments(r, is64: true))
        case .version: return .version(try versionArgument(r))
        case .features:
            let (id, properties) = featuresArguments(r)
            return .features(id: id, properties: properties)
        case .rxRelease: return .rxRelease(vmID: try rxReleaseArgument(r))
        case .rxtxMap32, .rxtxMap64:
            let is64 = f == .rxtxMap64
            let (tx, rx, pages) = try rxtxMapArguments(r, is64: is64)
            return .rxtxMap(tx: tx, rx: rx, pageCount: pages, is64: is64)
        case .rxtxUnmap: return .rxtxUnmap(id: try rxtxUnmapArgument(r))
        case .partitionInfoGet:
            let (uuid, countOnly) = try partitionInfoGetArguments(r)
            return .partitionInfoGet(uuid: uuid, countOnly: countOnly)
        case .partitionInfoGetRegs:
            let (uuid, start, tag) = try partitionInfoGetRegsArguments(r)
            return .partitionInfoGetRegs(uuid: uuid, start: start, tag: tag)
        case .idGet: return .idGet
        case .spmIDGet: return .spmIDGet
        case .msgWait: return .msgWait(retainRx: try msgWaitArgument(r))
        case .msgSendDirectReq32: return .msgSendDirectReq(try DirectMessage(decoding: r, is64: false))
        case .msgSendDirectReq64: return .msgSendDirectReq(try DirectMessage(decoding: r, is64: true))
        case .msgSendDirectResp32: return .msgSendDirectResp(try DirectMessage(decoding: r, is64: false))
        case .msgSendDirectResp64: return .msgSendDirectResp(try DirectMessage(decoding: r, is64: true))
        case .msgSendDirectReq2: return .msgSendDirectReq2(try DirectMessage2(decoding: r, isResponse: false))
        case .msgSendDirectResp2: return .msgSendDirectResp2(try DirectMessage2(decoding: r, isResponse: true))
        case .consoleLog32: return .consoleLog(try ConsoleCharacters(decoding: r, is64: false))
        case .consoleLog64: return .consoleLog(try ConsoleCharacters(decoding: r, is64: true))
        case .abort32: return .abort(is64: false)
        case .abort64: return .abort(is64: true)
        case .run: return .run(target: targetInformation(r))
        case .interrupt: return .interrupt(target: targetInformation(r), interruptID: UInt32(truncatingIfNeeded: r.x2))
        case .yield: return .yield(target: targetInformation(r), timeout: r.x2 & 0xFFFF_FFFF | (r.x3 & 0xFFFF_FFFF) << 32)
        }
    }

    /// The answer in `r` to `call`: w0 alone for the SMCCC and PSCI calls and FFA_VERSION,
    /// otherwise an FF-A message (FFA_SUCCESS, FFA_ERROR, a direct response...).
    public static func decodeAnswer(_ r: borrowing Registers, to call: Interface) throws(FFAError) -> Interface {
        switch call {
        case .smcccVersion, .smcccArchFeatures, .psciVersion, .psciFeatures, .psciSystemOff,
             .psciSystemReset, .result, .versionAnswer:
            return .result(r.x0)
        case .version:
            return .versionAnswer(UInt32(truncatingIfNeeded: r.x0))
        default:
            return try decode(r)
        }
    }

    /// The answer that refuses the call in `r` with `error` (from `decode`, or from the service):
    /// FFA_ERROR for an FF-A call; -1 in w0 for an SMCCC or PSCI call, for FFA_VERSION (whose
    /// answer is a version word) and for any unknown function (all ones for an SMC64 ID).
    public static func refusal(_ error: FFAError, to r: borrowing Registers) -> Interface {
        let id = FunctionID(UInt32(truncatingIfNeeded: r.x0))
        let f = id.withoutSVEHint.raw
        guard id.isFastCall, !id.hasReservedBitsSet, FFAFunction.isFFA(f) else {
            return .result(id.isSMC64 ? UInt64.max : UInt64(SMCCC.NOT_SUPPORTED))
        }
        if f == FFAFunction.FFA_VERSION { return .versionAnswer(SMCCC.NOT_SUPPORTED) }
        return .error(target: 0, error)
    }

    @usableFromInline
    static func low32(_ r: borrowing Registers) -> ExtendedArguments {
        var e = ExtendedArguments()
        e.x4 = r.x4 & 0xFFFF_FFFF; e.x5 = r.x5 & 0xFFFF_FFFF; e.x6 = r.x6 & 0xFFFF_FFFF; e.x7 = r.x7 & 0xFFFF_FFFF
        return e
    }
}

extension Interface {
    /// FFA_SUCCESS_32 with w2/w3 (the common short answer).
    public static func success(_ w2: UInt64 = 0, _ w3: UInt64 = 0) -> Interface {
        .success32(SuccessArguments(target: 0, w2, w3))
    }

    /// FFA_ERROR with no target information.
    public static func failure(_ e: FFAError) -> Interface { .error(target: 0, e) }
}
