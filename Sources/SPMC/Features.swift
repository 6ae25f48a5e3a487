import ABI

/// FFA_FEATURES (FF-A v1.2 §13.3) and the table of which ABI each world may call.
enum FFAFeatures {
    /// FFA_FEATURES(FFA_RXTX_MAP) w2: bits 1:0 = 0b00 (4 KiB minimum size and alignment),
    /// bits 31:16 = 0 (no maximum beyond the 63-page count field).
    static let rxtxMapProperties: UInt64 = 0

    /// Feature IDs (w1 bit 31 clear): NPI 1, SRI 2, MEI 3. None is implemented.
    static let notificationPendingInterrupt: UInt32 = 1
    static let scheduleReceiverInterrupt: UInt32 = 2
    static let managedExitInterrupt: UInt32 = 3

    /// FF-A function numbers 0x60...0x9F as bits of a word, by who may call them and in which
    /// width (TF-A's table): a bit test, not a switch, on every call.
    @inline(__always) static func bit(_ n: UInt32) -> UInt64 { 1 << UInt64(n &- 0x60) }
    /// Either world: ERROR, SUCCESS, VERSION, FEATURES, ID_GET, SPM_ID_GET; SMC64: SUCCESS_64,
    /// PARTITION_INFO_GET_REGS.
    @inline(__always) static var anyWorld32: UInt64 { bit(0x60) | bit(0x61) | bit(0x63) | bit(0x64) | bit(0x69) | bit(0x85) }
    @inline(__always) static var anyWorld64: UInt64 { bit(0x61) | bit(0x8B) }
    /// The normal world only: RX_RELEASE, RXTX_MAP, RXTX_UNMAP, PARTITION_INFO_GET, the direct
    /// requests (REQ2 is SMC64 only).
    @inline(__always) static var normal32: UInt64 { bit(0x65) | bit(0x66) | bit(0x67) | bit(0x68) | bit(0x6F) }
    @inline(__always) static var normal64: UInt64 { bit(0x66) | bit(0x6F) | bit(0x8D) }
    /// Partitions only: MSG_WAIT, the direct responses (RESP2 is SMC64 only), CONSOLE_LOG.
    @inline(__always) static var partition32: UInt64 { bit(0x6B) | bit(0x70) | bit(0x8A) }
    @inline(__always) static var partition64: UInt64 { bit(0x70) | bit(0x8A) | bit(0x8E) }
    /// Introduced in v1.1 (SPM_ID_GET) and v1.2 (CONSOLE_LOG, GET_REGS, REQ2, RESP2).
    @inline(__always) static var since1_1: UInt64 { bit(0x85) }
    @inline(__always) static var since1_2: UInt64 { bit(0x8A) | bit(0x8B) | bit(0x8D) | bit(0x8E) }

    /// Whether `world` may call `function`, given the version it negotiated.
    @inline(__always)
    static func isAvailable(_ function: UInt32, to world: World, version: FFAVersion) -> Bool {
        let number = function & 0xFF
        guard function & ~0x4000_00FF == 0x8400_0000, number >= 0x60, number < 0xA0 else { return false }
        let b = bit(number)
        let normal = world == .normal
        let mask = function & 0x4000_0000 != 0
            ? anyWorld64 | (normal ? normal64 : partition64)
            : anyWorld32 | (normal ? normal32 : partition32)
        guard mask & b != 0 else { return false }
        if since1_2 & b != 0 { return version >= .v1_2 }
        if since1_1 & b != 0 { return version >= .v1_1 }
        return true
    }

    static func isDirectRequest(_ function: UInt32) -> Bool {
        function == FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32 || function == FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64
            || function == FFAFunction.FFA_MSG_SEND_DIRECT_REQ2
    }

    static func isDirectResponse(_ function: UInt32) -> Bool {
        function == FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32 || function == FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64
            || function == FFAFunction.FFA_MSG_SEND_DIRECT_RESP2
    }

    static func isAbort(_ function: UInt32) -> Bool {
        function == FFAFunction.FFA_ABORT_32 || function == FFAFunction.FFA_ABORT_64
    }

    /// FFA_FEATURES: `id` = a function ID (bit 31 set) or a feature ID; `properties` = input
    /// properties, MBZ for every ABI we implement (TF-A answers a non-zero value with
    /// NOT_SUPPORTED).
    static func query(_ id: UInt32, properties: UInt32, from world: World,
                      version: FFAVersion) throws(FFAError) -> Reply {
        // Feature IDs (NPI, SRI, MEI, ...): no interrupts are managed, none is supported.
        guard id & 0x8000_0000 != 0 else { throw .notSupported }
        guard properties == 0, isAvailable(id, to: world, version: version) else { throw .notSupported }
        switch id {
        case FFAFunction.FFA_RXTX_MAP_32, FFAFunction.FFA_RXTX_MAP_64:
            return .success(rxtxMapProperties)
        default:
            return .success
        }
    }
}
