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
        var start = 0
        var quoted = false
        for i in 0...line.count {
            let end = i == line.count || (!quoted && (line[i] == UInt8(ascii: " ") || line[i] == UInt8(ascii: "\t")))
            if !end {
                if line[i] == UInt8(ascii: "\"") { quoted.toggle() }
                continue
            }
            if i > start {   // each word copied once
                var word: [UInt8] = []
                for k in start..<i { appendByte(line[k], to: &word) }
                appendWord(word, to: &words)
            }
            start = i + 1
        }
        return words
    }
}
