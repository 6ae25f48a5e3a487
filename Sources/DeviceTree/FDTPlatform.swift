/// The SMCCC conduit PSCI answers on (devicetree binding arm/psci: `method`).
public enum PSCIMethod: Equatable, Sendable {
    case smc, hvc
}

/// A child of `/reserved-memory` (binding reserved-memory/reserved-memory.yaml).
public struct FDTReservedRegion: Equatable, Sendable {
    public var name: [UInt8]
    public var base: UInt64
    public var size: UInt64
    /// `no-map`: the OS must not map the region at all.
    public var noMap: Bool
    public init(name: [UInt8], base: UInt64, size: UInt64, noMap: Bool) {
        self.name = name; self.base = base; self.size = size; self.noMap = noMap
    }
}

/// What the platform needs from the tree, with Linux's reading of each rule.
extension FDT {
    /// `reg` of every enabled child of the root with `device_type = "memory"`. (A disabled one
    /// exists on QEMU `virt,secure=on`: the secure RAM.)
    @inline(never) public func memoryRanges() -> [FDTRegion] {
        var ranges: [FDTRegion] = []
        forEachChild(of: root) { node in
            if string(of: property("device_type", of: node), is: "memory"), isEnabled(node) {
                if let reg = regCells(of: node) {
                    for i in 0..<reg.count { FDTRegion.append(region(i, of: reg), to: &ranges) }
                }
            }
            return true
        }
        return ranges
    }

    /// `body` with each range `memoryRanges()` lists, in its order, read in place (no array).
    @inline(never) public func forEachMemoryRange(_ body: (FDTRegion) -> Void) {
        forEachChild(of: root) { node in
            if string(of: property("device_type", of: node), is: "memory"), isEnabled(node) {
                if let reg = regCells(of: node) {
                    for i in 0..<reg.count { body(region(i, of: reg)) }
                }
            }
            return true
        }
    }

    /// `stdout-path` of `chosen` (or the older `linux,stdout-path`) without its ":options".
    @inline(never) public func stdoutPath(chosen: StaticString = "/chosen") -> [UInt8]? {
        stdoutPathText(chosen: chosen).map { Array($0) }
    }

    /// `stdoutPath` where it lies in the blob.
    @inline(never) public func stdoutPathText(chosen: StaticString = "/chosen") -> UnsafeRawBufferPointer? {
        stdoutPathRange(chosen: chosen).map { UnsafeRawBufferPointer(rebasing: bytes[$0]) }
    }

    @inline(never) private func stdoutPathRange(chosen: StaticString) -> Range<Int>? {
        guard let node = node(at: chosen),
              let p = property("stdout-path", of: node) ?? property("linux,stdout-path", of: node),
              let range = stringRange(of: p) else { return nil }
        var end = range.lowerBound
        while end < range.upperBound, bytes[end] != UInt8(ascii: ":") { end += 1 }
        return range.lowerBound..<end
    }

    /// The node `stdout-path` names: a full path, or an alias resolved through `/aliases`.
    @inline(never) public func stdoutNode(chosen: StaticString = "/chosen") -> FDTNode? {
        guard let range = stdoutPathRange(chosen: chosen) else { return nil }
        let path = UnsafeRawBufferPointer(rebasing: bytes[range])
        if path.first == UInt8(ascii: "/") { return node(atPath: path) }
        guard let aliases = node(at: "/aliases"), let alias = property(named: path, of: aliases),
              let target = stringRange(of: alias) else { return nil }
        return node(atPath: UnsafeRawBufferPointer(rebasing: bytes[target]))
    }

    /// The console UART's base address (FDTConsole.swift: `consoleChoice`).
    public func consoleUART(chosen: StaticString = "/chosen") -> UInt64? {
        consoleChoice(chosen: chosen).uart?.base
    }

    /// `method` of `/psci`, or of the first node compatible with "arm,psci*"; nil without PSCI.
    @inline(never) public func psciMethod() -> PSCIMethod? {
        method(of: node(at: "/psci") ?? firstNode(compatible: "arm,psci", prefix: true))
    }

    /// `method` of `node` ("smc" or "hvc"), for PSCI and OP-TEE alike: one reader for both.
    @inline(never) private func method(of node: FDTNode?) -> PSCIMethod? {
        guard let node, let p = property("method", of: node) else { return nil }
        if string(of: p, is: "smc") { return .smc }
        if string(of: p, is: "hvc") { return .hvc }
        return nil
    }

    /// The conduit secure firmware answers SMCCC calls on: PSCI's `method`, else OP-TEE's
    /// (`linaro,optee-tz`, normally under `/firmware`), as Linux's SMCCC users read it.
    @inline(never) public func smcccMethod() -> PSCIMethod? {
        if let psci = psciMethod() { return psci }
        return method(of: firstNode(compatible: "linaro,optee-tz", enabledOnly: true))
    }

    /// Children of `/reserved-memory` that have a `reg` (dynamically placed ones have none).
    public func reservedMemory() -> [FDTReservedRegion] {
        var regions: [FDTReservedRegion] = []
        forEachReservedRegion { node, r, noMap in
            regions.append(FDTReservedRegion(name: name(of: node), base: r.base, size: r.size, noMap: noMap))
        }
        return regions
    }

    /// `body` with each region `reservedMemory()` lists, in its order, read in place: the node,
    /// the range and whether it is `no-map` (no array of names built).
    @inline(never) public func forEachReservedRegion(_ body: (FDTNode, FDTRegion, Bool) -> Void) {
        guard let parent = node(at: "/reserved-memory") else { return }
        forEachChild(of: parent) { node in
            if let reg = regCells(of: node) {
                let noMap = property("no-map", of: node) != nil
                for i in 0..<reg.count { body(node, region(i, of: reg), noMap) }
            }
            return true
        }
    }

    /// The memory reservation block (§5.3), without its terminator.
    @inline(never) public func reservationMap() -> [FDTRegion] {
        var regions: [FDTRegion] = []
        var offset = reservationStart
        // `init` found the block's end inside the blob, and the blob only ever grows (edits):
        // every entry before the terminator reads in bounds, one load a field.
        while offset < reservationEnd &- 16 {
            FDTRegion.append(FDTRegion(base: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)),
                                       size: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset &+ 8, as: UInt64.self))),
                             to: &regions)
            offset &+= 16
        }
        return regions
    }

    /// The root's `model`.
    @inline(never) public func model() -> [UInt8]? {
        property("model", of: root).flatMap { string(of: $0) }
    }

    /// The root's `model` where it lies in the blob (`model()` without a copy).
    @inline(never) public func modelText() -> UnsafeRawBufferPointer? {
        property("model", of: root).flatMap { stringRange(of: $0) }.map { UnsafeRawBufferPointer(rebasing: bytes[$0]) }
    }

    /// The root's `compatible` list.
    public func rootCompatible() -> [[UInt8]] {
        var list: [[UInt8]] = []
        forEachRootCompatible { list.append(Array($0)) }
        return list
    }

    /// `body` with each string of the root's `compatible` where it lies, in order (an
    /// unterminated tail dropped).
    @inline(never) public func forEachRootCompatible(_ body: (UnsafeRawBufferPointer) -> Void) {
        guard let p = property("compatible", of: root) else { return }
        forEachString(of: p) { body(UnsafeRawBufferPointer(rebasing: bytes[$0])); return true }
    }

    /// The node's name with its unit address where it lies in the blob (`name(of:)` without a copy).
    public func nameText(of node: FDTNode) -> UnsafeRawBufferPointer {
        nameRange(of: node).map { UnsafeRawBufferPointer(rebasing: bytes[$0]) } ?? UnsafeRawBufferPointer(start: nil, count: 0)
    }

    @inline(never) public func summary() -> DeviceTreeSummary {
        DeviceTreeSummary(
            version: version, totalSize: totalSize, model: model(), compatible: rootCompatible(),
            memory: memoryRanges(), reserved: reservedMemory(), reservationMap: reservationMap(),
            stdoutPath: stdoutPath(), console: consoleChoice(), psci: psciMethod(), smccc: smcccMethod(),
            fwCfg: fwCfgBase(), mmBuffer: mmBuffer())
    }
}

/// What a tree says of the platform, in one value (`parseAll`, the host tests); the shell's `dt`
/// reads the tree itself (NormalWorld's `withBootTree`).
public struct DeviceTreeSummary: Equatable, Sendable {
    public var version: UInt32
    public var totalSize: Int
    public var model: [UInt8]?
    public var compatible: [[UInt8]]
    public var memory: [FDTRegion]
    public var reserved: [FDTReservedRegion]
    public var reservationMap: [FDTRegion]
    public var stdoutPath: [UInt8]?
    public var console: ConsoleChoice
    public var psci: PSCIMethod?
    /// The conduit for FF-A and other SMCCC calls (`smcccMethod`).
    public var smccc: PSCIMethod?
    /// QEMU's fw_cfg, when the tree lists it.
    public var fwCfg: UInt64?
    /// The MM shared buffer our monitor reserved.
    public var mmBuffer: FDTRegion?
    public var consoleUART: UInt64? { console.uart?.base }
}

/// The fuzzing entry: validates `data` and, when it is accepted, runs every query over every
/// node. Returns a value derived from the answers so nothing is optimised away.
public func parseAll(_ data: UnsafeRawBufferPointer) -> Int {
    let fdt: FDT
    do { fdt = try FDT(data) } catch { return -1 }
    let s = fdt.summary()
    var sum = s.memory.count &+ s.reserved.count &+ s.reservationMap.count &+ Int(truncatingIfNeeded: s.consoleUART ?? 0)
    sum &+= Int(truncatingIfNeeded: (s.fwCfg ?? 0) &+ (s.mmBuffer?.base ?? 0)) &+ (s.console.uart?.regShift ?? 0)
    sum &+= Int(truncatingIfNeeded: fdt.interruptController()?.distributor ?? 0)
    var paths = 0
    fdt.forEachNode { node, depth in
        sum &+= depth &+ fdt.name(of: node).count &+ fdt.addressCells(of: node) &+ fdt.sizeCells(of: node)
        sum &+= (fdt.reg(of: node)?.count ?? 0) &+ (fdt.isEnabled(node) ? 1 : 0)
        // Translation walks the tree from the root: capped like the paths below to stay linear.
        if paths < 64 { sum &+= Int(truncatingIfNeeded: fdt.translatedReg(of: node)?.first?.base ?? 0) }
        sum &+= fdt.isCompatible(node, withPrefix: "arm,") ? 1 : 0
        sum &+= fdt.children(of: node).count
        for p in fdt.properties(of: node) {
            sum &+= fdt.name(of: p).count &+ fdt.value(of: p).count &+ fdt.strings(of: p).count
            sum &+= Int(fdt.u32(of: p) ?? 0)
            // Property values as paths exercise the path parser; capped to stay linear.
            if paths < 64, let text = fdt.string(of: p) {
                paths += 1
                sum &+= fdt.node(at: text) == nil ? 0 : 1
            }
        }
        return true
    }
    return sum
}

/// `parseAll` over an array, for tests and the fuzzer's corpus.
public func parseAll(_ bytes: [UInt8]) -> Int { bytes.withUnsafeBytes { parseAll($0) } }

/// Runs `body` on the tree in `bytes` (for tests and fuzzing; firmware reads the DTB in place).
public func withFDT<R>(_ bytes: [UInt8], _ body: (FDT) throws(FDTError) -> R) throws(FDTError) -> R {
    let result: Result<R, FDTError> = bytes.withUnsafeBytes { raw in
        do throws(FDTError) { return .success(try body(try FDT(raw))) } catch { return .failure(error) }
    }
    return try result.get()
}
