/// What a message is, without its arguments (one byte), and the decoder of each message's
/// arguments. `Interface.decode` is these composed; a service on a hot path switches on
/// `Interface.function(of:)` and decodes only the arguments of that one message, so no
/// `Interface` value (up to 145 bytes) is built or copied there.
extension Interface {
    public enum Function: UInt8, Sendable {
        case smcccVersion, smcccArchFeatures, psciVersion, psciFeatures, psciSystemOff, psciSystemReset
        case error, success32, success64, version, features, rxRelease, rxtxMap32, rxtxMap64, rxtxUnmap
        case partitionInfoGet, partitionInfoGetRegs, idGet, spmIDGet, msgWait
        case msgSendDirectReq32, msgSendDirectReq64, msgSendDirectResp32, msgSendDirectResp64
        case msgSendDirectReq2, msgSendDirectResp2, consoleLog32, consoleLog64, abort32, abort64
        case run, interrupt, yield
    }

    /// The message `r` carries, by its function ID in w0 (bits 63:32 of x0 and bit 16, SMCCC
    /// v1.3's SVE hint, ignored); nil for a function none of our ABIs defines (NOT_SUPPORTED).
    @inlinable @inline(__always)
    public static func function(of r: borrowing Registers) -> Function? {
        function(UInt32(truncatingIfNeeded: r.x0))
    }

    /// The message a function ID in w0 names (see `function(of:)`).
    @inlinable
    public static func function(_ w0: UInt32) -> Function? {
        let id = FunctionID(w0)
        guard id.isFastCall, !id.hasReservedBitsSet else { return nil }
        let raw = id.withoutSVEHint.raw
        let is64 = id.isSMC64
        // FF-A: a jump table on the function number, then the width.
        if raw & 0xBFFF_FF00 == 0x8400_0000 {
            switch UInt8(truncatingIfNeeded: raw) {
            case 0x60: return .error                // the SMC64 form: TF-A defines it, some SPMCs use it
            case 0x62: return is64 ? nil : .interrupt
            case 0x61: return is64 ? .success64 : .success32
            case 0x63: return is64 ? nil : .version
            case 0x64: return is64 ? nil : .features
            case 0x65: return is64 ? nil : .rxRelease
            case 0x66: return is64 ? .rxtxMap64 : .rxtxMap32
            case 0x67: return is64 ? nil : .rxtxUnmap
            case 0x68: return is64 ? nil : .partitionInfoGet
            case 0x69: return is64 ? nil : .idGet
            case 0x6B: return is64 ? nil : .msgWait
            case 0x6C: return is64 ? nil : .yield
            case 0x6D: return is64 ? nil : .run
            case 0x6F: return is64 ? .msgSendDirectReq64 : .msgSendDirectReq32
            case 0x70: return is64 ? .msgSendDirectResp64 : .msgSendDirectResp32
            case 0x85: return is64 ? nil : .spmIDGet
            case 0x8A: return is64 ? .consoleLog64 : .consoleLog32
            case 0x8B: return is64 ? .partitionInfoGetRegs : nil
            case 0x8D: return is64 ? .msgSendDirectReq2 : nil
            case 0x8E: return is64 ? .msgSendDirectResp2 : nil
            case 0x90: return is64 ? .abort64 : .abort32
            // PSCI shares the owner: function numbers 0x00...0x1F.
            case 0x00: return is64 ? nil : .psciVersion
            case 0x08: return is64 ? nil : .psciSystemOff
            case 0x09: return is64 ? nil : .psciSystemReset
            case 0x0A: return is64 ? nil : .psciFeatures
            default: return nil
            }
        }
        switch raw {
        case SMCCC.SMCCC_VERSION: return .smcccVersion
        case SMCCC.SMCCC_ARCH_FEATURES: return .smcccArchFeatures
        default: return nil
        }
    }

    /// The answer `r` carries, for a caller that waits for one (the normal world's driver):
    /// `function(of:)` when that is FFA_ERROR, FFA_SUCCESS_32/64, FFA_INTERRUPT, FFA_YIELD or a
    /// direct response, nil for any other function, which such a caller treats as it treats an
    /// unknown one. Six cases, not the jump table over every function of our ABIs.
    @inlinable
    public static func answer(of r: borrowing Registers) -> Function? {
        let id = FunctionID(UInt32(truncatingIfNeeded: r.x0))
        guard id.isFastCall, !id.hasReservedBitsSet else { return nil }
        let raw = id.withoutSVEHint.raw
        guard raw & 0xBFFF_FF00 == 0x8400_0000 else { return nil }
        let is64 = id.isSMC64
        switch UInt8(truncatingIfNeeded: raw) {
        case 0x60: return .error
        case 0x61: return is64 ? .success64 : .success32
        case 0x62: return is64 ? nil : .interrupt
        case 0x6C: return is64 ? nil : .yield
        case 0x70: return is64 ? .msgSendDirectResp64 : .msgSendDirectResp32
        case 0x8E: return is64 ? .msgSendDirectResp2 : nil
        default: return nil
        }
    }

    // The arguments of each message (the caller has checked its function).

    /// SMCCC_ARCH_FEATURES, PSCI_FEATURES: the queried function ID in w1.
    @inlinable @inline(__always)
    public static func queriedFunction(_ r: borrowing Registers) -> UInt32 { UInt32(truncatingIfNeeded: r.x1) }

    /// FFA_ERROR: w1 = target information, w2 = a defined error code.
    @inlinable @inline(__always)
    public static func errorArguments(_ r: borrowing Registers) throws(FFAError) -> (target: UInt32, FFAError) {
        guard let e = FFAError(code: UInt32(truncatingIfNeeded: r.x2)) else { throw .invalidParameters }
        return (UInt32(truncatingIfNeeded: r.x1), e)
    }

    /// FFA_VERSION: the caller's version in w1 (bit 31 MBZ: NOT_SUPPORTED).
    @inlinable @inline(__always)
    public static func versionArgument(_ r: borrowing Registers) throws(FFAError) -> FFAVersion {
        guard let v = FFAVersion(word: UInt32(truncatingIfNeeded: r.x1)) else { throw .notSupported }
        return v
    }

    /// FFA_FEATURES: w1 = function or feature ID, w2 = input properties.
    @inlinable @inline(__always)
    public static func featuresArguments(_ r: borrowing Registers) -> (id: UInt32, properties: UInt32) {
        (UInt32(truncatingIfNeeded: r.x1), UInt32(truncatingIfNeeded: r.x2))
    }

    /// FFA_RX_RELEASE: the VM ID in w1 bits 15:0; bits 31:16 MBZ.
    @inlinable @inline(__always)
    public static func rxReleaseArgument(_ r: borrowing Registers) throws(FFAError) -> UInt16 {
        let w1 = UInt32(truncatingIfNeeded: r.x1)
        guard w1 >> 16 == 0 else { throw .invalidParameters }
        return UInt16(truncatingIfNeeded: w1)
    }

    /// FFA_RXTX_MAP_32/64: TX, RX (low halves for SMC32), pages in w3 bits 5:0 (31:6 MBZ).
    @inlinable @inline(__always)
    public static func rxtxMapArguments(_ r: borrowing Registers, is64: Bool) throws(FFAError)
        -> (tx: UInt64, rx: UInt64, pageCount: UInt8) {
        let pages = UInt32(truncatingIfNeeded: r.x3)
        guard pages & ~0x3F == 0 else { throw .invalidParameters }
        return (is64 ? r.x1 : r.x1 & 0xFFFF_FFFF, is64 ? r.x2 : r.x2 & 0xFFFF_FFFF, UInt8(pages))
    }

    /// FFA_RXTX_UNMAP: the endpoint ID in w1 bits 31:16; bits 15:0 MBZ.
    @inlinable @inline(__always)
    public static func rxtxUnmapArgument(_ r: borrowing Registers) throws(FFAError) -> UInt16 {
        let w1 = UInt32(truncatingIfNeeded: r.x1)
        guard w1 & 0xFFFF == 0 else { throw .invalidParameters }
        return UInt16(truncatingIfNeeded: w1 >> 16)
    }

    /// FFA_PARTITION_INFO_GET: the UUID in w1...w4, flags in w5 (bit 0 count only; 31:1 MBZ).
    @inlinable @inline(__always)
    public static func partitionInfoGetArguments(_ r: borrowing Registers) throws(FFAError)
        -> (uuid: UUID, countOnly: Bool) {
        let flags = UInt32(truncatingIfNeeded: r.x5)
        guard flags & ~1 == 0 else { throw .invalidParameters }
        return (UUID(w1: UInt32(truncatingIfNeeded: r.x1), w2: UInt32(truncatingIfNeeded: r.x2),
                     w3: UInt32(truncatingIfNeeded: r.x3), w4: UInt32(truncatingIfNeeded: r.x4)), flags == 1)
    }

    /// FFA_PARTITION_INFO_GET_REGS: the UUID in x1/x2, x3 = start | tag << 16 (63:32 MBZ).
    @inlinable @inline(__always)
    public static func partitionInfoGetRegsArguments(_ r: borrowing Registers) throws(FFAError)
        -> (uuid: UUID, start: UInt16, tag: UInt16) {
        guard r.x3 >> 32 == 0 else { throw .invalidParameters }
        return (UUID(lo: r.x1, hi: r.x2), UInt16(truncatingIfNeeded: r.x3), UInt16(truncatingIfNeeded: r.x3 >> 16))
    }

    /// FFA_MSG_WAIT: w2 bit 0 = keep RX; w1, w2 bits 31:1 and w3...w7 MBZ.
    @inlinable @inline(__always)
    public static func msgWaitArgument(_ r: borrowing Registers) throws(FFAError) -> Bool {
        let w2 = UInt32(truncatingIfNeeded: r.x2)
        guard UInt32(truncatingIfNeeded: r.x1) == 0, w2 & ~1 == 0,
              (r.x3 | r.x4 | r.x5 | r.x6 | r.x7) & 0xFFFF_FFFF == 0 else { throw .invalidParameters }
        return w2 == 1
    }

    /// w1 of FFA_RUN, FFA_INTERRUPT, FFA_YIELD, FFA_ERROR and FFA_SUCCESS: target information.
    @inlinable @inline(__always)
    public static func targetInformation(_ r: borrowing Registers) -> UInt32 { UInt32(truncatingIfNeeded: r.x1) }

    /// The function ID in w0 as received, for reports of an unexpected answer.
    @inlinable @inline(__always)
    public static func functionWord(_ r: borrowing Registers) -> UInt32 { UInt32(truncatingIfNeeded: r.x0) }

    /// FFA_ERROR's code as received in w2, whether the spec defines it or not.
    @inlinable @inline(__always)
    public static func errorCode(_ r: borrowing Registers) -> UInt32 { UInt32(truncatingIfNeeded: r.x2) }

    /// FFA_SUCCESS_32/64's first two results, w2/w3 (x2/x3 for SMC64): what most calls answer.
    @inlinable @inline(__always)
    public static func successResults(_ r: borrowing Registers, is64: Bool) -> (UInt64, UInt64) {
        is64 ? (r.x2, r.x3) : (r.x2 & 0xFFFF_FFFF, r.x3 & 0xFFFF_FFFF)
    }

    /// FFA_SUCCESS_32/64's results (only the low halves of x2...x7 for SMC32).
    public static func successArguments(_ r: borrowing Registers, is64: Bool) -> SuccessArguments {
        is64 ? SuccessArguments(target: targetInformation(r), r.x2, r.x3, rest: ExtendedArguments(r))
             : SuccessArguments(target: targetInformation(r), r.x2 & 0xFFFF_FFFF, r.x3 & 0xFFFF_FFFF, rest: low32(r))
    }

    // Encoders of the short answers (`encode(into:)` uses the same).

    /// FFA_SUCCESS_32 with w2/w3 over x0...x7.
    @inlinable @inline(__always)
    public static func encodeSuccess(into r: inout Registers, target: UInt32 = 0, _ w2: UInt64 = 0, _ w3: UInt64 = 0) {
        r.x0 = UInt64(FFAFunction.FFA_SUCCESS_32); r.x1 = UInt64(target)
        r.x2 = w2 & 0xFFFF_FFFF; r.x3 = w3 & 0xFFFF_FFFF
        r.x4 = 0; r.x5 = 0; r.x6 = 0; r.x7 = 0
    }

    /// FFA_ERROR over x0...x7.
    @inlinable @inline(__always)
    public static func encodeError(into r: inout Registers, target: UInt32 = 0, _ e: FFAError) {
        r.x0 = UInt64(FFAFunction.FFA_ERROR); r.x1 = UInt64(target); r.x2 = e.code
        r.x3 = 0; r.x4 = 0; r.x5 = 0; r.x6 = 0; r.x7 = 0
    }

    /// FFA_VERSION's answer: w0, with x1...x7 MBZ.
    @inlinable @inline(__always)
    public static func encodeVersionAnswer(into r: inout Registers, _ w0: UInt32) {
        r.x0 = UInt64(w0)
        r.x1 = 0; r.x2 = 0; r.x3 = 0; r.x4 = 0; r.x5 = 0; r.x6 = 0; r.x7 = 0
    }

    /// An answer in w0 alone.
    @inlinable @inline(__always)
    public static func encodeResult(into r: inout Registers, _ x0: UInt64) { r.x0 = x0 }

    /// The refusal of the call in `r` (`refusal(_:to:)`), written over it.
    @inlinable @inline(__always)
    public static func encodeRefusal(_ error: FFAError, into r: inout Registers) {
        let id = FunctionID(UInt32(truncatingIfNeeded: r.x0))
        let f = id.withoutSVEHint.raw
        guard id.isFastCall, !id.hasReservedBitsSet, FFAFunction.isFFA(f) else {
            encodeResult(into: &r, id.isSMC64 ? UInt64.max : UInt64(SMCCC.NOT_SUPPORTED))
            return
        }
        if f == FFAFunction.FFA_VERSION {
            encodeVersionAnswer(into: &r, SMCCC.NOT_SUPPORTED)
        } else {
            encodeError(into: &r, error)
        }
    }
}
