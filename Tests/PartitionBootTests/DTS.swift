import Foundation
import DeviceTree

/// The subset of DTS our manifest uses, turned into a flattened tree the way dtc lays one out:
/// nodes, `name = <cells>;`, `name = "string";`, `name;`, and comments. Enough to read
/// tfa/mm_partition.dts in a host test without dtc, and to write variants of it.
struct DTSNode {
    var name: String
    var properties: [(String, [UInt8])] = []
    var children: [DTSNode] = []

    subscript(child name: String) -> DTSNode? {
        get { children.first { $0.name == name } }
        set {
            if let i = children.firstIndex(where: { $0.name == name }) {
                if let v = newValue { children[i] = v } else { children.remove(at: i) }
            } else if let v = newValue { children.append(v) }
        }
    }

    subscript(property name: String) -> [UInt8]? {
        get { properties.first { $0.0 == name }?.1 }
        set {
            if let i = properties.firstIndex(where: { $0.0 == name }) {
                if let v = newValue { properties[i].1 = v } else { properties.remove(at: i) }
            } else if let v = newValue { properties.append((name, v)) }
        }
    }
}

enum DTSError: Error { case syntax(String) }

func cells(_ vs: UInt32...) -> [UInt8] { vs.flatMap(be32) }
func string(_ s: String) -> [UInt8] { Array(s.utf8) + [0] }
func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }

func parseDTS(_ text: String) throws -> DTSNode {
    var src = text
    while let open = src.range(of: "/*") {
        guard let close = src.range(of: "*/", range: open.upperBound..<src.endIndex) else { throw DTSError.syntax("comment") }
        src.removeSubrange(open.lowerBound..<close.upperBound)
    }
    src = src.split(separator: "\n", omittingEmptySubsequences: false)
        .map { line in line.range(of: "//").map { String(line[..<$0.lowerBound]) } ?? String(line) }
        .joined(separator: "\n")
    // Statements end in ';' or open a node with '{'.
    var stack: [DTSNode] = []
    var statement = ""
    var inString = false
    for ch in src {
        if ch == "\"" { inString.toggle() }
        if !inString && ch == "{" {
            let name = statement.trimmingCharacters(in: .whitespacesAndNewlines)
            stack.append(DTSNode(name: name == "/" ? "" : name))
            statement = ""
        } else if !inString && ch == ";" {
            let s = statement.trimmingCharacters(in: .whitespacesAndNewlines)
            statement = ""
            if s == "}" {
                let done = stack.removeLast()
                if stack.isEmpty { return done }
                stack[stack.count - 1].children.append(done)
            } else if s.hasPrefix("/dts-v1/") || s.isEmpty {
                continue
            } else if let eq = s.firstIndex(of: "=") {
                let name = s[..<eq].trimmingCharacters(in: .whitespaces)
                let value = s[s.index(after: eq)...].trimmingCharacters(in: .whitespacesAndNewlines)
                stack[stack.count - 1].properties.append((name, try parseValue(value)))
            } else {
                stack[stack.count - 1].properties.append((s, []))
            }
        } else {
            statement.append(ch)
        }
    }
    throw DTSError.syntax("unterminated tree")
}

private func parseValue(_ v: String) throws -> [UInt8] {
    if v.hasPrefix("\"") && v.hasSuffix("\"") { return string(String(v.dropFirst().dropLast())) }
    guard v.hasPrefix("<") && v.hasSuffix(">") else { throw DTSError.syntax(v) }
    return try v.dropFirst().dropLast().split(whereSeparator: { $0 == " " || $0 == "\t" }).flatMap { word -> [UInt8] in
        let w = String(word)
        guard let n = w.hasPrefix("0x") ? UInt32(w.dropFirst(2), radix: 16) : UInt32(w) else { throw DTSError.syntax(w) }
        return be32(n)
    }
}

/// Header, empty reservation map, structure block and strings block, as dtc writes them.
func flatten(_ root: DTSNode) -> [UInt8] {
    var strings: [UInt8] = []
    var offsets: [String: UInt32] = [:]
    func pad(_ b: [UInt8]) -> [UInt8] { b + [UInt8](repeating: 0, count: (4 - b.count % 4) % 4) }
    func encode(_ n: DTSNode) -> [UInt8] {
        var out = pad(be32(1) + Array(n.name.utf8) + [0])
        for (name, value) in n.properties {
            let off = offsets[name] ?? {
                let o = UInt32(strings.count); strings += Array(name.utf8) + [0]; offsets[name] = o; return o
            }()
            out += pad(be32(3) + be32(UInt32(value.count)) + be32(off) + value)
        }
        for c in n.children { out += encode(c) }
        return out + be32(2)
    }
    let structure = encode(root) + be32(9)
    let rsv = [UInt8](repeating: 0, count: 16)
    let offStruct = 40 + rsv.count, offStrings = offStruct + structure.count
    var h: [UInt8] = []
    for v in [0xd00d_feed, UInt32(offStrings + strings.count), UInt32(offStruct), UInt32(offStrings), 40, 17, 16, 0,
              UInt32(strings.count), UInt32(structure.count)] as [UInt32] { h += be32(v) }
    return h + rsv + structure + strings
}

/// The committed manifest, read from the repository.
func committedManifest() throws -> DTSNode {
    let here = #filePath
    let root = here.components(separatedBy: "/Tests/PartitionBootTests/").first!
    return try parseDTS(try String(contentsOfFile: root + "/tfa/mm_partition.dts", encoding: .utf8))
}
