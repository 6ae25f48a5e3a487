import Testing
import ABI
import MM
import SPMC
import Variables

/// The EDK2 doorbell (MmCommunicationDxe → StandaloneMM, docs/mm-protocol.md): x3 = the message's
/// physical address; success is FFA_MSG_SEND_DIRECT_RESP_64 with x3 = 0, transport faults are
/// FFA_ERROR. Side by side with the U-Boot form (x3 = offset, faults as MM codes in x3).
@Suite struct EDK2ConventionEndToEndTests {
    static let directReq64: UInt64 = 0xC400_006F
    static let directResp64: UInt64 = 0xC400_0070
    static let ffaError: UInt64 = 0x8400_0060

    /// A whole MM message written by hand: HeaderGuid, MessageLength, Function, ReturnStatus
    /// (a non-success sentinel, as EDK2's DXE leaves it), payload.
    static func message(function: UInt64, payload: [UInt8], guid: [UInt8] = UBootMMClient.mmVariableGuidBytes) -> [UInt8] {
        var m = [UInt8](repeating: 0, count: 40 + payload.count)
        m.replaceSubrange(0..<16, with: guid)
        storeLE(UInt64(16 + payload.count), width: 8, into: &m, at: 16)
        storeLE(function, width: 8, into: &m, at: 24)
        storeLE(EFIRaw.notFound, width: 8, into: &m, at: 32)
        m.replaceSubrange(40..<(40 + payload.count), with: payload)
        return m
    }

    static var getPayloadSize: [UInt8] { message(function: 11, payload: [UInt8](repeating: 0, count: 8)) }

    /// A machine whose normal world negotiated v1.2 and mapped RX/TX, as EDK2's ArmFfaLib does.
    func machine() throws -> Machine<FlashStore> {
        let m = try Machine()
        _ = try m.startedDriver()
        return m
    }

    func doorbell(_ m: Machine<FlashStore>, x3: UInt64) -> Registers {
        m.world.smc(Registers(Self.directReq64, 0x8001, 0, x3))
    }

    @Test func physicalAddressFormSucceedsWithX3Zero() throws {
        let m = try machine()
        m.ram.write(Self.getPayloadSize, at: Board.mmBuffer)
        let answer = doorbell(m, x3: Board.mmBuffer)
        #expect(answer == Registers(Self.directResp64, 0x8001_0000, 0, 0))
        #expect(m.world.partition.served.map { $0.edk2 } == [true])
        let back = m.ram.read(Board.mmBuffer, count: 48) ?? []
        #expect(loadLE(width: 8, from: back, at: 32) == 0)
        #expect(loadLE(width: 8, from: back, at: 40) == UInt64(m.world.partition.handler.payloadSize))
        #expect(m.world.faults.isEmpty)
    }

    /// The address may point inside the buffer: the message is served where it sits.
    @Test func physicalAddressInsideTheBuffer() throws {
        let m = try machine()
        let name = u16String("Edk2Var")
        var payload = [UInt8](repeating: 0, count: 36 + name.count + 3)
        payload.replaceSubrange(0..<16, with: vendor.bytes)
        storeLE(3, width: 8, into: &payload, at: 16)
        storeLE(UInt64(name.count), width: 8, into: &payload, at: 24)
        storeLE(UInt64(Attr.nvBsRt), width: 4, into: &payload, at: 32)
        payload.replaceSubrange(36..<(36 + name.count), with: name)
        payload.replaceSubrange((36 + name.count)..<payload.count, with: [7, 8, 9])
        m.ram.write(Self.message(function: 3, payload: payload), at: Board.mmBuffer + 0x2000)

        #expect(doorbell(m, x3: Board.mmBuffer + 0x2000) == Registers(Self.directResp64, 0x8001_0000, 0, 0))
        let back = m.ram.read(Board.mmBuffer + 0x2000, count: 40) ?? []
        #expect(loadLE(width: 8, from: back, at: 32) == 0)
        #expect(m.world.store.getVariable(name: name, guid: vendor, dataSize: 8).data == [7, 8, 9])
        // Nothing was written at offset 0.
        #expect(m.ram.read(Board.mmBuffer, count: 40) == [UInt8](repeating: 0, count: 40))
    }

    /// Transport faults in the address form come back as FFA_ERROR(INVALID_PARAMETERS), and the
    /// partition is idle again afterwards; in the offset form as an MM code in x3.
    @Test func unknownHeaderGuid() throws {
        let m = try machine()
        var bad = Self.getPayloadSize
        bad[3] ^= 0xFF
        m.ram.write(bad, at: Board.mmBuffer)
        #expect(doorbell(m, x3: Board.mmBuffer) == Registers(Self.ffaError, 0, 0xFFFF_FFFE))
        #expect(m.world.monitor.spmc.partitions.map(\.runtime) == [.waiting])
        #expect(doorbell(m, x3: 0) == Registers(Self.directResp64, 0x8001_0000, 0, 0xFFFF_FFFF))
        // The buffer was not answered into.
        #expect(m.ram.read(Board.mmBuffer, count: bad.count) == bad)
        // And a good message right after is served.
        m.ram.write(Self.getPayloadSize, at: Board.mmBuffer)
        #expect(doorbell(m, x3: Board.mmBuffer) == Registers(Self.directResp64, 0x8001_0000, 0, 0))
        #expect(m.world.faults.isEmpty)
    }

    @Test func messageLengthBeyondTheBuffer() throws {
        let m = try machine()
        var bad = Self.getPayloadSize
        storeLE(UInt64(Board.mmBufferSize), width: 8, into: &bad, at: 16)
        m.ram.write(bad, at: Board.mmBuffer)
        #expect(doorbell(m, x3: Board.mmBuffer) == Registers(Self.ffaError, 0, 0xFFFF_FFFE))
        #expect(doorbell(m, x3: 0) == Registers(Self.directResp64, 0x8001_0000, 0, 0xFFFF_FFFE))
        // A message that starts near the end so its header does not fit.
        #expect(doorbell(m, x3: Board.mmBuffer + UInt64(Board.mmBufferSize) - 8) == Registers(Self.ffaError, 0, 0xFFFF_FFFE))
        #expect(doorbell(m, x3: UInt64(Board.mmBufferSize) - 8) == Registers(Self.directResp64, 0x8001_0000, 0, 0xFFFF_FFFE))
    }

    /// MessageLength < 16: no variable header. Smm-gateway's code is DENIED (-3) in x3; the address
    /// form turns it into FFA_ERROR(INVALID_PARAMETERS).
    @Test func messageTooShortForTheVariableHeader() throws {
        let m = try machine()
        var bad = Self.getPayloadSize
        storeLE(8, width: 8, into: &bad, at: 16)
        m.ram.write(bad, at: Board.mmBuffer)
        #expect(doorbell(m, x3: 0) == Registers(Self.directResp64, 0x8001_0000, 0, 0xFFFF_FFFD))
        #expect(doorbell(m, x3: Board.mmBuffer) == Registers(Self.ffaError, 0, 0xFFFF_FFFE))
    }

    /// A variable-level error is not a transport fault: x3 = 0 in both forms, the EFI status in
    /// ReturnStatus.
    @Test func variableErrorsTravelInReturnStatus() throws {
        let m = try machine()
        let name = u16String("Missing")
        var payload = [UInt8](repeating: 0, count: 36 + name.count + 8)
        payload.replaceSubrange(0..<16, with: vendor.bytes)
        storeLE(8, width: 8, into: &payload, at: 16)
        storeLE(UInt64(name.count), width: 8, into: &payload, at: 24)
        payload.replaceSubrange(36..<(36 + name.count), with: name)
        for x3 in [Board.mmBuffer, 0] {
            m.ram.write(Self.message(function: 1, payload: payload), at: Board.mmBuffer)
            #expect(doorbell(m, x3: x3) == Registers(Self.directResp64, 0x8001_0000, 0, 0))
            #expect(m.ram.read(Board.mmBuffer + 32, count: 8).map { loadLE(width: 8, from: $0, at: 0) } == EFIRaw.notFound)
        }
    }

    /// An unknown function is EFI_UNSUPPORTED in ReturnStatus (EDK2's SmmVariableHandler).
    @Test func unknownFunctionIsUnsupported() throws {
        let m = try machine()
        for function: UInt64 in [7, 8, 12, 13, 14, 99] {
            m.ram.write(Self.message(function: function, payload: [UInt8](repeating: 0, count: 32)), at: Board.mmBuffer)
            #expect(doorbell(m, x3: Board.mmBuffer) == Registers(Self.directResp64, 0x8001_0000, 0, 0))
            #expect(m.ram.read(Board.mmBuffer + 32, count: 8).map { loadLE(width: 8, from: $0, at: 0) } == EFIRaw.unsupported)
        }
    }
}
