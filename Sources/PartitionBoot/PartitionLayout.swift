import Board

/// Where the MM partition finds what it serves: the MM communication buffer (non-secure memory),
/// the variable store (secure CFI flash) and the secure UART for its crash reports.
///
/// Under our monitor the partition gets no boot information and uses `qemuVirt`; under an SPMC
/// that follows the FF-A boot protocol the layout comes from its manifest, all or nothing.
public struct PartitionLayout: Equatable, Sendable {
    public var mmBuffer: Window
    public var variableStore: Window
    public var secureUART: UInt64

    public struct Window: Equatable, Sendable {
        public var base: UInt64
        public var size: UInt64
        public init(base: UInt64, size: UInt64) { self.base = base; self.size = size }
    }

    public init(mmBuffer: Window, variableStore: Window, secureUART: UInt64) {
        self.mmBuffer = mmBuffer; self.variableStore = variableStore; self.secureUART = secureUART
    }

    /// QEMU virt (board.h), the values of tfa/mm_partition.dts.
    public static let qemuVirt = PartitionLayout(
        mmBuffer: Window(base: UInt64(BOARD_MM_BUFFER_BASE), size: UInt64(BOARD_MM_BUFFER_SIZE)),
        variableStore: Window(base: UInt64(BOARD_FLASH_BASE) + UInt64(BOARD_VARSTORE_OFFSET),
                              size: UInt64(BOARD_VARSTORE_SIZE)),
        secureUART: UInt64(BOARD_UART1))
    /// The flash's erase block; the store is a whole number of them, at least two.
    public static let flashBlock = UInt64(BOARD_FLASH_BLOCK_SIZE)
    /// ed32d533-99e6-4209-9cc0-2d72cdd998a7 in FFA_PARTITION_INFO_GET register order.
    public static let uuid: [UInt32] = [0x33d5_32ed, 0x0942_e699, 0x722d_c09c, 0xa798_d9cd]

    /// The layout a manifest gives this partition, running at `imageBase`. The manifest must be
    /// ours (UUID, S-EL1, FF-A 1.1+, direct requests received, loaded where we run) and name
    /// `memory-regions/mm-comm-buffer` (read-write, non-secure, not executable) and
    /// `device-regions/variable-store` (read-write, secure, whole erase blocks);
    /// `device-regions/secure-uart` is optional.
    public init(manifest m: PartitionManifest, imageBase: UInt64) throws(ManifestError) {
        guard m.lists(uuid: PartitionLayout.uuid) else { throw .foreignUUID }
        guard m.exceptionLevel == PartitionManifest.sEL1, m.executionState == 0 else { throw .wrongExceptionLevel }
        guard m.ffaVersion >> 16 == 1, m.ffaVersion & 0xffff >= 1 else { throw .unsupportedFFAVersion }
        guard m.messagingMethod & PartitionManifest.receivesDirectRequests != 0 else { throw .noDirectRequests }
        if let load = m.loadAddress, load != imageBase { throw .wrongLoadAddress }

        guard let buffer = m.memoryRegion(named: "mm-comm-buffer") else { throw .missingRegion(.mmBuffer) }
        guard buffer.isReadWrite, buffer.isNonSecure, !buffer.isExecutable else { throw .badRegion(.mmBuffer) }
        guard let store = m.deviceRegion(named: "variable-store") else { throw .missingRegion(.variableStore) }
        let block = PartitionLayout.flashBlock
        guard store.isReadWrite, !store.isNonSecure, store.base % block == 0, store.size % block == 0,
              store.size >= 2 * block else { throw .badRegion(.variableStore) }
        var uart = PartitionLayout.qemuVirt.secureUART
        if let u = m.deviceRegion(named: "secure-uart") {
            guard u.isReadWrite, !u.isNonSecure else { throw .badRegion(.secureUART) }
            uart = u.base
        }
        self.init(mmBuffer: Window(base: buffer.base, size: buffer.size),
                  variableStore: Window(base: store.base, size: store.size), secureUART: uart)
    }
}

/// The regions the partition looks up in its manifest.
public enum PartitionRegion: Int, Equatable, Sendable {
    case mmBuffer, variableStore, secureUART

    public var name: UnsafeRawBufferPointer { PartitionRegion.names.line(rawValue) }

    /// In the order of the cases.
    static let names = TextLines("""
        memory-regions/mm-comm-buffer
        device-regions/variable-store
        device-regions/secure-uart
        """)
}

extension ManifestProperty {
    public var name: UnsafeRawBufferPointer { ManifestProperty.names.line(rawValue) }

    /// In the order of the cases.
    static let names = TextLines("""
        uuid
        ffa-version
        exception-level
        execution-state
        execution-ctx-count
        messaging-method
        id
        load-address
        entrypoint-offset
        gp-register-num
        memory-regions/device-regions compatible
        base-address
        pages-count
        attributes
        """)
}

extension ManifestError {
    /// The log line's first part; `detail` names the property or region when there is one (the
    /// log puts ": " between them).
    public var text: UnsafeRawBufferPointer {
        let i: Int
        switch self {
        case .notAManifest: i = 0
        case .missing: i = 1
        case .malformed: i = 2
        case .foreignUUID: i = 3
        case .wrongExceptionLevel: i = 4
        case .unsupportedFFAVersion: i = 5
        case .noDirectRequests: i = 6
        case .wrongLoadAddress: i = 7
        case .missingRegion: i = 8
        case .badRegion: i = 9
        }
        return ManifestError.texts.line(i)
    }

    static let texts = TextLines("""
        the FDT is not an FF-A manifest (arm,ffa-manifest-1.0)
        a required property is missing
        a property is malformed
        the manifest is not this partition's (no ed32d533-99e6-4209-9cc0-2d72cdd998a7)
        the manifest does not say S-EL1 AArch64
        the manifest's ffa-version is not 1.1 or later
        the manifest's messaging-method does not receive direct requests
        the manifest's load-address is not where the partition runs
        a region is missing
        a region has the wrong attributes, alignment or size
        """)

    public var detail: UnsafeRawBufferPointer? {
        switch self {
        case .missing(let p), .malformed(let p): return p.name
        case .missingRegion(let r), .badRegion(let r): return r.name
        default: return nil
        }
    }
}
