import Testing
@testable import ABI

@Test func subscriptCoversAllEighteenRegisters() {
    var r = Registers()
    for i in 0..<Registers.count { r[i] = UInt64(i) * 0x1_0000_0001 }
    for i in 0..<Registers.count { #expect(r[i] == UInt64(i) * 0x1_0000_0001) }
    // The subscript addresses the words in place: index i must be the field xi.
    let named = [r.x0, r.x1, r.x2, r.x3, r.x4, r.x5, r.x6, r.x7, r.x8, r.x9, r.x10, r.x11, r.x12,
                 r.x13, r.x14, r.x15, r.x16, r.x17]
    for i in 0..<Registers.count { #expect(named[i] == UInt64(i) * 0x1_0000_0001) }
    #expect(r[18] == 0 && r[-1] == 0)
    r[18] = 1; r[-1] = 1
    #expect(r == { var c = Registers(); for i in 0..<Registers.count { c[i] = UInt64(i) * 0x1_0000_0001 }; return c }())
    #expect(MemoryLayout<Registers>.size == 18 * 8)
}

@Test func mmUUIDPacksToTheDocumentedWords() {
    let u = UUID.mmVariable
    #expect(u.words.0 == 0x33d5_32ed && u.words.1 == 0x0942_e699)
    #expect(u.bytes.0 == 0x0942_e699_33d5_32ed && u.bytes.1 == 0xa798_d9cd_722d_c09c)
    // Canonical octets ed32d533-99e6-4209-9cc0-2d72cdd998a7.
    let octets: [UInt8] = [0xed, 0x32, 0xd5, 0x33, 0x99, 0xe6, 0x42, 0x09,
                           0x9c, 0xc0, 0x2d, 0x72, 0xcd, 0xd9, 0x98, 0xa7]
    #expect(UUID(octets: octets) == u)
}

@Test func functionIDFields() {
    let f = FunctionID(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64)
    #expect(f.isFastCall && f.isSMC64 && f.owner == .standardSecure && f.functionNumber == 0x6F)
    #expect(!f.hasReservedBitsSet)
    #expect(FunctionID(0x8402_0000).hasReservedBitsSet)
    #expect(FFAFunction.isFFA(FFAFunction.FFA_VERSION))
    #expect(!FFAFunction.isFFA(SMCCC.PSCI_VERSION))
}

@Test func errorCodesRoundTrip() {
    for e in FFAError.allCases {
        #expect(FFAError(code: UInt32(truncatingIfNeeded: e.code)) == e)
    }
    #expect(FFAError(code: 0xFFFF_FFFF) == .notSupported)
    #expect(FFAError(code: 0) == nil)
    #expect(FFAVersion(word: 0xFFFF_FFFF) == nil)
    #expect(FFAVersion(word: 0x1_0002) == .v1_2)
}
