import Testing
@testable import MM

@Test func returnCodesParseFromTheLow32BitsOfX3() {
    #expect(MMReturnCode(register: 0) == .success)
    #expect(MMReturnCode(register: 0xFFFF_FFFF) == .notSupported)
    #expect(MMReturnCode(register: 0xFFFF_FFFF_FFFF_FFFE) == .invalidParameter)  // sign-extended -2
    #expect(MMReturnCode(register: 0xFFFF_FFFD) == .denied)
    #expect(MMReturnCode(register: 0xFFFF_FFFB) == .noMemory)
    #expect(MMReturnCode(register: 0xFFFF_FFFC) == .noMemory)  // -4, EDK2's ARM_SMC_MM_RET_NO_MEMORY
    #expect(MMReturnCode(register: 0x1_0000_0000) == .success)  // upper half ignored, as U-Boot's int
    #expect(MMReturnCode(register: 1) == nil)
    #expect(MMReturnCode(register: 0xFFFF_FFFA) == nil)  // -6
    #expect(MMReturnCode(register: 0xC400_0061) == nil)  // EDK2 StMM's SP_EVENT_COMPLETE
}

@Test func returnCodesHaveNamesAndA32BitRegisterForm() {
    for code in MMReturnCode.allCases {
        #expect(MMReturnCode(register: code.register) == code)
        #expect(code.register >> 32 == 0)
    }
    #expect(MMReturnCode.noMemory.register == 0xFFFF_FFFB)
    #expect(MMReturnCode.success.name.description == "MM_SUCCESS")
    #expect(MMReturnCode.notSupported.name.description == "MM_NOT_SUPPORTED")
    #expect(MMReturnCode.invalidParameter.name.description == "MM_INVALID_PARAMETER")
    #expect(MMReturnCode.denied.name.description == "MM_DENIED")
    #expect(MMReturnCode.noMemory.name.description == "MM_NO_MEMORY")
}

@Test func everyReturnCodeClassMapsToTheEFIStatusUBootReports() {
    #expect(EFIStatus(mmReturnRegister: 0) == .success)
    #expect(EFIStatus(mmReturnRegister: 0xFFFF_FFFF) == .deviceError)
    #expect(EFIStatus(mmReturnRegister: 0xFFFF_FFFE) == .invalidParameter)
    #expect(EFIStatus(mmReturnRegister: 0xFFFF_FFFD) == .accessDenied)
    #expect(EFIStatus(mmReturnRegister: 0xFFFF_FFFB) == .outOfResources)
    #expect(EFIStatus(mmReturnRegister: 0xFFFF_FFFC) == .outOfResources)
    // anything else: positive, other negatives, EDK2's event-complete value
    for other: UInt64 in [1, 0x7FFF_FFFF, 0xFFFF_FFFA, 0x8000_0000, 0xC400_0061] {
        #expect(EFIStatus(mmReturnRegister: other) == .accessDenied)
    }
    for code in MMReturnCode.allCases {
        #expect(EFIStatus(mmReturnRegister: code.register) == EFIStatus(mmReturn: code))
    }
}
