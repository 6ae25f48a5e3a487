import Testing
@testable import Variables

/// `UCS2Name.group(of:in:)`, the defined-name lookup every SetVariable under EFI_GLOBAL_VARIABLE
/// makes, against a plain split of the same text.
struct DefinedVariableNameTests {
    static func ucs2(_ s: String) -> [UInt8] { s.utf8.flatMap { [$0, 0] } + [0, 0] }

    /// Each word of `text` with the index of its line.
    static func groups(_ text: StaticString) -> [String: Int] {
        var found: [String: Int] = [:]
        let lines = text.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }.split(separator: "\n", omittingEmptySubsequences: false)
        for (i, line) in lines.enumerated() {
            for word in line.split(separator: " ") where found[String(word)] == nil { found[String(word)] = i }
        }
        return found
    }

    static let texts: [StaticString] = [
        DefinedVariable.globalNames,
        DefinedVariable.imageSecurityNames,
        "a bb ccc\ndddddddd eeeeeeeee\nffffffffffffffffff g\nhhhhhhhhhhhhhhhh",
        "x",
    ]

    @Test func everyWordIsFoundInItsLine() {
        for text in Self.texts {
            for (word, line) in Self.groups(text) {
                #expect(UCS2Name.group(of: Self.ucs2(word), in: text) == line, "\(word)")
            }
        }
    }

    @Test func namesThatAreNotWordsAreNotFound() {
        for text in Self.texts {
            let words = Self.groups(text)
            for word in words.keys {
                let variants = [word + "s", String(word.dropLast()), String(word.dropFirst()), "x" + word,
                                word.lowercased(), word.uppercased(), word + " " + word, word + "\n"]
                for v in variants {
                    #expect(UCS2Name.group(of: Self.ucs2(v), in: text) == words[v], "\(v)")
                }
            }
            #expect(UCS2Name.group(of: [0, 0], in: text) == nil)
            #expect(UCS2Name.group(of: [], in: text) == nil)
            #expect(UCS2Name.group(of: [0x61, 0, 0], in: text) == nil)   // odd size
        }
    }

    @Test func aWideCharacterIsNotItsLowByte() {
        // "PK" with a high byte in its second character is not PK.
        #expect(UCS2Name.group(of: [0x50, 0, 0x4b, 0x01, 0, 0], in: DefinedVariable.globalNames) == nil)
        #expect(DefinedVariable.lookup(guid: .globalVariable, name: Self.ucs2("PK")) != nil)
        #expect(DefinedVariable.lookup(guid: .globalVariable, name: Self.ucs2("BenchProfile")) == nil)
    }
}
