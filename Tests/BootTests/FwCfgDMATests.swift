import Testing
@testable import Boot

@Suite struct FwCfgDMATests {
    @Test func selectAndReadRecordIsBigEndian() {
        let r = FwCfgDMAAccess.selectAndRead(FwCfgItem.kernelData, length: 0x01F6_E000, to: 0x4040_0000)
        #expect(r.control == 0x0011_000A)   // selector 0x11 in bits 31:16, SELECT | READ
        #expect(r.bytes == [0x00, 0x11, 0x00, 0x0A, 0x01, 0xF6, 0xE0, 0x00,
                            0x00, 0x00, 0x00, 0x00, 0x40, 0x40, 0x00, 0x00])
    }

    @Test func plainReadHasNoSelector() {
        let r = FwCfgDMAAccess.read(length: 16, to: 0x1_2345_6789)
        #expect(r.bytes == [0, 0, 0, 2, 0, 0, 0, 16, 0, 0, 0, 1, 0x23, 0x45, 0x67, 0x89])
    }

    @Test func completionIsZeroControl() {
        #expect(FwCfgDMAAccess.succeeded(0))
        #expect(!FwCfgDMAAccess.succeeded(FwCfgDMAAccess.error))
        #expect(!FwCfgDMAAccess.succeeded(FwCfgDMAAccess.read))
    }

    @Test func itemNumbersAreQEMUs() {
        #expect([FwCfgItem.kernelSize, FwCfgItem.initrdSize, FwCfgItem.kernelData, FwCfgItem.initrdData,
                 FwCfgItem.cmdlineSize, FwCfgItem.cmdlineData] == [0x08, 0x0B, 0x11, 0x12, 0x14, 0x15])
    }
}
