/// One word onto a list of words, and one byte onto a word: out of line, one copy of the
/// array's append (with its growth path, ~100 B inlined) for all the shell's lists and words.
@inline(never)
public func appendWord(_ word: [UInt8], to list: inout [[UInt8]]) { list.append(word) }

@inline(never)
public func appendByte(_ byte: UInt8, to word: inout [UInt8]) { word.append(byte) }

/// Splits a shell line into words at spaces and tabs. Text inside double quotes does not split
/// and keeps its quotes, so U-Boot's `="a b"` and `=S"a b"` values reach the parser whole.
/// An unterminated quote runs to the end of the line.
public enum ShellWords {
    public static func split(_ line: [UInt8]) -> [[UInt8]] {
        var words: [[UInt8]] = []
        var word: [UInt8] = []
        var inWord = false
        var quoted = false
        for c in line {
            if !quoted && (c == UInt8(ascii: " ") || c == UInt8(ascii: "\t")) {
                if inWord { words.append(word); word = []; inWord = false }
                continue
            }
            if c == UInt8(ascii: "\"") { quoted.toggle() }
            word.append(c)
            inWord = true
        }
        if inWord { words.append(word) }
        return words
    }
}
