import Testing
import ABI
import MM
@testable import Driver

@Test func mmReturnCodes() {
    #expect(EFIStatus(MMTransportError.mmReturn(0xFFFF_FFFF)) == .deviceError)       // NOT_SUPPORTED
    #expect(EFIStatus(MMTransportError.mmReturn(0xFFFF_FFFE)) == .invalidParameter)  // INVALID_PARAMETER
    #expect(EFIStatus(MMTransportError.mmReturn(0xFFFF_FFFD)) == .accessDenied)      // DENIED
    #expect(EFIStatus(MMTransportError.mmReturn(0xFFFF_FFFB)) == .outOfResources)    // NO_MEMORY
    #expect(EFIStatus(MMTransportError.mmReturn(0xFFFF_FFFC)) == .outOfResources)    // EDK2's -4
    #expect(EFIStatus(MMTransportError.mmReturn(0x1234)) == .accessDenied)           // unknown
}

@Test func transportFaults() {
    #expect(EFIStatus(MMTransportError.malformedResponse) == .deviceError)
    #expect(EFIStatus(MMTransportError.messageTooLarge) == .badBufferSize)
    #expect(EFIStatus(MMTransportError.malformedRequest) == .invalidParameter)
}

@Test func ffaErrors() {
    let expected: [(FFAError, EFIStatus)] = [
        (.notSupported, .unsupported), (.invalidParameters, .deviceError), (.noMemory, .outOfResources),
        (.busy, .outOfResources), (.interrupted, .deviceError), (.denied, .accessDenied), (.retry, .outOfResources),
        (.aborted, .deviceError), (.noData, .deviceError), (.notReady, .deviceError),
    ]
    #expect(expected.count == FFAError.allCases.count)
    for (e, s) in expected { #expect(EFIStatus(MMTransportError.ffa(.ffa(e))) == s) }
}

@Test func driverFaults() {
    #expect(EFIStatus(FFADriverError.noFFA(.noEL3ForSMC)) == .unsupported)
    #expect(EFIStatus(FFADriverError.retriesExhausted(.busy)) == .outOfResources)
    for e: FFADriverError in [.unknownErrorCode(5), .unexpectedFunction(1), .unexpectedEndpoints(2), .malformedDescriptors,
                              .malformedProperties(3), .versionIncompatible(4), .rxtxNotMapped, .rxtxBuffersUnsuitable] {
        #expect(EFIStatus(e) == .deviceError)
    }
}

@Test func errorNames() {
    #expect(MMTransportError.mmReturn(0xFFFF_FFFE).name.description == "MM_INVALID_PARAMETER")
    #expect(MMTransportError.mmReturn(7).name.description == "MM return code unknown")
    #expect(MMTransportError.ffa(.ffa(.busy)).name.description == "BUSY")
}
