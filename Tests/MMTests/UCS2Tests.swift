import Testing
@testable import MM

@Test func asciiBecomesUCS2LEWithTerminator() {
    #expect(UCS2.fromASCII("AB") == [0x41, 0, 0x42, 0, 0, 0])
    #expect(UCS2.fromASCII("") == [0, 0])
    #expect(UCS2.fromASCII(bytes: [0x41]) == [0x41, 0, 0, 0])
}

@Test func terminatedSizeStopsAtTheFirstNulCharacter() {
    #expect(UCS2.terminatedSize([0x41, 0, 0, 0]) == 4)
    #expect(UCS2.terminatedSize([0x41, 0, 0, 0, 0x42, 0, 0, 0]) == 4)
    #expect(UCS2.terminatedSize([0, 0x41, 0x41, 0]) == nil)  // NUL bytes straddling characters do not count
    #expect(UCS2.terminatedSize([0x41, 0, 0]) == nil)        // an odd tail byte is not a character
    #expect(UCS2.terminatedSize([]) == nil)
    #expect(UCS2.normalized([0x41, 0, 0, 0, 0x42, 0]) == [0x41, 0, 0, 0])
    #expect(UCS2.isWellFormed([0x41, 0, 0, 0]) && !UCS2.isWellFormed([0, 0, 0]) && !UCS2.isWellFormed([0x41, 0]))
}
