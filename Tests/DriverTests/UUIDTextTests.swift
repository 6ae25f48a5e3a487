import Testing
import ABI
import MM
@testable import Driver

@Test func uBootFormNamesTheMMPartition() {
    #expect(UUIDText.parseUBoot(ascii("33d532ed-e699-0942-c09c-a798d9cd722d")) == .mmVariable)
    #expect(UUIDText.parseUBoot(ascii("33D532ED-E699-0942-C09C-A798D9CD722D")) == .mmVariable)
}

@Test func canonicalFormNamesTheMMPartition() {
    #expect(UUIDText.parseCanonical(ascii("ed32d533-99e6-4209-9cc0-2d72cdd998a7")) == .mmVariable)
    // The canonical text read the U-Boot way is another UUID.
    #expect(UUIDText.parseUBoot(ascii("ed32d533-99e6-4209-9cc0-2d72cdd998a7")) != .mmVariable)
}

@Test func formatsBothWays() {
    #expect(UUIDText.formatCanonical(.mmVariable) == ascii("ed32d533-99e6-4209-9cc0-2d72cdd998a7"))
    #expect(UUIDText.formatUBoot(.mmVariable) == ascii("33d532ed-e699-0942-c09c-a798d9cd722d"))
    #expect(UUIDText.formatCanonical(.nil) == ascii("00000000-0000-0000-0000-000000000000"))
}

@Test func roundTrips() {
    let text = ascii("378daedc-f06b-4446-8314-40ab933c87a3")
    #expect(UUIDText.parseCanonical(text) == otherUUID)
    #expect(UUIDText.formatCanonical(otherUUID) == text)
    let u = UUIDText.parseUBoot(text)
    #expect(u.map(UUIDText.formatUBoot) == text)
}

@Test(arguments: [
    "",
    "33d532ed-e699-0942-c09c-a798d9cd722",    // 35 characters
    "33d532ed-e699-0942-c09c-a798d9cd722d0",  // 37 characters
    "33d532ede-699-0942-c09c-a798d9cd722d",   // dash moved
    "33d532ed-e699-0942-c09c_a798d9cd722d",   // not a dash
    "33d532ed-e699-0942-c09c-a798d9cd722g",   // not hex
    "33d532ed0e69900942-c09c-a798d9cd722d",   // digits where dashes go
    "{3d532ed-e699-0942-c09c-a798d9cd722d",
])
func malformedUUIDTextIsRejected(text: String) {
    let bytes = Array(text.utf8)
    #expect(UUIDText.parseUBoot(bytes) == nil)
    #expect(UUIDText.parseCanonical(bytes) == nil)
}

/// What the shell prints (`printenv -e`'s vendor, `ffa parts`' UUIDs) through the writers is
/// the formatters' text, byte for byte.
@Test func writersPrintTheFormattedText() throws {
    for g in [EFIGuid.globalVariable, .imageSecurityDatabase, .smmVariableProtocol,
              try GUIDText.parse(Array("00112233-4455-6677-8899-aabbccddeeff".utf8))] {
        var out: [UInt8] = []
        GUIDText.write(g) { out.append($0) }
        #expect(out == GUIDText.format(g))
    }
    #expect(GUIDText.format(try GUIDText.parse(Array("00112233-4455-6677-8899-aabbccddeeff".utf8)))
            == Array("00112233-4455-6677-8899-aabbccddeeff".utf8))
    for u in [UUID.mmVariable, otherUUID, .nil] {
        var out: [UInt8] = []
        UUIDText.write({ u.octet($0) }) { out.append($0) }
        #expect(out == UUIDText.formatCanonical(u))
    }
}
