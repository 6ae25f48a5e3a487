import DeviceTree

/// A devicetree node for the test builder.
struct Node {
    var name: String
    var properties: [(String, [UInt8])]
    var children: [Node]
    init(_ name: String, _ properties: [(String, [UInt8])] = [], _ children: [Node] = []) {
        self.name = name; self.properties = properties; self.children = children
    }
}

/// Property values.
enum V {
    static let empty: [UInt8] = []
    static func u32(_ v: UInt32) -> [UInt8] { be32(v) }
    static func cells(_ vs: UInt32...) -> [UInt8] { vs.flatMap(be32) }
    static func string(_ s: String) -> [UInt8] { Array(s.utf8) + [0] }
    static func strings(_ ss: String...) -> [UInt8] { ss.flatMap { Array($0.utf8) + [0] } }
    /// A 2-cell address and 2-cell size.
    static func reg(_ base: UInt64, _ size: UInt64) -> [UInt8] { be64(base) + be64(size) }
}

func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
func be64(_ v: UInt64) -> [UInt8] { be32(UInt32(v >> 32)) + be32(UInt32(v & 0xffff_ffff)) }
func read32(_ b: [UInt8], _ o: Int) -> UInt32 {
    UInt32(b[o]) << 24 | UInt32(b[o + 1]) << 16 | UInt32(b[o + 2]) << 8 | UInt32(b[o + 3])
}
func patch32(_ b: inout [UInt8], _ o: Int, _ v: UInt32) { b.replaceSubrange(o..<(o + 4), with: be32(v)) }

/// Raw structure-block tokens, for trees no well-behaved writer would make.
enum Tok {
    static func begin(_ name: String) -> [UInt8] { padded(be32(1) + Array(name.utf8) + [0]) }
    static let endNode = be32(2)
    static func prop(_ nameOffset: UInt32, _ value: [UInt8]) -> [UInt8] {
        padded(be32(3) + be32(UInt32(value.count)) + be32(nameOffset) + value)
    }
    static let nop = be32(4)
    static let end = be32(9)
    static func padded(_ b: [UInt8]) -> [UInt8] { b + [UInt8](repeating: 0, count: (4 - b.count % 4) % 4) }
}

/// Header field offsets.
enum H {
    static let magic = 0, totalSize = 4, offStruct = 8, offStrings = 12, offRsvmap = 16
    static let version = 20, lastComp = 24, sizeStrings = 32, sizeStruct = 36
}

/// Lays out header, reservation map, structure and strings blocks the way dtc does.
func assemble(structBlock: [UInt8], strings: [UInt8], reservations: [(UInt64, UInt64)] = [],
              version: UInt32 = 17, lastComp: UInt32 = 16) -> [UInt8] {
    var rsv: [UInt8] = []
    for (a, s) in reservations { rsv += be64(a) + be64(s) }
    rsv += [UInt8](repeating: 0, count: 16)
    let offRsv = 40, offStruct = offRsv + rsv.count, offStrings = offStruct + structBlock.count
    let total = offStrings + strings.count
    var h: [UInt8] = []
    for v in [0xd00d_feed, UInt32(total), UInt32(offStruct), UInt32(offStrings), UInt32(offRsv), version, lastComp,
              0, UInt32(strings.count), UInt32(structBlock.count)] {
        h += be32(v)
    }
    return h + rsv + structBlock + strings
}

/// Encodes `root` with a shared strings block.
func buildFDT(_ root: Node, reservations: [(UInt64, UInt64)] = []) -> [UInt8] {
    var strings: [UInt8] = []
    var offsets: [String: UInt32] = [:]
    func nameOffset(_ name: String) -> UInt32 {
        if let o = offsets[name] { return o }
        let o = UInt32(strings.count)
        strings += Array(name.utf8) + [0]
        offsets[name] = o
        return o
    }
    func encode(_ node: Node) -> [UInt8] {
        var out = Tok.begin(node.name)
        for (name, value) in node.properties { out += Tok.prop(nameOffset(name), value) }
        for child in node.children { out += encode(child) }
        return out + Tok.endNode
    }
    return assemble(structBlock: encode(root) + Tok.end, strings: strings, reservations: reservations)
}

/// The shape of QEMU `virt,secure=on`: a disabled secure UART and secure RAM before the real
/// ones, a bus with 1-cell addresses, cpus with 0 size cells, aliases, chosen and secure-chosen.
func qemuShapedTree(stdoutPath: String = "/pl011@9000000", extra: [Node] = []) -> Node {
    Node("", [
        ("interrupt-parent", V.u32(0x8002)),
        ("model", V.string("linux,dummy-virt")),
        ("#size-cells", V.u32(2)),
        ("#address-cells", V.u32(2)),
        ("compatible", V.string("linux,dummy-virt")),
    ], [
        Node("memory@40000000", [("reg", V.reg(0x4000_0000, 0x4000_0000)), ("device_type", V.string("memory"))]),
        Node("platform-bus@c000000", [
            ("ranges", V.cells(0, 0, 0xc00_0000, 0x200_0000)), ("#address-cells", V.u32(1)),
            ("#size-cells", V.u32(1)), ("compatible", V.strings("qemu,platform", "simple-bus")),
        ], [Node("dev@1000", [("reg", V.cells(0x1000, 0x100))])]),
        Node("pl011@9040000", [
            ("secure-status", V.string("okay")), ("status", V.string("disabled")),
            ("reg", V.reg(0x904_0000, 0x1000)), ("compatible", V.strings("arm,pl011", "arm,primecell")),
        ]),
        Node("secram@e000000", [
            ("secure-status", V.string("okay")), ("status", V.string("disabled")),
            ("reg", V.reg(0xe00_0000, 0x100_0000)), ("device_type", V.string("memory")),
        ]),
        Node("pl011@9000000", [
            ("clock-names", V.strings("uartclk", "apb_pclk")), ("interrupts", V.cells(0, 1, 4)),
            ("reg", V.reg(0x900_0000, 0x1000)), ("compatible", V.strings("arm,pl011", "arm,primecell")),
        ]),
        Node("cpus", [("#size-cells", V.u32(0)), ("#address-cells", V.u32(1))], [
            Node("cpu@0", [("reg", V.u32(0)), ("compatible", V.string("arm,arm-v8")), ("device_type", V.string("cpu"))]),
        ]),
        Node("aliases", [("serial0", V.string("/pl011@9000000")), ("serial1", V.string("/pl011@9040000"))]),
        Node("secure-chosen", [("stdout-path", V.string("/pl011@9040000"))]),
        Node("chosen", [("stdout-path", V.string(stdoutPath)), ("kaslr-seed", V.cells(1, 2))]),
    ] + extra)
}

/// `bytes` followed by `room` zero bytes, for the editor.
func withRoom(_ bytes: [UInt8], _ room: Int) -> [UInt8] { bytes + [UInt8](repeating: 0, count: room) }

/// Runs `edit` on `buffer` and returns the error, if any.
func edit(_ buffer: inout [UInt8], _ edit: (inout FDTEditor) throws(FDTError) -> Void) -> FDTError? {
    buffer.withUnsafeMutableBytes { raw -> FDTError? in
        do throws(FDTError) {
            var editor = try FDTEditor(raw)
            try edit(&editor)
            return nil
        } catch {
            return error
        }
    }
}

/// The error `FDT` rejects `bytes` with, or nil when it accepts them.
func rejection(_ bytes: [UInt8]) -> FDTError? {
    do throws(FDTError) { _ = try withFDT(bytes) { _ in 0 }; return nil } catch { return error }
}

func summary(_ bytes: [UInt8]) throws -> DeviceTreeSummary { try withFDT(bytes) { $0.summary() } }

func text(_ b: [UInt8]?) -> String? { b.map { String(decoding: $0, as: UTF8.self) } }

/// Like `withFDT`, but the body may throw anything (`#require`).
func withTree<R>(_ bytes: [UInt8], _ body: (FDT) throws -> R) throws -> R {
    try bytes.withUnsafeBytes { try body(try FDT($0)) }
}
