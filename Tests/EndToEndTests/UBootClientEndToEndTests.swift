import Testing
import ABI
import MM
import SPMC
import Variables

/// A client that behaves exactly like U-Boot's (docs/mm-protocol.md, "U-Boot's MM flow, step by step"),
/// against the real SPMC and the partition's handler: raw registers, v1.0, 8-byte descriptors,
/// RXTX_MAP_64 with one page, x3 = offset 0, GET_PAYLOAD_SIZE first, messages built by hand.
@Suite struct UBootClientEndToEndTests {
    typealias Bus = UBootFFABus
    /// The vendor GUID as U-Boot's EFI_GUID() macro stores it.
    let vendorBytes: [UInt8] = [0x78, 0x56, 0x34, 0x12, 0xbc, 0x9a, 0xf0, 0xde,
                                0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]
    let hello: [UInt8] = Array("hello".utf8)

    func uBoot(_ m: Machine<FlashStore>) -> UBootMMClient {
        UBootMMClient(bus: UBootFFABus(smc: { m.world.smc($0) }, ram: m.ram))
    }

    /// A U-Boot that has probed the bus and initialised its variable services.
    func booted(_ m: Machine<FlashStore>) -> UBootMMClient {
        var u = uBoot(m)
        #expect(u.bus.probe() == .ok)
        #expect(u.initVariables().status == EFIRaw.success)
        return u
    }

    @Test func vendorBytesAreTheVendorGuid() {
        #expect(vendor.bytes == vendorBytes)
    }

    /// Step 1, the bus probe, call by call.
    @Test func probeSequence() throws {
        let m = try Machine()
        var bus = Bus(smc: { m.world.smc($0) }, ram: m.ram)
        // Something in RX beyond the first 8 bytes, to see that v1.0 descriptors are 8 bytes.
        m.ram.fill(0xEE, at: Board.rxBuffer, count: 4096)

        #expect(bus.getVersion() == .ok)
        #expect(bus.trace.last?.answer == Registers(0x1_0002))  // our version; U-Boot works at 1.0
        #expect(m.world.monitor.spmc.normalWorld.version == .v1_0)

        #expect(bus.getEndpointID() == .ok)
        #expect(bus.trace.last?.answer == Registers(0x8400_0061, 0, 0))
        #expect(bus.id == 0)

        #expect(bus.getRXTXMapFeatures() == .ok)
        #expect(bus.trace.last?.call == Registers(0x8400_0064, 0xC400_0066))
        #expect(bus.trace.last?.answer == Registers(0x8400_0061, 0, 0))
        #expect(bus.rxtxMinPages == 1)

        #expect(bus.mapRXTX() == .ok)
        #expect(bus.trace.last?.call == Registers(0xC400_0066, Board.txBuffer, Board.rxBuffer, 1))
        #expect(bus.trace.last?.answer == Registers(0x8400_0061))

        // PARTITION_INFO_GET(nil UUID): count in w2, no size in w3 at v1.0, 8-byte descriptors.
        m.ram.fill(0xEE, at: Board.rxBuffer, count: 4096)
        let (e, count) = bus.queryPartitionsInfo(uuid: nil)
        #expect(e == .ok && count == 1)
        let get = bus.trace[bus.trace.count - 2]
        #expect(get.call == Registers(0x8400_0068))
        #expect(get.answer == Registers(0x8400_0061, 0, 1, 0))
        #expect(m.ram.read(Board.rxBuffer, count: 8) == [0x01, 0x80, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00])
        #expect(m.ram.read(Board.rxBuffer + 8, count: 16) == [UInt8](repeating: 0xEE, count: 16))
        #expect(m.world.memory.log.map { $0.count } == [8])
        // Then FFA_RX_RELEASE, which succeeds.
        #expect(bus.trace.last?.call == Registers(0x8400_0065))
        #expect(bus.trace.last?.answer == Registers(0x8400_0061))
        #expect(bus.partitions.count == 1)
        #expect(bus.partitions.first?.id == 0x8001 && bus.partitions.first?.properties == 1)
        #expect(m.world.faults.isEmpty)
    }

    /// Steps 2-4: the first MM call finds the partition by UUID, then sends GET_PAYLOAD_SIZE.
    @Test func firstMMCallDiscoversThePartitionThenAsksThePayloadSize() throws {
        let m = try Machine()
        var u = uBoot(m)
        #expect(u.bus.probe() == .ok)
        let probeCalls = u.bus.trace.count
        let (status, reported) = u.initVariables()
        #expect(status == EFIRaw.success)
        #expect(u.mmSPID == 0x8001)

        let calls = u.bus.trace[probeCalls...].map { $0.call }
        #expect(calls.map(\.x0) == [0x8400_0068, 0x8400_0065, 0xC400_006F])
        #expect(calls.first == Registers(0x8400_0068, 0x33d5_32ed, 0x0942_e699, 0x722d_c09c, 0xa798_d9cd))
        #expect(calls.last == Registers(0xC400_006F, 0x8001, 0, 0))
        #expect(u.bus.trace.last?.answer == Registers(0xC400_0070, 0x8001_0000, 0, 0))
        #expect(u.bus.partitions.first?.uuid.map { $0 == UBootMMClient.mmUUIDWords } == true)

        // The answer in the buffer, byte for byte: the header GUID, MessageLength 16 + 8,
        // function 11, EFI_SUCCESS, the payload size.
        let answer = u.exchanges[0].response
        #expect(Array(answer[0..<16]) == UBootMMClient.mmVariableGuidBytes)
        #expect(loadLE(width: 8, from: answer, at: 16) == 24)
        #expect(loadLE(width: 8, from: answer, at: 24) == 11)
        #expect(loadLE(width: 8, from: answer, at: 32) == 0)
        #expect(reported == UInt64(m.world.partition.handler.payloadSize))
        #expect(reported >= 72)
        #expect(u.maxPayloadSize == Int(reported) - 2)
        #expect(m.world.faults.isEmpty)
    }

    /// SET_VARIABLE as U-Boot builds it (payload 40 + NameSize + DataSize, so 4 spare bytes after
    /// the data), preceded by VAR_CHECK_VARIABLE_PROPERTY_GET, which is EFI_NOT_FOUND.
    @Test func setVariable() throws {
        let m = try Machine()
        var u = booted(m)
        let name = u16String("BootTest")
        #expect(u.setVariable(name: name, guid: vendorBytes, attributes: 7, data: hello) == EFIRaw.success)
        let property = u.exchanges[u.exchanges.count - 2]
        #expect(property.function == 10 && property.status == EFIRaw.notFound)
        let set = u.exchanges[u.exchanges.count - 1]
        #expect(set.function == 3 && set.status == EFIRaw.success)
        #expect(set.request.count == 40 + 40 + name.count + hello.count)
        // The answer: both headers, EFI_SUCCESS, MessageLength no larger than the request's.
        #expect(loadLE(width: 8, from: set.response, at: 16) <= loadLE(width: 8, from: set.request, at: 16))
        #expect(loadLE(width: 8, from: set.response, at: 24) == 3)
        // What the store holds is what U-Boot meant.
        #expect(m.world.store.persistence.variables == [StoredVariable(guid: vendor, name: name, attributes: 7, data: hello)])
    }

    @Test func getVariable() throws {
        let m = try Machine()
        var u = booted(m)
        let name = u16String("BootTest")
        #expect(u.setVariable(name: name, guid: vendorBytes, attributes: 7, data: hello) == EFIRaw.success)
        let read = u.getVariable(name: name, guid: vendorBytes, dataSize: 64)
        #expect(read.status == EFIRaw.success)
        #expect(read.attributes == 7 && read.dataSize == 5 && read.data == hello)
        // The GET answer itself: the name where U-Boot put it, the data right after it.
        let get = u.exchanges.first { $0.function == 1 }
        let p = UBootMMClient.payloadOffset
        #expect(get.map { Array($0.response[(p + 36)..<(p + 36 + name.count)]) } == name)
        #expect(get.map { Array($0.response[(p + 36 + name.count)..<(p + 36 + name.count + 5)]) } == hello)
        #expect(u.getVariable(name: u16String("Missing"), guid: vendorBytes, dataSize: 64).status == EFIRaw.notFound)
    }

    /// EFI_BUFFER_TOO_SMALL: DataSize is the size needed and the attributes are filled in.
    @Test func getVariableWithASmallBuffer() throws {
        let m = try Machine()
        var u = booted(m)
        let name = u16String("BootTest")
        #expect(u.setVariable(name: name, guid: vendorBytes, attributes: 7, data: hello) == EFIRaw.success)
        let read = u.getVariable(name: name, guid: vendorBytes, dataSize: 2)
        #expect(read.status == EFIRaw.bufferTooSmall)
        #expect(read.dataSize == 5 && read.attributes == 7)
    }

    @Test func getNextVariableNameToNotFound() throws {
        let m = try Machine()
        var u = booted(m)
        let names = ["BootTest", "BootOrder", "X"].map(u16String)
        for n in names { #expect(u.setVariable(name: n, guid: vendorBytes, attributes: 7, data: [1]) == EFIRaw.success) }
        let listed = u.storedVariableNames()
        #expect(listed?.count == 3)
        #expect(Set((listed ?? []).map { $0.name }) == Set(names))
        #expect((listed ?? []).allSatisfy { $0.guid == vendorBytes })
        // The last exchange answered EFI_NOT_FOUND in ReturnStatus.
        #expect(u.exchanges.last?.status == EFIRaw.notFound)

        // A buffer too small for the first name: the size needed comes back.
        let small = u.getNextVariableName(nameSize: 4, name: [0, 0], guid: [UInt8](repeating: 0, count: 16))
        #expect(small.status == EFIRaw.bufferTooSmall)
        #expect(names.contains { UInt64($0.count) == small.nameSize })
    }

    @Test func queryVariableInfo() throws {
        let m = try Machine()
        var u = booted(m)
        let info = u.queryVariableInfo(attributes: 7)
        let truth = m.world.store.queryVariableInfo(attributes: 7)
        #expect(info.status == EFIRaw.success)
        #expect(info.maxStorage == truth.maximumVariableStorageSize)
        #expect(info.remaining == truth.remainingVariableStorageSize)
        #expect(info.maxSize == truth.maximumVariableSize)
        #expect(u.queryVariableInfo(attributes: 0).status == EFIRaw.invalidParameter)
    }

    @Test func deleteVariable() throws {
        let m = try Machine()
        var u = booted(m)
        let name = u16String("BootTest")
        #expect(u.setVariable(name: name, guid: vendorBytes, attributes: 7, data: hello) == EFIRaw.success)
        #expect(u.setVariable(name: name, guid: vendorBytes, attributes: 7, data: []) == EFIRaw.success)
        #expect(u.getVariable(name: name, guid: vendorBytes, dataSize: 8).status == EFIRaw.notFound)
        #expect(u.storedVariableNames()?.isEmpty == true)
    }

    /// ExitBootServices: EXIT_BOOT_SERVICE, then the runtime snapshot walk (only RT variables are
    /// listed), then FFA_RXTX_UNMAP with w1 = 0.
    @Test func exitBootServices() throws {
        let m = try Machine()
        var u = booted(m)
        #expect(u.setVariable(name: u16String("BsOnly"), guid: vendorBytes, attributes: 3, data: [1]) == EFIRaw.success)
        #expect(u.setVariable(name: u16String("Rt"), guid: vendorBytes, attributes: 7, data: [2]) == EFIRaw.success)
        #expect(u.exitBootServicesNotify() == EFIRaw.success)
        #expect(u.exchanges.last.map { loadLE(width: 8, from: $0.request, at: 16) } == 16)
        #expect(u.storedVariableNames()?.map { $0.name } == [u16String("Rt")])
        #expect(u.getVariable(name: u16String("BsOnly"), guid: vendorBytes, dataSize: 8).status == EFIRaw.notFound)
        #expect(u.bus.unmapRXTX() == .ok)
        #expect(u.bus.trace.last?.call == Registers(0x8400_0067, 0))
        #expect(m.world.monitor.spmc.normalWorld.mailbox == nil)
        #expect(m.world.faults.isEmpty)
    }

    /// U-Boot's read-only variables ride on VAR_CHECK_VARIABLE_PROPERTY_SET (property at 24, name
    /// at 48): the partition then refuses writes itself, and GET shows U-Boot's READ_ONLY bit.
    @Test func readOnlyVariableThroughVarCheckProperty() throws {
        let m = try Machine()
        var u = booted(m)
        let name = u16String("VendorKeys")
        let ro = UBootMMClient.EFI_VARIABLE_READ_ONLY
        #expect(u.setVariable(name: name, guid: vendorBytes, attributes: Attr.bsRt | ro, data: [1]) == EFIRaw.success)
        #expect(u.exchanges.last?.function == 9 && u.exchanges.last?.status == EFIRaw.success)
        let stored = m.world.store.property(name: name, guid: vendor)
        #expect(stored.status == .success)
        #expect(stored.property == VarCheckVariableProperty(property: 1, attributes: Attr.bsRt, minSize: 1, maxSize: 1))

        let read = u.getVariable(name: name, guid: vendorBytes, dataSize: 8)
        #expect(read.status == EFIRaw.success && read.attributes == Attr.bsRt | ro && read.data == [1])
        // U-Boot refuses the write itself; the partition refuses it too when asked directly.
        #expect(u.setVariable(name: name, guid: vendorBytes, attributes: Attr.bsRt, data: [2]) == EFIRaw.writeProtected)
        guard var raw = u.setVariableMessage(name: name, guid: vendorBytes, attributes: Attr.bsRt, data: [2]) else {
            Issue.record("no buffer"); return
        }
        #expect(u.mmCommunicate(&raw) == EFIRaw.writeProtected)
        #expect(m.world.store.getVariable(name: name, guid: vendor, dataSize: 8).data == [1])
    }

    /// GET_PAYLOAD_SIZE is large enough for U-Boot's sizing (40-byte access header, 2 bytes
    /// less): it can write and read back a variable of the largest size the store takes, and one
    /// byte more is refused.
    @Test func largestVariableThroughUBoot() throws {
        let m = try Machine()
        var u = booted(m)
        let name = u16String("Big")
        let limit = m.world.store.persistence.maximumVariableSize
        let data = (0..<(limit - name.count)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        #expect(u.setVariable(name: name, guid: vendorBytes, attributes: 7, data: data) == EFIRaw.success)
        let read = u.getVariable(name: name, guid: vendorBytes, dataSize: data.count)
        #expect(read.status == EFIRaw.success && read.data == data)
        #expect(u.setVariable(name: name, guid: vendorBytes, attributes: 7, data: data + [0]) == EFIRaw.invalidParameter)
        #expect(u.getVariable(name: name, guid: vendorBytes, dataSize: 8).dataSize == UInt64(data.count))
    }

    /// A U-Boot message that breaks the transport rules is answered MM-style in x3, which U-Boot
    /// maps to an EFI status: an unknown header GUID is MM NOT_SUPPORTED (EFI_DEVICE_ERROR).
    @Test func unknownHeaderGuidIsDeviceError() throws {
        let m = try Machine()
        var u = booted(m)
        guard var buf = u.setupMMHeader(payloadSize: 8, function: 11) else { Issue.record("no buffer"); return }
        buf[0] ^= 0xFF
        #expect(u.mmCommunicate(&buf) == EFIRaw.deviceError)
        #expect(u.bus.trace.last?.answer == Registers(0xC400_0070, 0x8001_0000, 0, 0xFFFF_FFFF))
    }

    /// A variable U-Boot wrote is read back by our own client after a reboot: both clients
    /// agree on the layouts through the flash.
    @Test func ourClientReadsWhatUBootWrote() throws {
        let m = try Machine()
        var u = booted(m)
        #expect(u.setVariable(name: u16String("Shared"), guid: vendorBytes, attributes: 7, data: hello) == EFIRaw.success)
        var client = try m.rebooted().bootClient()
        #expect(client.getVariable(name: ucs2("Shared"), guid: vendor, dataSize: 16).data == hello)
    }
}

extension UBootMMClient {
    /// `allVariableNames` without the secure-boot state the partition serves itself.
    mutating func storedVariableNames(bufferSize: Int = 128) -> [(guid: [UInt8], name: [UInt8])]? {
        let global = EFIGuid.globalVariable.bytes
        return allVariableNames(bufferSize: bufferSize)?.filter {
            !($0.guid == global && servedKeys.contains(StoredKey(guid: .globalVariable, name: $0.name)))
        }
    }
}
