import Testing
@testable import Driver
import MM

func words(_ s: String) -> [[UInt8]] { s.split(separator: " ").map { Array($0.utf8) } }
func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

@Test func hexWithAndWithoutPrefix() throws {
    #expect(try ShellNumber.parseHex(bytes("8001")) == 0x8001)
    #expect(try ShellNumber.parseHex(bytes("0x8001")) == 0x8001)
    #expect(try ShellNumber.parseHex(bytes("0XfFfF")) == 0xFFFF)
    #expect(try ShellNumber.parseHex(bytes("ffffffffffffffff")) == ~0)
    #expect(try ShellNumber.parseHex(bytes("0")) == 0)
}

@Test func decimal() throws {
    #expect(try ShellNumber.parseDecimal(bytes("18446744073709551615")) == ~0)
    #expect(try ShellNumber.parse(bytes("42")) == 42)
    #expect(try ShellNumber.parse(bytes("0x42")) == 0x42)
}

@Test(arguments: ["", "0x", "12g", "-1", " 1", "1 ", "+5"])
func malformedHex(text: String) {
    #expect(throws: ShellArgumentError.malformedNumber) { _ = try ShellNumber.parseHex(bytes(text)) }
}

@Test(arguments: ["", "1a", "0x", "0x1", "1.0"])
func malformedDecimal(text: String) {
    #expect(throws: ShellArgumentError.malformedNumber) { _ = try ShellNumber.parseDecimal(bytes(text)) }
}

@Test func overflowIsAnError() {
    #expect(throws: ShellArgumentError.numberOverflow) { _ = try ShellNumber.parseHex(bytes("10000000000000000")) }
    #expect(throws: ShellArgumentError.numberOverflow) { _ = try ShellNumber.parseDecimal(bytes("18446744073709551616")) }
    #expect(throws: ShellArgumentError.numberOverflow) { _ = try ShellNumber.parseDecimal(bytes("99999999999999999999")) }
}

@Test func guidTextIsMixedEndian() throws {
    let g = try GUIDText.parse(bytes("8be4df61-93ca-11d2-aa0d-00e098032b8c"))
    #expect(g == .globalVariable)
    #expect(g.bytes == [0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93, 0xd2, 0x11, 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c])
    #expect(GUIDText.format(.smmVariableProtocol) == bytes("ed32d533-99e6-4209-9cc0-2d72cdd998a7"))
    #expect(try GUIDText.parse(bytes("ED32D533-99E6-4209-9CC0-2D72CDD998A7")) == .smmVariableProtocol)
}

@Test(arguments: ["", "8be4df61-93ca-11d2-aa0d-00e098032b8", "8be4df6193ca-11d2-aa0d-00e098032b8cc",
                  "8be4df61-93ca-11d2-aa0d-00e098032bxc", "{8be4df61-93ca-11d2-aa0d-00e098032b8c}"])
func malformedGUIDText(text: String) {
    #expect(throws: ShellArgumentError.malformedGUID) { _ = try GUIDText.parse(bytes(text)) }
}

@Test func knownGUIDNames() {
    #expect(GUIDText.knownName(.globalVariable).map { $0.description } == "EFI_GLOBAL_VARIABLE_GUID")
    #expect(GUIDText.knownName(.smmVariableProtocol) == nil)
    #expect(GUIDText.format(EFIGuid.imageSecurityDatabase) == bytes("d719b2cb-3d3a-4596-a3bc-dad00e67656f"))
}

@Test func ucs2FromUTF8() throws {
    #expect(try UCS2Text.fromUTF8(bytes("Boot")) == [0x42, 0, 0x6f, 0, 0x6f, 0, 0x74, 0, 0, 0])
    #expect(try UCS2Text.fromUTF8(bytes("é€")) == [0xe9, 0x00, 0xac, 0x20, 0, 0])
}

@Test(arguments: [[UInt8](), [0x41, 0x00], [0x80], [0xC3], [0xC0, 0x80], [0xE0, 0x80, 0x80],
                  [0xED, 0xA0, 0x80], [0xF0, 0x9F, 0x98, 0x80], [0xC3, 0x41]])
func ucs2RefusesWhatItCannotHold(text: [UInt8]) {
    #expect(throws: ShellArgumentError.malformedName) { _ = try UCS2Text.fromUTF8(text) }
}

@Test func ucs2ToUTF8() {
    #expect(UCS2Text.toUTF8([0x42, 0, 0xe9, 0, 0xac, 0x20, 0, 0, 0x41, 0]) == bytes("Bé€"))
    #expect(UCS2Text.toUTF8([0x00, 0xD8, 0x41]) == bytes("\u{FFFD}\u{FFFD}"))
}

@Test func shellWordsKeepQuotedSpaces() {
    #expect(ShellWords.split(bytes("  setenv -e  Foo =S\"a b\"\t=H01 ")) ==
            [bytes("setenv"), bytes("-e"), bytes("Foo"), bytes("=S\"a b\""), bytes("=H01")])
    #expect(ShellWords.split(bytes("")) == [])
    #expect(ShellWords.split(bytes("x \"open end")) == [bytes("x"), bytes("\"open end")])
}

@Test func attributeText() {
    #expect(VariableAttributeText.format(0x7) == bytes("NV|BS|RT"))
    #expect(VariableAttributeText.format(0x26) == bytes("BS|RT|AT"))
    #expect(VariableAttributeText.format(0) == [])
    #expect(VariableAttributeText.format(0x8000_0002) == bytes("BS|0x80000000"))
}
