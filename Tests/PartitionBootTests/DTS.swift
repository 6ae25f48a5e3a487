import Foundation
import DeviceTree

/// The subset of DTS our manifest uses, turned into a flattened tree the way dtc lays one out:
/// nodes, `name = <cells>;` (a cell may be a parenthesised sum, difference, product or
/// quotient, as dtc takes), `name = "string";`, `name;`, and comments; before that, the C
/// preprocessing tfa/build.py gives it, as far as the manifest uses it (`#include "board.h"`,
/// `#define`s with and without one parameter). Enough to read tfa/mm_partition.dts in a host
/// test without cpp or dtc, and to write variants of it.
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

/// `text` after the C preprocessor, for what the manifest uses of it: comments removed,
/// `#include "file"` (from `includeDirectory`; only its `#define`s matter), `#ifndef`/`#endif`
/// guards, and `#define NAME value` or `#define NAME(x) value`, expanded wherever NAME appears.
func preprocessDTS(_ text: String, includeDirectory: String) throws -> String {
    var macros: [String: (parameter: String?, body: String)] = [:]
    func withoutComments(_ text: String) throws -> String {
        var src = text
        while let open = src.range(of: "/*") {
            guard let close = src.range(of: "*/", range: open.upperBound..<src.endIndex) else { throw DTSError.syntax("comment") }
            src.removeSubrange(open.lowerBound..<close.upperBound)
        }
        return src
    }
    func read(_ text: String) throws -> [String] {
        var out: [String] = []
        for line in try withoutComments(text).split(separator: "\n", omittingEmptySubsequences: false) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("#include") {
                let name = t.split(separator: "\"").dropFirst().first.map(String.init) ?? ""
                _ = try read(try String(contentsOfFile: includeDirectory + "/" + name, encoding: .utf8))
            } else if t.hasPrefix("#ifndef") || t.hasPrefix("#endif") {
                continue
            } else if t.hasPrefix("#define") {
                let rest = t.dropFirst("#define".count).trimmingCharacters(in: .whitespaces)
                let nameEnd = rest.firstIndex { !($0.isLetter || $0.isNumber || $0 == "_") } ?? rest.endIndex
                let name = String(rest[..<nameEnd])
                var body = rest[nameEnd...], parameter: String?
                if body.first == "(", let close = body.firstIndex(of: ")") {
                    parameter = body[body.index(after: body.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                    body = body[body.index(after: close)...]
                }
                macros[name] = (parameter, body.trimmingCharacters(in: .whitespaces))
            } else {
                out.append(String(line))
            }
        }
        return out
    }
    /// One pass of expansion over `line`: identifiers that name a macro replaced by its body.
    func expand(_ line: String) throws -> String {
        var out = "", i = line.startIndex
        while i < line.endIndex {
            guard line[i].isLetter || line[i] == "_", i == line.startIndex || !(line[line.index(before: i)].isLetter
                    || line[line.index(before: i)].isNumber || line[line.index(before: i)] == "_"
                    || line[line.index(before: i)] == "-" || line[line.index(before: i)] == "#") else {
                out.append(line[i]); i = line.index(after: i); continue
            }
            let end = line[i...].firstIndex { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == ",") } ?? line.endIndex
            let word = String(line[i..<end])
            guard let m = macros[word] else { out += word; i = end; continue }
            guard let parameter = m.parameter else { out += m.body; i = end; continue }
            // NAME(argument): the argument up to the matching parenthesis.
            guard end < line.endIndex, line[end] == "(" else { throw DTSError.syntax(line) }
            var depth = 0, j = end
            repeat {
                if line[j] == "(" { depth += 1 } else if line[j] == ")" { depth -= 1 }
                j = line.index(after: j)
            } while depth > 0 && j < line.endIndex
            guard depth == 0 else { throw DTSError.syntax(line) }
            let argument = String(line[line.index(after: end)..<line.index(before: j)])
            out += m.body.replacingOccurrences(of: parameter, with: "(" + argument + ")")
            i = j
        }
        return out
    }
    return try read(text).map { line in
        var line = line
        for _ in 0..<8 { let next = try expand(line); if next == line { break }; line = next }
        return line
    }.joined(separator: "\n")
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
    let text = try String(contentsOfFile: root + "/tfa/mm_partition.dts", encoding: .utf8)
    return try parseDTS(try preprocessDTS(text, includeDirectory: root + "/Sources/Board/include"))
}
