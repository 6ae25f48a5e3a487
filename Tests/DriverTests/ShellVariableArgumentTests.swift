import Testing
import MM
@testable import Driver

let bootTest = try! UCS2Text.fromUTF8(Array("BootTest".utf8))

@Test func printenvDefaults() throws {
    #expect(try PrintEnvArguments.parse([]) == PrintEnvArguments(vendor: .global, showData: true, names: []))
    #expect(try PrintEnvArguments.parse(words("BootTest")) == PrintEnvArguments(names: [bootTest]))
}

@Test func printenvOptions() throws {
    let p = try PrintEnvArguments.parse(words("-guid ed32d533-99e6-4209-9cc0-2d72cdd998a7 -n BootTest Other"))
    #expect(p.vendor == .guid(.smmVariableProtocol) && !p.showData)
    #expect(p.names == [bootTest, try UCS2Text.fromUTF8(bytes("Other"))])
    #expect(try PrintEnvArguments.parse(words("-all")).vendor == .any)
}

@Test func printenvRefusals() {
    #expect(throws: ShellArgumentError.missingOptionValue(argument: 1)) { _ = try PrintEnvArguments.parse(words("-n -guid")) }
    #expect(throws: ShellArgumentError.malformedGUID) { _ = try PrintEnvArguments.parse(words("-guid nope x")) }
    #expect(throws: ShellArgumentError.conflictingOptions(argument: 1)) { _ = try PrintEnvArguments.parse(words("-all -guid 8be4df61-93ca-11d2-aa0d-00e098032b8c")) }
    #expect(throws: ShellArgumentError.conflictingOptions(argument: 2)) { _ = try PrintEnvArguments.parse(words("-guid 8be4df61-93ca-11d2-aa0d-00e098032b8c -all")) }
    #expect(throws: ShellArgumentError.unknownOption(argument: 0)) { _ = try PrintEnvArguments.parse(words("-x Boot")) }
    #expect(throws: ShellArgumentError.malformedName) { _ = try PrintEnvArguments.parse([[0xFF]]) }
}

@Test func setenvIssueExample() throws {
    // setenv -e -nv -bs -rt BootTest hello
    let s = try SetEnvArguments.parse(words("-nv -bs -rt BootTest hello"))
    #expect(s == SetEnvArguments(guid: .globalVariable, attributes: 0x7, name: bootTest, value: .bytes(bytes("hello"))))
}

@Test func setenvWithoutValueDeletes() throws {
    let s = try SetEnvArguments.parse(words("BootTest"))
    #expect(s.value == .bytes([]) && s.attributes == 0 && s.guid == .globalVariable)
}

@Test func setenvEveryFlag() throws {
    let s = try SetEnvArguments.parse(words("-guid ed32d533-99e6-4209-9cc0-2d72cdd998a7 -nv -bs -rt -at -a -v X"))
    #expect(s.attributes == 0x67 && s.verbose && s.guid == .smmVariableProtocol)
}

@Test func setenvEachAttributeAlone() throws {
    for (option, bit) in [("-nv", 0x01), ("-bs", 0x02), ("-rt", 0x04), ("-at", 0x20), ("-a", 0x40)] as [(String, UInt32)] {
        let s = try SetEnvArguments.parse(words("\(option) X"))
        #expect(s.attributes == bit && !s.verbose, "\(option)")
    }
}

/// The options' and subcommands' lookup: whole words of the list only.
@Test func wordIndexFindsWholeWordsOnly() {
    let list: StaticString = "-guid -i -v -nv -bs -rt -at -a"
    for (k, w) in ["-guid", "-i", "-v", "-nv", "-bs", "-rt", "-at", "-a"].enumerated() {
        #expect(wordIndex(bytes(w), in: list) == k, "\(w)")
    }
    for w in ["", "-", "-g", "-guidx", "-ata", "a", "-n", "-all", " ", "-guid -i"] {
        #expect(wordIndex(bytes(w), in: list) == -1, "\(w)")
    }
    #expect(wordIndex(bytes("parts"), in: "version features parts") == 2)
}

@Test func setenvSecurityDatabasesDefaultVendor() throws {
    for n in ["db", "dbx", "dbt"] {
        #expect(try SetEnvArguments.parse(words("-bs \(n) =H00")).guid == EFIGuid.imageSecurityDatabase)
    }
    #expect(try SetEnvArguments.parse(words("dbr =H00")).guid == .globalVariable)
    #expect(try SetEnvArguments.parse(words("-guid 8be4df61-93ca-11d2-aa0d-00e098032b8c db")).guid == .globalVariable)
}

@Test func setenvValueForms() throws {
    let s = try SetEnvArguments.parse(words("V =0x12 =0x1234 =0x123456 =0x0102030405 =H0aFf =\"q\" =S\"r\" plain"))
    #expect(s.value == .bytes([0x12, 0x34, 0x12, 0x56, 0x34, 0x12, 0x00, 0x05, 0x04, 0x03, 0x02, 0x01, 0, 0, 0,
                               0x0a, 0xff, 0x71, 0x72] + bytes("plain")))
    #expect(SetEnvArguments.encodeValue(bytes("=0x0123456789abcdef")) == [0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01])
    #expect(SetEnvArguments.encodeValue(bytes("=H")) == [])
    #expect(SetEnvArguments.encodeValue(bytes("=plain")) == bytes("=plain"))
    #expect(SetEnvArguments.encodeValue(bytes("=S\"a b\"")) == bytes("a b"))
}

@Test(arguments: ["=0x", "=0x1", "=0x123", "=0x12345678901234567", "=0xzz", "=H1", "=Hzz", "=\"", "=\"open", "=S\"open", "=S\""])
func setenvMalformedValues(word: String) {
    #expect(SetEnvArguments.encodeValue(bytes(word)) == nil)
    #expect(throws: ShellArgumentError.malformedValue(argument: 1)) { _ = try SetEnvArguments.parse([bytes("V"), bytes(word)]) }
}

@Test func setenvFromMemory() throws {
    let s = try SetEnvArguments.parse(words("-nv -bs -i 0x50000000,1f BootTest"))
    #expect(s.value == .memory(address: 0x5000_0000, size: 0x1f))
    #expect(try SetEnvArguments.parse(words("-i 50000000,0 X")).value == .memory(address: 0x5000_0000, size: 0))
}

@Test func setenvMemoryRefusals() throws {
    #expect(throws: ShellArgumentError.malformedMemoryRange(argument: 1)) { _ = try SetEnvArguments.parse(words("-i 50000000 X")) }
    #expect(try SetEnvArguments.parse(words("-i 50000000:10 X")).value == .memory(address: 0x5000_0000, size: 0x10))  // U-Boot's form
    #expect(throws: ShellArgumentError.malformedMemoryRange(argument: 1)) { _ = try SetEnvArguments.parse(words("-i 50000000;10 X")) }
    #expect(throws: ShellArgumentError.malformedMemoryRange(argument: 1)) { _ = try SetEnvArguments.parse(words("-i ,10 X")) }
    #expect(throws: ShellArgumentError.malformedMemoryRange(argument: 1)) { _ = try SetEnvArguments.parse(words("-i 1,1g X")) }
    #expect(throws: ShellArgumentError.malformedMemoryRange(argument: 1)) { _ = try SetEnvArguments.parse(words("-i 1,10000000000000000 X")) }
    #expect(throws: ShellArgumentError.missingOptionValue(argument: 0)) { _ = try SetEnvArguments.parse(words("-i")) }
    #expect(throws: ShellArgumentError.conflictingOptions(argument: 0)) { _ = try SetEnvArguments.parse(words("-i 1,1 X =H00")) }
}

@Test func setenvRefusals() {
    #expect(throws: ShellArgumentError.missingName) { _ = try SetEnvArguments.parse([]) }
    #expect(throws: ShellArgumentError.missingName) { _ = try SetEnvArguments.parse(words("-nv -bs")) }
    #expect(throws: ShellArgumentError.unknownOption(argument: 1)) { _ = try SetEnvArguments.parse(words("-nv -all X")) }
    #expect(throws: ShellArgumentError.missingOptionValue(argument: 0)) { _ = try SetEnvArguments.parse(words("-guid")) }
    #expect(throws: ShellArgumentError.malformedGUID) { _ = try SetEnvArguments.parse(words("-guid 1234 X")) }
    #expect(throws: ShellArgumentError.malformedName) { _ = try SetEnvArguments.parse([[0xC3]]) }
}

@Test func everyArgumentErrorHasItsOwnName() {
    let errors: [(ShellArgumentError, String)] = [
        (.malformedNumber, "not a number"), (.numberOverflow, "number too large"),
        (.malformedGUID, "GUID not in XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX format"), (.malformedName, "bad variable name"),
        (.missingOptionValue(argument: 1), "option needs a value"), (.unknownOption(argument: 1), "unknown option"),
        (.conflictingOptions(argument: 1), "conflicting options"), (.missingName, "variable name missing"),
        (.malformedValue(argument: 1), "bad value"), (.malformedMemoryRange(argument: 1), "-i needs <addr>:<size>"),
        (.wrongArgumentCount, "wrong number of arguments"), (.missingSize(argument: 1), "the initrd needs <addr>:<size>"),
        (.environmentFull, "environment full"),
    ]
    for (e, name) in errors { #expect(e.name.description == name) }
}
