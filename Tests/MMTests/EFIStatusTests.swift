import Testing
@testable import MM

@Test func errorCodesHaveTheTopBitAndTheirNumber() {
    let table: [(EFIStatus, UInt64, String)] = [
        (.success, 0, "EFI_SUCCESS"),
        (.loadError, 0x8000_0000_0000_0001, "EFI_LOAD_ERROR"),
        (.invalidParameter, 0x8000_0000_0000_0002, "EFI_INVALID_PARAMETER"),
        (.unsupported, 0x8000_0000_0000_0003, "EFI_UNSUPPORTED"),
        (.badBufferSize, 0x8000_0000_0000_0004, "EFI_BAD_BUFFER_SIZE"),
        (.bufferTooSmall, 0x8000_0000_0000_0005, "EFI_BUFFER_TOO_SMALL"),
        (.notReady, 0x8000_0000_0000_0006, "EFI_NOT_READY"),
        (.deviceError, 0x8000_0000_0000_0007, "EFI_DEVICE_ERROR"),
        (.writeProtected, 0x8000_0000_0000_0008, "EFI_WRITE_PROTECTED"),
        (.outOfResources, 0x8000_0000_0000_0009, "EFI_OUT_OF_RESOURCES"),
        (.volumeCorrupted, 0x8000_0000_0000_000A, "EFI_VOLUME_CORRUPTED"),
        (.volumeFull, 0x8000_0000_0000_000B, "EFI_VOLUME_FULL"),
        (.noMedia, 0x8000_0000_0000_000C, "EFI_NO_MEDIA"),
        (.mediaChanged, 0x8000_0000_0000_000D, "EFI_MEDIA_CHANGED"),
        (.notFound, 0x8000_0000_0000_000E, "EFI_NOT_FOUND"),
        (.accessDenied, 0x8000_0000_0000_000F, "EFI_ACCESS_DENIED"),
        (.noResponse, 0x8000_0000_0000_0010, "EFI_NO_RESPONSE"),
        (.noMapping, 0x8000_0000_0000_0011, "EFI_NO_MAPPING"),
        (.timeout, 0x8000_0000_0000_0012, "EFI_TIMEOUT"),
        (.notStarted, 0x8000_0000_0000_0013, "EFI_NOT_STARTED"),
        (.alreadyStarted, 0x8000_0000_0000_0014, "EFI_ALREADY_STARTED"),
        (.aborted, 0x8000_0000_0000_0015, "EFI_ABORTED"),
        (.icmpError, 0x8000_0000_0000_0016, "EFI_ICMP_ERROR"),
        (.tftpError, 0x8000_0000_0000_0017, "EFI_TFTP_ERROR"),
        (.protocolError, 0x8000_0000_0000_0018, "EFI_PROTOCOL_ERROR"),
        (.incompatibleVersion, 0x8000_0000_0000_0019, "EFI_INCOMPATIBLE_VERSION"),
        (.securityViolation, 0x8000_0000_0000_001A, "EFI_SECURITY_VIOLATION"),
        (.crcError, 0x8000_0000_0000_001B, "EFI_CRC_ERROR"),
        (.endOfMedia, 0x8000_0000_0000_001C, "EFI_END_OF_MEDIA"),
        (.endOfFile, 0x8000_0000_0000_001F, "EFI_END_OF_FILE"),
        (.invalidLanguage, 0x8000_0000_0000_0020, "EFI_INVALID_LANGUAGE"),
        (.compromisedData, 0x8000_0000_0000_0021, "EFI_COMPROMISED_DATA"),
        (.ipAddressConflict, 0x8000_0000_0000_0022, "EFI_IP_ADDRESS_CONFLICT"),
        (.httpError, 0x8000_0000_0000_0023, "EFI_HTTP_ERROR"),
        (.interruptPending, 0xA000_0000_0000_0000, "EFI_INTERRUPT_PENDING"),
        (.warnUnknownGlyph, 1, "EFI_WARN_UNKNOWN_GLYPH"),
        (.warnDeleteFailure, 2, "EFI_WARN_DELETE_FAILURE"),
        (.warnWriteFailure, 3, "EFI_WARN_WRITE_FAILURE"),
        (.warnBufferTooSmall, 4, "EFI_WARN_BUFFER_TOO_SMALL"),
        (.warnStaleData, 5, "EFI_WARN_STALE_DATA"),
        (.warnFileSystem, 6, "EFI_WARN_FILE_SYSTEM"),
        (.warnResetRequired, 7, "EFI_WARN_RESET_REQUIRED"),
    ]
    #expect(table.count == EFIStatus.known.count)
    for (status, raw, name) in table {
        #expect(status.rawValue == raw)
        #expect(status.name.description == name)
        #expect(status.isError == (raw >> 63 == 1))
        #expect(EFIStatus.known.contains(status))
    }
}

@Test func unknownStatusesKeepTheirValueAndHaveNoSpecName() {
    for raw: UInt64 in [0x8000_0000_0000_001D, 0x8000_0000_0000_0100, 8, 0x2000_0000_0000_0000] {
        let s = EFIStatus(rawValue: raw)
        #expect(s.rawValue == raw)
        #expect(s.name.description == "EFI_STATUS_UNKNOWN")
    }
    #expect(EFIStatus(rawValue: 0x8000_0000_0000_001D).isError)
    #expect(!EFIStatus.warnResetRequired.isError && !EFIStatus.success.isError)
    #expect(EFIStatus.success.isSuccess && !EFIStatus.warnStaleData.isSuccess)
}

@Test func attributeBitsAreTheSpecValues() {
    #expect(VariableAttributes.nonVolatile.rawValue == 0x01)
    #expect(VariableAttributes.bootServiceAccess.rawValue == 0x02)
    #expect(VariableAttributes.runtimeAccess.rawValue == 0x04)
    #expect(VariableAttributes.hardwareErrorRecord.rawValue == 0x08)
    #expect(VariableAttributes.authenticatedWriteAccess.rawValue == 0x10)
    #expect(VariableAttributes.timeBasedAuthenticatedWriteAccess.rawValue == 0x20)
    #expect(VariableAttributes.appendWrite.rawValue == 0x40)
    #expect(VariableAttributes.enhancedAuthenticatedAccess.rawValue == 0x80)
    #expect(VariableAttributes.nonVolatileBootRuntime.rawValue == 0x07)
}
