import Testing
@testable import Driver

private func bootWords(_ s: String) -> [[UInt8]] { s.split(separator: " ").map { Array($0.utf8) } }

@Suite struct BootiArgumentTests {
    @Test func kernelOnly() throws {
        #expect(try BootiArguments.parse(bootWords("40400000")) == BootiArguments(kernel: 0x4040_0000, initrd: nil, fdt: nil))
    }

    @Test func initrdWithSizeAndFDT() throws {
        let a = try BootiArguments.parse(bootWords("0x40400000 44000000:1c3478 40000000"))
        #expect(a == BootiArguments(kernel: 0x4040_0000, initrd: (0x4400_0000, 0x1C_3478), fdt: 0x4000_0000))
    }

    @Test func dashMeansNoInitrd() throws {
        #expect(try BootiArguments.parse(bootWords("40400000 - 48000000")) == BootiArguments(kernel: 0x4040_0000, initrd: nil, fdt: 0x4800_0000))
    }

    @Test func initrdSizeFromQfwLoadWhenTheAddressMatches() throws {
        let known: (base: UInt64, size: UInt64) = (0x4400_0000, 0x1234)
        #expect(try BootiArguments.parse(bootWords("40400000 44000000"), knownInitrd: known).initrd?.size == 0x1234)
        #expect(throws: ShellArgumentError.missingSize(argument: 1)) {
            try BootiArguments.parse(bootWords("40400000 45000000"), knownInitrd: known)
        }
        #expect(throws: ShellArgumentError.missingSize(argument: 1)) { try BootiArguments.parse(bootWords("40400000 44000000")) }
    }

    /// bootefi's `<addr>:<size>` for the image; booti refuses a size there as not a number.
    @Test func kernelSizeOnlyForBootefi() throws {
        let a = try BootiArguments.parse(bootWords("0x40400000:0x1000 44000000:10"), kernelSize: true)
        #expect(a == BootiArguments(kernel: 0x4040_0000, kernelSize: 0x1000, initrd: (0x4400_0000, 0x10), fdt: nil))
        #expect(try BootiArguments.parse(bootWords("40400000"), kernelSize: true).kernelSize == nil)
        #expect(throws: ShellArgumentError.malformedNumber) { try BootiArguments.parse(bootWords("40400000:1000")) }
        #expect(throws: ShellArgumentError.malformedNumber) { try BootiArguments.parse(bootWords("40400000:"), kernelSize: true) }
        #expect(throws: ShellArgumentError.malformedNumber) { try BootiArguments.parse(bootWords(":10"), kernelSize: true) }
        #expect(throws: ShellArgumentError.malformedNumber) { try BootiArguments.parse(bootWords("1:2:3"), kernelSize: true) }
    }

    @Test func badWords() {
        #expect(throws: ShellArgumentError.wrongArgumentCount) { try BootiArguments.parse([]) }
        #expect(throws: ShellArgumentError.wrongArgumentCount) { try BootiArguments.parse(bootWords("1 2 3 4")) }
        #expect(throws: ShellArgumentError.malformedNumber) { try BootiArguments.parse(bootWords("zz")) }
        #expect(throws: ShellArgumentError.malformedNumber) { try BootiArguments.parse(bootWords("1 44000000:")) }
        #expect(throws: ShellArgumentError.numberOverflow) { try BootiArguments.parse(bootWords("1 44000000:11112222333344445")) }
    }
}

@Suite struct ShellEnvironmentTests {
    @Test func setJoinsWordsAndReplaces() throws {
        var e = ShellEnvironment()
        try e.set(bootWords("bootargs console=ttyAMA0 rdinit=/init"))
        #expect(e.value(Array("bootargs".utf8)) == Array("console=ttyAMA0 rdinit=/init".utf8))
        try e.set(bootWords("bootargs quiet"))
        #expect(e.value(Array("bootargs".utf8)) == Array("quiet".utf8))
        #expect(e.names.count == 1 && e.values.count == 1)
    }

    @Test func noValueDeletes() throws {
        var e = ShellEnvironment()
        try e.set(bootWords("a 1"))
        try e.set(bootWords("a"))
        #expect(e.value(Array("a".utf8)) == nil)
        try e.set(bootWords("never-set"))   // deleting what is not there is fine
        #expect(e.names.isEmpty && e.values.isEmpty)
    }

    @Test func refusesBadNamesAndSizes() {
        var e = ShellEnvironment()
        #expect(throws: ShellArgumentError.missingName) { try e.set([]) }
        #expect(throws: ShellArgumentError.malformedName) { try e.set(bootWords("a=b 1")) }
        #expect(throws: ShellArgumentError.malformedName) { try e.set(Array("x".utf8) + [0], Array("1".utf8)) }
        #expect(throws: ShellArgumentError.malformedValue(argument: 1)) {
            try e.set(Array("big".utf8), [UInt8](repeating: 0x61, count: ShellEnvironment.maxValue + 1))
        }
        for i in 0..<ShellEnvironment.maxEntries { try? e.set(Array("v\(i)".utf8), Array("1".utf8)) }
        #expect(throws: ShellArgumentError.environmentFull) { try e.set(Array("one-more".utf8), Array("1".utf8)) }
    }
}
