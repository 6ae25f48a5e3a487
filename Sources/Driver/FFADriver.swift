import ABI

/// The normal world's FF-A driver, generic over the instruction that carries its calls.
///
/// Order of use: `probe()`, `mapRXTX(_:)` (or `start(buffers:)` for both), then discovery and
/// messaging; `unmapRXTX()` before handing over to an OS. Every answer is decoded or rejected
/// with a typed error; nothing an SPMC sends traps.
public struct FFADriver<C: Conduit> {
    public var conduit: C
    /// How many times a call answered with BUSY or RETRY is issued again.
    public var retryLimit: Int
    /// How many FFA_RUN calls follow FFA_INTERRUPT or FFA_YIELD within one request.
    public var runLimit: Int

    /// `SMCCC_VERSION`'s answer (0 before `probe()`).
    public private(set) var smcccVersion: UInt32 = 0
    /// Result registers the conduit carries: 8 (SMCCC v1.1, x0-x7) or 18 (v1.2, x0-x17).
    public private(set) var registerCount: Int = 8
    /// The version the SPMC answered to `FFA_VERSION`.
    public private(set) var spmcVersion: FFAVersion? = nil
    /// The version both sides use: min(ours, theirs). Nil until `probe()` succeeds.
    public private(set) var version: FFAVersion? = nil
    /// Our endpoint ID from `FFA_ID_GET` (0 for the physical normal-world instance).
    public private(set) var ownID: UInt16 = 0
    /// The mapped RX/TX pair, if any.
    public private(set) var rxtx: RXTXMapping? = nil
    /// FFA_FEATURES(FFA_PARTITION_INFO_GET_REGS), asked once.
    var partitionInfoGetRegsSupported: Bool? = nil

    /// The FF-A version this driver implements and asks for.
    public static var requestedVersion: FFAVersion { .v1_2 }

    public init(conduit: C, retryLimit: Int = 32, runLimit: Int = 1024) {
        self.conduit = conduit
        self.retryLimit = max(0, retryLimit)
        self.runLimit = max(0, runLimit)
    }

    /// SMCCC_VERSION, then FFA_VERSION(1.2), then FFA_ID_GET.
    ///
    /// SMCCC below 1.1 or FFA_VERSION NOT_SUPPORTED mean no FF-A. Any version 1.x is accepted
    /// and the lower of the two is used (FF-A v1.2 §13.2: same major, the caller works at the
    /// lower minor). Call it once: SPMCs lock the version at the first other call.
    public mutating func probe() throws(FFADriverError) {
        version = nil
        spmcVersion = nil
        registerCount = 8

        let smccc = answerWord(to: .smcccVersion)
        if smccc == SMCCC.NOT_SUPPORTED { throw .noFFA(.smcccVersionNotSupported) }
        guard smccc & 0x8000_0000 == 0, smccc >= SMCCC.version1_1 else { throw .noFFA(.smcccTooOld(smccc)) }
        smcccVersion = smccc
        registerCount = smccc >= SMCCC.version1_2 ? Registers.count : 8

        let ours = Self.requestedVersion
        let answer = answerWord(to: .version(ours))
        if answer == SMCCC.NOT_SUPPORTED { throw .noFFA(.ffaVersionNotSupported) }
        guard let theirs = FFAVersion(word: answer), theirs.major == ours.major else {
            throw .versionIncompatible(answer)
        }

        let id = try callExpectingSuccess(.idGet)
        ownID = UInt16(truncatingIfNeeded: id.x2)
        spmcVersion = theirs
        version = min(theirs, ours)
    }

    /// `probe()` followed by `mapRXTX(buffers)`.
    public mutating func start<B: RXTXBuffers>(buffers: B) throws(FFADriverError) {
        try probe()
        try mapRXTX(buffers)
    }

    /// FFA_FEATURES for a function ID (bit 31 set) or a feature ID; nil when NOT_SUPPORTED.
    /// Out of line: the discovery, the RX/TX mapping and `ffa features` each inlined a copy.
    @inline(never)
    public mutating func features(_ id: UInt32, input: UInt32 = 0) throws(FFADriverError) -> FeatureProperties? {
        _ = try requireProbed()
        do throws(FFADriverError) {
            let s = try callExpectingSuccess(.features(id: id, properties: input))
            return FeatureProperties(w2: UInt32(truncatingIfNeeded: s.x2), w3: UInt32(truncatingIfNeeded: s.x3))
        } catch .ffa(.notSupported) {
            return nil
        }
    }

    /// Maps the pair with FFA_RXTX_MAP_64 at the minimum size FFA_FEATURES(FFA_RXTX_MAP_64)
    /// reports (FF-A v1.2 §7.2: x1 TX, x2 RX, w3 page count in 4 KiB units).
    public mutating func mapRXTX<B: RXTXBuffers>(_ buffers: B) throws(FFADriverError) {
        _ = try requireProbed()
        // The SPMC keeps one pair per endpoint and would answer DENIED.
        if rxtx != nil { throw .ffa(.denied) }
        guard let props = try features(FFAFunction.FFA_RXTX_MAP_64) else { throw .ffa(.notSupported) }
        guard let size = RXTXMapping.minimumSize(rxtxMapProperties: props.w2) else {
            throw .malformedProperties(props.w2)
        }
        let tx = buffers.txAddress, rx = buffers.rxAddress
        guard buffers.capacity >= size, tx != 0, rx != 0, tx != rx,
              tx % UInt64(size) == 0, rx % UInt64(size) == 0 else { throw .rxtxBuffersUnsuitable }
        _ = try callExpectingSuccess(.rxtxMap(tx: tx, rx: rx, pageCount: UInt8(size / 4096), is64: true))
        rxtx = RXTXMapping(txAddress: tx, rxAddress: rx, size: size)
    }

    /// FFA_RXTX_UNMAP with w1 = 0 (the ID field is for hypervisors). Does nothing when nothing is
    /// mapped. The OS that follows shares endpoint ID 0 and maps its own pair. Out of line: both
    /// hand-overs (booti's, ExitBootServices') call it.
    @inline(never)
    public mutating func unmapRXTX() throws(FFADriverError) {
        guard rxtx != nil else { return }
        _ = try callExpectingSuccess(.rxtxUnmap(id: 0))
        rxtx = nil
    }

    /// FFA_RX_RELEASE (w1 = 0): gives the RX buffer back to the SPMC.
    public mutating func rxRelease() throws(FFADriverError) {
        _ = try callExpectingSuccess(.rxRelease(vmID: 0))
    }

    // MARK: - Plumbing

    /// One call through the conduit. Under SMCCC v1.1 only x0-x7 come back defined, so the
    /// rest reads as zero.
    mutating func invoke(_ regs: Registers) -> Registers {
        var out = regs
        invoke(inPlace: &out)
        return out
    }

    /// `invoke` with the answer written over `regs`.
    @inline(never)
    mutating func invoke(inPlace regs: inout Registers) {
        conduit.call(inPlace: &regs)
        if registerCount < Registers.count {
            for i in registerCount..<Registers.count { regs[i] = 0 }
        }
    }

    /// An answer in w0 alone (SMCCC_VERSION, FFA_VERSION): its low 32 bits
    /// (`Interface.decodeAnswer` reads these two answers as `.result` and `.versionAnswer`).
    @inline(__always)
    mutating func answerWord(to call: Interface) -> UInt32 {
        UInt32(truncatingIfNeeded: invoke(call.registers).x0)
    }

    /// Issues `call` and accepts FFA_SUCCESS (either width) with its first two results;
    /// FFA_ERROR becomes its code.
    @inline(__always)
    mutating func callExpectingSuccess(_ call: Interface) throws(FFADriverError) -> (x2: UInt64, x3: UInt64) {
        try callExpectingSuccess(registers: call.registers)
    }

    /// `callExpectingSuccess` of a call already encoded: one copy, whatever the call.
    mutating func callExpectingSuccess(registers: Registers) throws(FFADriverError) -> (x2: UInt64, x3: UInt64) {
        let out = invoke(registers)
        switch Interface.answer(of: out) {
        case .success32?: return Interface.successResults(out, is64: false)
        case .success64?: return Interface.successResults(out, is64: true)
        case .error?: throw .fromErrorAnswer(out)
        default: throw .unexpectedFunction(Interface.functionWord(out))
        }
    }

    func requireProbed() throws(FFADriverError) -> FFAVersion {
        guard let v = version else { throw .noFFA(.notProbed) }
        return v
    }
}
