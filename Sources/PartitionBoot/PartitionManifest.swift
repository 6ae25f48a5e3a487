import DeviceTree

/// A partition manifest as the FF-A manifest binding (v1.0, "arm,ffa-manifest-1.0") writes it,
/// read from the FDT an SPMC passes in the boot information. Only what a partition needs to
/// know about itself; each property's meaning is the binding's.
public struct PartitionManifest: Equatable, Sendable {
    /// `uuid`: one or more UUIDs, each four u32 cells in FFA_PARTITION_INFO_GET register order.
    public var uuids: [[UInt32]]
    public var ffaVersion: UInt32
    /// `exception-level`: 0 EL1, 1 S-EL0, 2 S-EL1 (binding values).
    public var exceptionLevel: UInt32
    /// `execution-state`: 0 AArch64, 1 AArch32.
    public var executionState: UInt32
    public var executionContextCount: UInt32
    /// `messaging-method` bits: 0 receives direct requests, 1 sends them, 2 indirect messages,
    /// 9 receives DIRECT_REQ2, 10 sends it.
    public var messagingMethod: UInt32
    public var id: UInt16?
    public var loadAddress: UInt64?
    public var entrypointOffset: UInt64?
    public var gpRegisterNumber: UInt32?
    public var memoryRegions: [ManifestRegion]
    public var deviceRegions: [ManifestRegion]

    public static let sEL1: UInt32 = 2
    public static let receivesDirectRequests: UInt32 = 1 << 0

    public init(_ fdt: FDT) throws(ManifestError) {
        let root = fdt.root
        guard fdt.isCompatible(root, with: "arm,ffa-manifest-1.0") else { throw .notAManifest }
        guard let uuid = fdt.property("uuid", of: root) else { throw .missing(.uuid) }
        let bytes = fdt.value(of: uuid)
        guard !bytes.isEmpty, bytes.count % 16 == 0 else { throw .malformed(.uuid) }
        var list: [[UInt32]] = []
        for i in stride(from: 0, to: bytes.count, by: 16) {
            let be = PartitionManifest.be32
            list.append([be(bytes, i), be(bytes, i + 4), be(bytes, i + 8), be(bytes, i + 12)])
        }
        uuids = list
        ffaVersion = try PartitionManifest.u32(fdt, root, "ffa-version", .ffaVersion)
        exceptionLevel = try PartitionManifest.u32(fdt, root, "exception-level", .exceptionLevel)
        executionState = try PartitionManifest.u32(fdt, root, "execution-state", .executionState)
        executionContextCount = try PartitionManifest.u32(fdt, root, "execution-ctx-count", .executionContextCount)
        messagingMethod = try PartitionManifest.u32(fdt, root, "messaging-method", .messagingMethod)
        if let v = try PartitionManifest.optionalU32(fdt, root, "id", .id) {
            guard v <= 0xffff else { throw .malformed(.id) }
            id = UInt16(v)
        } else {
            id = nil
        }
        loadAddress = try PartitionManifest.optionalU64(fdt, root, "load-address", .loadAddress)
        entrypointOffset = try PartitionManifest.optionalNumber(fdt, root, "entrypoint-offset", .entrypointOffset)
        gpRegisterNumber = try PartitionManifest.optionalU32(fdt, root, "gp-register-num", .gpRegisterNumber)
        memoryRegions = try PartitionManifest.regions(fdt, "/memory-regions",
                                                      "arm,ffa-manifest-memory-regions", loadAddress)
        deviceRegions = try PartitionManifest.regions(fdt, "/device-regions",
                                                      "arm,ffa-manifest-device-regions", loadAddress)
    }

    public func memoryRegion(named name: StaticString) -> ManifestRegion? {
        memoryRegions.first { $0.isNamed(name) }
    }

    public func deviceRegion(named name: StaticString) -> ManifestRegion? {
        deviceRegions.first { $0.isNamed(name) }
    }

    // MARK: Reading properties

    static func u32(_ fdt: FDT, _ node: FDTNode, _ name: StaticString, _ p: ManifestProperty) throws(ManifestError) -> UInt32 {
        guard let v = try optionalU32(fdt, node, name, p) else { throw .missing(p) }
        return v
    }

    static func optionalU32(_ fdt: FDT, _ node: FDTNode, _ name: StaticString,
                            _ p: ManifestProperty) throws(ManifestError) -> UInt32? {
        guard let prop = fdt.property(name, of: node) else { return nil }
        guard let v = fdt.u32(of: prop) else { throw .malformed(p) }
        return v
    }

    static func optionalU64(_ fdt: FDT, _ node: FDTNode, _ name: StaticString,
                            _ p: ManifestProperty) throws(ManifestError) -> UInt64? {
        guard let prop = fdt.property(name, of: node) else { return nil }
        let b = fdt.value(of: prop)
        guard b.count == 8 else { throw .malformed(p) }
        return UInt64(be32(b, 0)) << 32 | UInt64(be32(b, 4))
    }

    /// One cell or two (the binding's `entrypoint-offset` is a u32; some writers use a u64).
    static func optionalNumber(_ fdt: FDT, _ node: FDTNode, _ name: StaticString,
                               _ p: ManifestProperty) throws(ManifestError) -> UInt64? {
        guard let prop = fdt.property(name, of: node) else { return nil }
        let b = fdt.value(of: prop)
        switch b.count {
        case 4: return UInt64(be32(b, 0))
        case 8: return UInt64(be32(b, 0)) << 32 | UInt64(be32(b, 4))
        default: throw .malformed(p)
        }
    }

    /// The big-endian u32 cell at `b[i..<i + 4]` (callers check the length).
    static func be32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }

    /// The subnodes of `/memory-regions` or `/device-regions`; none when the node is absent.
    static func regions(_ fdt: FDT, _ path: StaticString, _ compatible: StaticString,
                        _ loadAddress: UInt64?) throws(ManifestError) -> [ManifestRegion] {
        guard let node = fdt.node(at: path) else { return [] }
        guard fdt.isCompatible(node, with: compatible) else { throw .malformed(.regions) }
        var list: [ManifestRegion] = []
        for child in fdt.children(of: node) {
            let base: UInt64
            if let b = try optionalU64(fdt, child, "base-address", .baseAddress) {
                base = b
            } else if let offset = try optionalNumber(fdt, child, "relative-address", .baseAddress), let load = loadAddress,
                      offset <= UInt64.max - load {
                base = load + offset
            } else {
                throw .missing(.baseAddress)
            }
            let pages = try u32(fdt, child, "pages-count", .pagesCount)
            let attributes = try u32(fdt, child, "attributes", .attributes)
            let region = ManifestRegion(name: fdt.name(of: child), base: base, pages: pages, attributes: attributes)
            guard pages > 0, base % ManifestRegion.pageSize == 0,
                  region.size <= UInt64.max - base else { throw .malformed(.pagesCount) }
            guard attributes & ~ManifestRegion.knownAttributes == 0 else { throw .malformed(.attributes) }
            list.append(region)
        }
        return list
    }
}

/// One subnode of `memory-regions` or `device-regions`.
public struct ManifestRegion: Equatable, Sendable {
    public static let pageSize: UInt64 = 4096
    /// `attributes` bits: 0 read, 1 write, 2 execute, 3 non-secure.
    public static let read: UInt32 = 1, write: UInt32 = 2, execute: UInt32 = 4, nonSecure: UInt32 = 8
    static let knownAttributes: UInt32 = 0xf

    /// The node name (unit address included, if any).
    public var name: [UInt8]
    public var base: UInt64
    public var pages: UInt32
    public var attributes: UInt32

    public init(name: [UInt8], base: UInt64, pages: UInt32, attributes: UInt32) {
        self.name = name; self.base = base; self.pages = pages; self.attributes = attributes
    }

    public var size: UInt64 { UInt64(pages) * ManifestRegion.pageSize }
    public var isReadWrite: Bool { attributes & (ManifestRegion.read | ManifestRegion.write) == ManifestRegion.read | ManifestRegion.write }
    public var isExecutable: Bool { attributes & ManifestRegion.execute != 0 }
    public var isNonSecure: Bool { attributes & ManifestRegion.nonSecure != 0 }

    /// Whether the node name, without a unit address, is `text`.
    public func isNamed(_ text: StaticString) -> Bool {
        let count = name.firstIndex(of: UInt8(ascii: "@")) ?? name.count
        guard count == text.utf8CodeUnitCount else { return false }
        for i in 0..<count where unsafe text.utf8Start[i] != name[i] { return false }
        return true
    }
}

/// Manifest properties, named in errors.
public enum ManifestProperty: Equatable, Sendable {
    case uuid, ffaVersion, exceptionLevel, executionState, executionContextCount, messagingMethod
    case id, loadAddress, entrypointOffset, gpRegisterNumber, regions, baseAddress, pagesCount, attributes
}

public enum ManifestError: Error, Equatable, Sendable {
    /// The FDT's root is not "arm,ffa-manifest-1.0".
    case notAManifest
    case missing(ManifestProperty)
    case malformed(ManifestProperty)
    /// The manifest is valid but does not describe this partition (see `PartitionLayout`).
    case foreignUUID, wrongExceptionLevel, unsupportedFFAVersion, noDirectRequests, wrongLoadAddress
    case missingRegion(PartitionRegion)
    case badRegion(PartitionRegion)
}
