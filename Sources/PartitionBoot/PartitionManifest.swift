import DeviceTree

/// A partition manifest as the FF-A manifest binding (v1.0, "arm,ffa-manifest-1.0") writes it,
/// read from the FDT an SPMC passes in the boot information. Only what a partition needs to
/// know about itself; each property's meaning is the binding's.
///
/// `init` reads and checks every property and every region; the UUIDs and the regions are then
/// read again from the tree, in place, when asked for (the tree must outlive the manifest): no
/// copy of them is kept.
public struct PartitionManifest {
    /// The tree, validated by `FDT.init` and checked here.
    public let fdt: FDT
    /// `uuid`: one or more UUIDs, each four u32 cells in FFA_PARTITION_INFO_GET register order.
    let uuid: FDTProperty
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

    public static let sEL1: UInt32 = 2
    public static let receivesDirectRequests: UInt32 = 1 << 0

    public init(_ fdt: FDT) throws(ManifestError) {
        typealias M = PartitionManifest
        self.fdt = fdt
        let root = fdt.root
        guard fdt.isCompatible(root, with: "arm,ffa-manifest-1.0") else { throw .notAManifest }
        guard let uuid = fdt.property("uuid", of: root) else { throw .missing(.uuid) }
        guard uuid.length > 0, uuid.length % 16 == 0 else { throw .malformed(.uuid) }
        self.uuid = uuid
        ffaVersion = try M.u32(fdt, root, "ffa-version", .ffaVersion)
        exceptionLevel = try M.u32(fdt, root, "exception-level", .exceptionLevel)
        executionState = try M.u32(fdt, root, "execution-state", .executionState)
        executionContextCount = try M.u32(fdt, root, "execution-ctx-count", .executionContextCount)
        messagingMethod = try M.u32(fdt, root, "messaging-method", .messagingMethod)
        if let v = try M.number(fdt, root, "id", .id, cells: 1) {
            guard v <= 0xffff else { throw .malformed(.id) }
            id = UInt16(v)
        } else {
            id = nil
        }
        loadAddress = try M.number(fdt, root, "load-address", .loadAddress, cells: 2)
        entrypointOffset = try M.number(fdt, root, "entrypoint-offset", .entrypointOffset, cells: M.oneOrTwo)
        gpRegisterNumber = try M.number(fdt, root, "gp-register-num", .gpRegisterNumber, cells: 1).map { UInt32($0) }
        try M.checkRegions(fdt, M.memoryRegionsPath, "arm,ffa-manifest-memory-regions", loadAddress)
        try M.checkRegions(fdt, M.deviceRegionsPath, "arm,ffa-manifest-device-regions", loadAddress)
    }

    static let memoryRegionsPath: StaticString = "/memory-regions"
    static let deviceRegionsPath: StaticString = "/device-regions"

    /// Every UUID `uuid` lists.
    public var uuids: [[UInt32]] {
        (0..<(uuid.length / 16)).map { i in (0..<4).map { fdt.cell(4 * i + $0, of: uuid) ?? 0 } }
    }

    /// Whether `uuid` lists `words` (four cells), read in place.
    public func lists(uuid words: [UInt32]) -> Bool {
        var i = 0
        while i < uuid.length / 4 {  // one UUID (four cells) a round
            if fdt.cell(i, of: uuid) == words[0], fdt.cell(i + 1, of: uuid) == words[1],
               fdt.cell(i + 2, of: uuid) == words[2], fdt.cell(i + 3, of: uuid) == words[3] { return true }
            i += 4
        }
        return false
    }

    public var memoryRegions: [ManifestRegion] { regions(PartitionManifest.memoryRegionsPath) }
    public var deviceRegions: [ManifestRegion] { regions(PartitionManifest.deviceRegionsPath) }

    /// The first memory region whose node name, without a unit address, is `name`.
    public func memoryRegion(named name: StaticString) -> ManifestRegion? {
        region(PartitionManifest.memoryRegionsPath, named: name)
    }

    public func deviceRegion(named name: StaticString) -> ManifestRegion? {
        region(PartitionManifest.deviceRegionsPath, named: name)
    }

    @inline(never)
    func region(_ group: StaticString, named name: StaticString) -> ManifestRegion? {
        guard let node = fdt.node(at: group), let child = fdt.child(of: node, named: name) else { return nil }
        return try? PartitionManifest.region(fdt, child, loadAddress)   // checked in `init`
    }

    func regions(_ group: StaticString) -> [ManifestRegion] {
        var list: [ManifestRegion] = []
        var next = fdt.node(at: group).flatMap { fdt.firstChild(of: $0) }
        while let child = next {  // ends: each sibling lies after the one before
            if let r = try? PartitionManifest.region(fdt, child, loadAddress) { list.append(r) }
            next = fdt.nextSibling(of: child)
        }
        return list
    }

    // MARK: Reading properties

    /// `cells` for a value of one cell or two (the binding's `entrypoint-offset` is a u32; some
    /// writers use a u64).
    static let oneOrTwo = 0

    /// Property `name` of `node` as a number of `cells` cells (or `oneOrTwo`); nil when absent.
    @inline(never)
    static func number(_ fdt: FDT, _ node: FDTNode, _ name: StaticString, _ p: ManifestProperty,
                       cells: Int) throws(ManifestError) -> UInt64? {
        guard let prop = fdt.property(name, of: node) else { return nil }
        guard cells == oneOrTwo || prop.length == 4 * cells, let v = fdt.number(of: prop) else { throw .malformed(p) }
        return v
    }

    /// A required one-cell property.
    @inline(never)
    static func u32(_ fdt: FDT, _ node: FDTNode, _ name: StaticString, _ p: ManifestProperty) throws(ManifestError) -> UInt32 {
        guard let v = try number(fdt, node, name, p, cells: 1) else { throw .missing(p) }
        return UInt32(v)
    }

    /// Checks every subnode of `/memory-regions` or `/device-regions`; none when the node is absent.
    static func checkRegions(_ fdt: FDT, _ path: StaticString, _ compatible: StaticString,
                             _ loadAddress: UInt64?) throws(ManifestError) {
        guard let node = fdt.node(at: path) else { return }
        guard fdt.isCompatible(node, with: compatible) else { throw .malformed(.regions) }
        var next = fdt.firstChild(of: node)
        while let child = next {  // ends: each sibling lies after the one before
            _ = try region(fdt, child, loadAddress)
            next = fdt.nextSibling(of: child)
        }
    }

    /// One region node, checked.
    @inline(never)
    static func region(_ fdt: FDT, _ node: FDTNode, _ loadAddress: UInt64?) throws(ManifestError) -> ManifestRegion {
        let base: UInt64
        if let b = try number(fdt, node, "base-address", .baseAddress, cells: 2) {
            base = b
        } else if let offset = try number(fdt, node, "relative-address", .baseAddress, cells: oneOrTwo),
                  let load = loadAddress, offset <= UInt64.max - load {
            base = load + offset
        } else {
            throw .missing(.baseAddress)
        }
        let pages = try u32(fdt, node, "pages-count", .pagesCount)
        let attributes = try u32(fdt, node, "attributes", .attributes)
        let region = ManifestRegion(base: base, pages: pages, attributes: attributes)
        guard pages > 0, base % ManifestRegion.pageSize == 0,
              region.size <= UInt64.max - base else { throw .malformed(.pagesCount) }
        guard attributes & ~ManifestRegion.knownAttributes == 0 else { throw .malformed(.attributes) }
        return region
    }
}

/// One subnode of `memory-regions` or `device-regions`.
public struct ManifestRegion: Equatable, Sendable {
    public static let pageSize: UInt64 = 4096
    /// `attributes` bits: 0 read, 1 write, 2 execute, 3 non-secure.
    public static let read: UInt32 = 1, write: UInt32 = 2, execute: UInt32 = 4, nonSecure: UInt32 = 8
    static let knownAttributes: UInt32 = 0xf

    public var base: UInt64
    public var pages: UInt32
    public var attributes: UInt32

    public init(base: UInt64, pages: UInt32, attributes: UInt32) {
        self.base = base; self.pages = pages; self.attributes = attributes
    }

    public var size: UInt64 { UInt64(pages) * ManifestRegion.pageSize }
    public var isReadWrite: Bool { attributes & (ManifestRegion.read | ManifestRegion.write) == ManifestRegion.read | ManifestRegion.write }
    public var isExecutable: Bool { attributes & ManifestRegion.execute != 0 }
    public var isNonSecure: Bool { attributes & ManifestRegion.nonSecure != 0 }
}

/// Manifest properties, named in errors.
public enum ManifestProperty: Int, Equatable, Sendable {
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
