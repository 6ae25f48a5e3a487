import ABI

/// The normal world's endpoint (ID 0) as the SPMC tracks it.
public struct NormalWorldEndpoint: Equatable, Sendable {
    /// The FF-A version whose data formats the SPMC uses with this caller (FFA_VERSION).
    public var version: FFAVersion = SPMC.version
    /// FFA_VERSION was called and accepted at least once.
    public var versionNegotiated = false
    /// Another FF-A call has been made: the version can no longer change.
    public var versionLocked = false
    /// The RX/TX buffer pair from FFA_RXTX_MAP, if one is mapped.
    public var mailbox: Mailbox?

    public init() {}
}

/// One endpoint's RX/TX buffer pair (FF-A v1.2 §7.2 "RX/TX buffers").
public struct Mailbox: Equatable, Sendable {
    public var tx: UInt64
    public var rx: UInt64
    /// Size of each buffer in 4 KiB pages (1...63).
    public var pageCount: UInt32
    /// The SPMC filled RX and handed it to the caller, who owns it until FFA_RX_RELEASE.
    public var rxOwnedByCaller = false

    public init(tx: UInt64, rx: UInt64, pageCount: UInt32) {
        self.tx = tx
        self.rx = rx
        self.pageCount = pageCount
    }

    public var byteCount: UInt64 { UInt64(pageCount) * RxTx.pageSize }
    public var txRange: MemoryRange { MemoryRange(base: tx, size: byteCount) }
    public var rxRange: MemoryRange { MemoryRange(base: rx, size: byteCount) }
}

/// The width of a direct message: its request and response must use the same one.
public enum DirectMessageKind: Equatable, Sendable {
    case smc32   // FFA_MSG_SEND_DIRECT_REQ_32 / RESP_32
    case smc64   // FFA_MSG_SEND_DIRECT_REQ_64 / RESP_64
    case req2    // FFA_MSG_SEND_DIRECT_REQ2 / RESP2
}

/// A direct request a partition is handling.
public struct PendingRequest: Equatable, Sendable {
    /// The endpoint the response must go to.
    public var origin: UInt16
    public var kind: DirectMessageKind
}

/// A partition's runtime state (the single execution context of a UP partition).
public enum PartitionRuntime: Equatable, Sendable {
    /// Entered at boot and running its initialisation, until FFA_MSG_WAIT or FFA_ERROR.
    case initialising
    /// Idle: the next direct request may enter it.
    case waiting
    /// Running a direct request; the sender waits for the response.
    case handling(PendingRequest)
    /// Initialisation failed (FFA_ERROR) or the image could not start it: never runs again.
    case failed
    /// It reported a fatal error (FFA_ABORT, as its exception vectors do on any fault): never
    /// runs again, and requests to it are ABORTED.
    case aborted

    /// Whether the partition is the one executing (the only state in which it can make a call).
    public var isRunning: Bool {
        switch self {
        case .initialising, .handling: return true
        case .waiting, .failed, .aborted: return false
        }
    }
}

public struct PartitionState: Equatable, Sendable {
    public var info: PartitionInfo
    public var runtime: PartitionRuntime = .initialising
}
