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

    /// The version an ABI first appeared in, for ABIs newer than v1.0.
    static func introducedIn(_ function: UInt32) -> FFAVersion {
        switch function {
        case FFAFunction.FFA_SPM_ID_GET:
            return .v1_1
        case FFAFunction.FFA_PARTITION_INFO_GET_REGS, FFAFunction.FFA_MSG_SEND_DIRECT_REQ2,
             FFAFunction.FFA_MSG_SEND_DIRECT_RESP2, FFAFunction.FFA_CONSOLE_LOG_32,
             FFAFunction.FFA_CONSOLE_LOG_64:
            return .v1_2
        default:
            return .v1_0
        }
    }

    /// Whether `world` may call `function`, given the version it negotiated.
    static func isAvailable(_ function: UInt32, to world: World, version: FFAVersion) -> Bool {
        guard version >= introducedIn(function) else { return false }
        switch function {
        case FFAFunction.FFA_ERROR, FFAFunction.FFA_SUCCESS_32, FFAFunction.FFA_SUCCESS_64,
             FFAFunction.FFA_VERSION, FFAFunction.FFA_FEATURES, FFAFunction.FFA_ID_GET,
             FFAFunction.FFA_SPM_ID_GET, FFAFunction.FFA_PARTITION_INFO_GET_REGS:
            return true
        case FFAFunction.FFA_RXTX_MAP_32, FFAFunction.FFA_RXTX_MAP_64, FFAFunction.FFA_RXTX_UNMAP,
             FFAFunction.FFA_RX_RELEASE, FFAFunction.FFA_PARTITION_INFO_GET,
             FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32, FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64,
             FFAFunction.FFA_MSG_SEND_DIRECT_REQ2:
            return world == .normal
        case FFAFunction.FFA_MSG_WAIT, FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32,
             FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64, FFAFunction.FFA_MSG_SEND_DIRECT_RESP2,
             FFAFunction.FFA_CONSOLE_LOG_32, FFAFunction.FFA_CONSOLE_LOG_64:
            return world != .normal
        default:
            return false
        }
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
                      version: FFAVersion) throws(FFAError) -> Interface {
        // Feature IDs (NPI, SRI, MEI, ...): no interrupts are managed, none is supported.
        guard id & 0x8000_0000 != 0 else { throw .notSupported }
        guard properties == 0, isAvailable(id, to: world, version: version) else { throw .notSupported }
        switch id {
        case FFAFunction.FFA_RXTX_MAP_32, FFAFunction.FFA_RXTX_MAP_64:
            return .success(rxtxMapProperties)
        default:
            return .success()
        }
    }
}
