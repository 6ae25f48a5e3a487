import Driver
import Platform

/// The serial console shell: line editing (backspace, history with the arrow keys) and a
/// command table. Input and output are bytes; no String anywhere.
enum Shell {
    static let maxLine = 512
    static let historyDepth = 8

    static func run() -> Never {
        var history: [[UInt8]] = []
        KernelLoader.environment = ShellEnvironment()
        Autoboot.run()
        Console.line("Type 'help' for commands.")
        while true {
            Console.write("=> ")
            let line = readLine(history: history)
            if !line.isEmpty && (history.last ?? []) != line {
                appendWord(line, to: &history)
                if history.count > historyDepth { history = words(history, from: 1) }   // the oldest dropped
            }
            execute(ShellWords.split(line))
        }
    }

    nonisolated(unsafe) static var lastWasCR = false

    /// Reads one line with echo; CR, LF or CR LF ends it.
    @inline(never)   // a `make bench` boot mark (qemu/bench.py)
    static func readLine(history: [[UInt8]]) -> [UInt8] {
        var line: [UInt8] = []
        var recall = history.count
        var escape = 0
        var tooLong = false   // characters were dropped: the line is refused, not run cut short
        while true {
            let c = Console.getByte()
            if c == 10 && lastWasCR { lastWasCR = false; continue }
            lastWasCR = c == 13
            if escape == 1 { escape = c == 91 ? 2 : 0; continue }     // ESC [
            if escape == 2 {
                escape = 0
                if (c == 65 && recall > 0) || (c == 66 && recall < history.count) {  // up / down
                    recall += c == 65 ? -1 : 1
                    for _ in line { Console.write("\u{8} \u{8}") }
                    line = recall < history.count ? history[recall] : []
                    tooLong = false
                    Console.bytes(line)
                }
                continue
            }
            switch c {
            case 13, 10:
                Console.put(10)
                if tooLong { Console.line("line longer than 512 characters: ignored"); return [] }
                return line
            case 8, 127:
                if !line.isEmpty { line.removeLast(); Console.write("\u{8} \u{8}") }
            case 27:
                escape = 1
            case 3:                                                     // Ctrl-C drops the line
                Console.line("^C")
                return []
            case 32...126:
                if line.count < maxLine { appendByte(c, to: &line); Console.put(c) } else { tooLong = true }
            default:
                break
            }
        }
    }

    static func execute(_ args: [[UInt8]]) {
        guard let name = args.first else { return }
        var found = false
        Commands.each { command in
            guard unsafe name.withUnsafeBufferPointer({ command.named($0) }) else { return true }
            command.run(args); found = true
            return false
        }
        if found { return }
        Console.write("Unknown command '"); Console.bytes(name); Console.line("' - try 'help'")
    }
}


/// The words of `list` from `start` on: one copy loop for every command that hands its
/// arguments on, and for the history dropping its oldest line (no slice of arrays converted,
/// no removeFirst, at each).
@inline(never)
func words(_ list: [[UInt8]], from start: Int) -> [[UInt8]] {
    var out: [[UInt8]] = []
    var i = start
    while i < list.count { appendWord(list[i], to: &out); i += 1 }
    return out
}

