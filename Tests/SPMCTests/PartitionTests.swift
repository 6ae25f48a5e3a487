import Testing
import ABI
@testable import SPMC

@Test func partitionsStartInitialising() {
    let h = Harness(initialise: false)
    #expect(h.spmc.partitions.map(\.runtime) == [.initialising])
}

@Test func msgWaitEndsInitialisation() {
    var h = Harness(initialise: false)
    #expect(h.call(regs(FFAFunction.FFA_MSG_WAIT), from: .partition(mm)).action
            == .partitionInitialised(id: mm, succeeded: true))
    #expect(h.spmc.partitions[0].runtime == .waiting)
}

@Test func msgWaitMayKeepRXOwnership() {
    var h = Harness(initialise: false)
    #expect(h.call(regs(FFAFunction.FFA_MSG_WAIT, [0, 1]), from: .partition(mm)).action
            == .partitionInitialised(id: mm, succeeded: true))
}

@Test func msgWaitWithNonZeroMBZIsInvalid() {
    var h = Harness(initialise: false)
    #expect(isError(h.ask(FFAFunction.FFA_MSG_WAIT, [1], from: .partition(mm)), .invalidParameters))
    #expect(isError(h.ask(FFAFunction.FFA_MSG_WAIT, [0, 2], from: .partition(mm)), .invalidParameters))
    #expect(isError(h.ask(FFAFunction.FFA_MSG_WAIT, [0, 0, 0, 0, 0, 0, 9], from: .partition(mm)), .invalidParameters))
    #expect(h.spmc.partitions[0].runtime == .initialising)
}

@Test func msgWaitWhileHandlingARequestIsDenied() {
    var h = Harness()
    _ = h.call(request())
    #expect(isError(h.ask(FFAFunction.FFA_MSG_WAIT, from: .partition(mm)), .denied))
    #expect(h.spmc.partitions[0].runtime == .handling(PendingRequest(origin: 0, kind: .smc64)))
}

@Test func theNormalWorldCannotCallPartitionABIs() {
    var h = Harness()
    #expect(isError(h.ask(FFAFunction.FFA_MSG_WAIT), .notSupported))
    #expect(isError(h.ask(FFAFunction.FFA_CONSOLE_LOG_32, [1, 0x41]), .notSupported))
    #expect(isError(h.ask(FFAFunction.FFA_ERROR, [0, 0xFFFF_FFFE]), .notSupported))
    #expect(h.spmc.partitions[0].runtime == .waiting)
}

@Test func errorDuringInitialisationMarksThePartitionFailed() {
    var h = Harness(initialise: false)
    #expect(h.call(.ffaError(.aborted), from: .partition(mm)).action
            == .partitionInitialised(id: mm, succeeded: false))
    #expect(h.spmc.partitions[0].runtime == .failed)
}

@Test func errorWhenIdleIsNotSupported() {
    // Only reachable if the image calls for a partition that runs no request; refused either way.
    var h = Harness()
    #expect(isError(h.ask(FFAFunction.FFA_ERROR, [0, 0xFFFF_FFFF], from: .partition(mm)), .denied))
    #expect(h.spmc.partitions[0].runtime == .waiting)
}

@Test func callsFromAnUnknownPartitionAreInvalid() {
    var h = Harness()
    #expect(isError(h.ask(FFAFunction.FFA_ID_GET, from: .partition(0x8009)), .invalidParameters))
    #expect(isError(h.ask(FFAFunction.FFA_MSG_WAIT, from: .partition(0)), .invalidParameters))
}

@Test func consoleLog32PrintsUpToTwentyFourCharacters() {
    var h = Harness(initialise: false)
    // "Hello, MM!\n": 11 characters, 4 per register, little-endian.
    let out = h.call(regs(FFAFunction.FFA_CONSOLE_LOG_32, [11, 0x6C6C_6548, 0x4D20_2C6F, 0x000A_214D]),
                     from: .partition(mm))
    #expect(out.console == Array("Hello, MM!\n".utf8))
    #expect(out.action == .resume(.partition(mm), .ffaSuccess()))
}

@Test func consoleLog32IgnoresTheUpperHalves() {
    var h = Harness(initialise: false)
    let out = h.call(regs(FFAFunction.FFA_CONSOLE_LOG_32, [0xFFFF_FFFF_0000_0005, 0xFFFF_FFFF_4443_4241, 0x45]),
                     from: .partition(mm))
    #expect(out.console == Array("ABCDE".utf8))
}

@Test func consoleLog64UsesEightBytesPerRegisterUpToX17() {
    var h = Harness()
    _ = h.call(request())   // also allowed while handling a request
    var r = regs(FFAFunction.FFA_CONSOLE_LOG_64, [128])
    for i in 2..<Registers.count { r[i] = 0x4141_4141_4141_4141 }
    r.x17 = 0x0A42_4242_4242_4242
    let out = h.call(r, from: .partition(mm))
    #expect(out.console.count == 128)
    #expect(out.console.suffix(8) == Array("BBBBBBB\n".utf8)[...])
    // FFA_SUCCESS_32 defines x0...x7; the characters in x8...x17 are the caller's to keep.
    #expect(out.action == .resume(.partition(mm), r.overwriting(first: 8, from: .ffaSuccess())))
}

@Test func consoleLogStopsAtNUL() {
    var h = Harness(initialise: false)
    let out = h.call(regs(FFAFunction.FFA_CONSOLE_LOG_64, [16, 0x0043_4241, 0x4545]), from: .partition(mm))
    #expect(out.console == Array("ABC".utf8))
}

@Test func consoleLogCountMustBeOneToTheMaximum() {
    var h = Harness(initialise: false)
    #expect(isError(h.ask(FFAFunction.FFA_CONSOLE_LOG_32, [0, 0x41], from: .partition(mm)), .invalidParameters))
    #expect(isError(h.ask(FFAFunction.FFA_CONSOLE_LOG_32, [25, 0x41], from: .partition(mm)), .invalidParameters))
    #expect(isError(h.ask(FFAFunction.FFA_CONSOLE_LOG_64, [129, 0x41], from: .partition(mm)), .invalidParameters))
    #expect(isError(h.ask(FFAFunction.FFA_CONSOLE_LOG_64, [1 << 40 | 1, 0x41], from: .partition(mm)), .invalidParameters))
    #expect(h.call(regs(FFAFunction.FFA_CONSOLE_LOG_32, [24, 0x41]), from: .partition(mm)).console == [0x41])
}

@Test func unimplementedCallsFromAPartitionAreNotSupported() {
    var h = Harness(initialise: false)
    #expect(isError(h.ask(0xC400_0074, from: .partition(mm)), .notSupported))    // MEM_RETRIEVE_REQ
    #expect(isError(h.ask(FFAFunction.FFA_YIELD, from: .partition(mm)), .notSupported))
}

@Test func partitionsMayUseArchitectureAndPSCIQueries() {
    var h = Harness(initialise: false)
    #expect(h.ask(SMCCC.SMCCC_VERSION, from: .partition(mm)) == Registers(0x1_0002))
    #expect(h.ask(SMCCC.PSCI_VERSION, from: .partition(mm)) == Registers(0x1_0001))
}

@Test func anIdlePartitionCannotMakeCalls() {
    // Only the partition that is executing can trap into the monitor; a call "from" an idle
    // one is refused and changes nothing.
    var h = Harness()
    #expect(isError(h.ask(FFAFunction.FFA_ID_GET, from: .partition(mm)), .denied))
    #expect(isError(h.ask(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64, [UInt64(mm) << 16], from: .partition(mm)), .denied))
    #expect(h.spmc.partitions[0].runtime == .waiting)
}
