import Foundation
import DeviceTree

/// The subset of DTS our manifest uses, turned into a flattened tree the way dtc lays one out:
/// nodes, `name = <cells>;` (a cell may be a parenthesised sum, difference, product or
/// quotient, as dtc takes), `name = "string";`, `name;`, and comments, after the C
/// preprocessing tfa/build.py gives it (`preprocessDTS`). Enough to read tfa/mm_partition.dts
/// in a host test without dtc, and to write variants of it.
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
    // Cells: numbers, or parenthesised expressions (which may hold spaces).
    var cells: [String] = [], cell = "", depth = 0
    for ch in v.dropFirst().dropLast() {
        if (ch == " " || ch == "\t") && depth == 0 {
            if !cell.isEmpty { cells.append(cell); cell = "" }
            continue
        }
        if ch == "(" { depth += 1 } else if ch == ")" { depth -= 1 }
        cell.append(ch)
    }
    if !cell.isEmpty { cells.append(cell) }
    return try cells.flatMap { w -> [UInt8] in
        var e = Expression(text: Array(w.filter { $0 != " " && $0 != "\t" }))
        let n = try e.sum()
        guard e.at == e.text.count, let cell = UInt32(exactly: n) else { throw DTSError.syntax(w) }
        return be32(cell)
    }
}

/// Integer expressions with + - * / and parentheses, as dtc evaluates them inside `< >`.
private struct Expression {
    let text: [Character]
    var at = 0
    mutating func sum() throws -> UInt64 {
        var v = try product()
        while at < text.count, text[at] == "+" || text[at] == "-" {
            let op = text[at]; at += 1
            let r = try product()
            v = op == "+" ? v + r : v - r
        }
        return v
    }
    mutating func product() throws -> UInt64 {
        var v = try term()
        while at < text.count, text[at] == "*" || text[at] == "/" {
            let op = text[at]; at += 1
            let r = try term()
            v = op == "*" ? v * r : v / r
        }
        return v
    }
    mutating func term() throws -> UInt64 {
        if at < text.count, text[at] == "(" {
            at += 1
            let v = try sum()
            guard at < text.count, text[at] == ")" else { throw DTSError.syntax(String(text)) }
            at += 1
            return v
        }
        var word = ""
        while at < text.count, text[at].isHexDigit || text[at] == "x" || text[at] == "X" { word.append(text[at]); at += 1 }
        let lower = word.lowercased()
        guard let n = lower.hasPrefix("0x") ? UInt64(lower.dropFirst(2), radix: 16) : UInt64(lower) else {
            throw DTSError.syntax(String(text))
        }
        return n
    }
}

/// The file at `path` after the C preprocessor, run as tfa/build.py runs it (the toolchain's
/// clang, `#include "board.h"` from `includeDirectory`).
func preprocessDTS(_ path: String, includeDirectory: String) throws -> String {
    let cpp = Process()
    cpp.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    cpp.arguments = ["clang", "-E", "-P", "-undef", "-nostdinc", "-x", "assembler-with-cpp", "-I", includeDirectory, path]
    let output = Pipe()
    cpp.standardOutput = output
    try cpp.run()
    let text = output.fileHandleForReading.readDataToEndOfFile()
    cpp.waitUntilExit()
    guard cpp.terminationStatus == 0 else { throw DTSError.syntax("clang -E \(path)") }
    return String(decoding: text, as: UTF8.self)
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
    return try parseDTS(try preprocessDTS(root + "/tfa/mm_partition.dts", includeDirectory: root + "/Sources/Board/include"))
}
