import Testing
@testable import MM

@Test func nameListEntriesAreTheLiteralsNames() {
    let names: StaticString = "A\0BC\0\0DEF"
    let expected = ["A", "BC", "", "DEF", "", ""]
    for (i, name) in expected.enumerated() {
        #expect(NameList.entry(names, i).description == name, "entry \(i)")
        #expect(NameList.entry(names, i).utf8CodeUnitCount == name.utf8.count)
    }
}

@Test func everyStatusNameIsOneEntryWithoutANUL() {
    for raw: UInt64 in [0, 7, 8, 0x8000_0000_0000_001D, 0x8000_0000_0000_001E, 0x8000_0000_0000_0024, 1 << 63, 0xA000_0000_0000_0000] {
        let name = EFIStatus(rawValue: raw).name
        #expect(name.utf8CodeUnitCount > 0 && !name.description.utf8.contains(0))
        #expect(name.description.hasPrefix("EFI_"))
    }
}
