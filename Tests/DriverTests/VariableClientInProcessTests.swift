import Testing
import ABI
import MM
import Variables
@testable import Driver

/// A vendor GUID whose stored bytes (01 00 ...) sort before EFI_GLOBAL_VARIABLE's.
let clientVendor = EFIGuid(0x0000_0001, 0, 0, (0, 0, 0, 0, 0, 0, 0, 1))

/// UEFI variable services through the real handler, over both transports.
func checkVariableServices<T: MMTransport>(_ client: inout VariableClient<T>) {
    #expect(client.initialize() == .success)
    let name = UCS2.fromASCII("BootTest")
    #expect(client.getVariable(name: name, guid: clientVendor, dataSize: 64).status == .notFound)

    #expect(client.setVariable(name: name, guid: clientVendor, attributes: 7, data: Array("hello".utf8)) == .success)
    #expect(client.getVariable(name: name, guid: clientVendor, dataSize: 64)
            == VariableReadResult(status: .success, attributes: 7, dataSize: 5, data: Array("hello".utf8)))

    // Too small: the size needed and the attributes come back.
    #expect(client.getVariable(name: name, guid: clientVendor, dataSize: 2)
            == VariableReadResult(status: .bufferTooSmall, attributes: 7, dataSize: 5))

    // Append.
    #expect(client.setVariable(name: name, guid: clientVendor, attributes: 0x47, data: Array("!".utf8)) == .success)
    #expect(client.getVariable(name: name, guid: clientVendor, dataSize: 64).data == Array("hello!".utf8))

    // Enumerate: ours first (its GUID sorts lowest), then the secure-boot state the partition
    // serves, to NOT_FOUND.
    let first = client.getNextVariableName(nameSize: 256, name: [0, 0], guid: .zero)
    #expect(first == NextVariableNameResult(status: .success, guid: clientVendor, nameSize: UInt64(name.count), name: name))
    #expect(client.getNextVariableName(nameSize: 2, name: [0, 0], guid: .zero)
            == NextVariableNameResult(status: .bufferTooSmall, nameSize: UInt64(name.count)))
    let second = client.getNextVariableName(nameSize: 256, name: name, guid: clientVendor)
    #expect(second.status == .success && second.guid == .globalVariable && second.name == UCS2.fromASCII("AuditMode"))
    #expect(client.getNextVariableName(nameSize: 256, name: UCS2.fromASCII("VendorKeys"), guid: .globalVariable).status == .notFound)

    let info = client.queryVariableInfo(attributes: 7)
    #expect(info.status == .success && info.maximumVariableSize > 0 && info.remainingVariableStorageSize < info.maximumVariableStorageSize)

    // UEFI rules are the partition's: RT without BS is refused, attributes must match.
    #expect(client.setVariable(name: name, guid: clientVendor, attributes: 4, data: [1]) == .invalidParameter)
    #expect(client.setVariable(name: name, guid: clientVendor, attributes: 3, data: [1]) == .invalidParameter)

    // Delete, and deleting again.
    #expect(client.setVariable(name: name, guid: clientVendor, attributes: 7, data: []) == .success)
    #expect(client.getVariable(name: name, guid: clientVendor, dataSize: 64).status == .notFound)
    #expect(client.setVariable(name: name, guid: clientVendor, attributes: 7, data: []) == .notFound)

    // After ExitBootServices, BS-only variables are invisible.
    #expect(client.setVariable(name: UCS2.fromASCII("BSOnly"), guid: clientVendor, attributes: 3, data: [1]) == .success)
    #expect(client.exitBootServices() == .success)
    #expect(client.getVariable(name: UCS2.fromASCII("BSOnly"), guid: clientVendor, dataSize: 8).status == .notFound)
}

@Test func volatileTransportRunsTheHandler() {
    var client = VariableClient(transport: VolatileMMTransport())
    checkVariableServices(&client)
}

@Test func ffaTransportRunsTheHandler() throws {
    let world = FakeSecureWorld(shared: SharedBytes(size: 0x10000), log: EventLog())
    var client = VariableClient(transport: try ffaTransport(world: world))
    checkVariableServices(&client)
    // Every doorbell cleaned what it wrote first and invalidated before reading back.
    let events = world.log.events
    for (i, e) in events.enumerated() {
        if case .call = e {
            guard i >= 2, i + 2 < events.count else { Issue.record("doorbell at the edge"); continue }
            if case .clean = events[i - 1] {} else { Issue.record("no clean before the doorbell") }
            if case .invalidate = events[i + 1] {} else { Issue.record("no invalidate after the doorbell") }
        }
    }
}

@Test func selectedTransportForwards() {
    var client = VariableClient(transport: SelectedMMTransport<VolatileMMTransport>.volatile(VolatileMMTransport()))
    #expect(client.transport.isVolatile)
    checkVariableServices(&client)
}

@Test func volatileTransportRefusesBrokenRequests() {
    var t = VolatileMMTransport()
    #expect(throws: MMTransportError.malformedRequest) { _ = try t.communicate([0, 1]) }
    // A header GUID the handler does not serve is an MM-level refusal.
    var wrong = SMMVariableRequest.getPayloadSize.encoded
    wrong[0] ^= 1
    #expect(throws: MMTransportError.self) { _ = try t.communicate(wrong) }
}

// MARK: choosing the transport

@Test func ffaWhenTheMMPartitionTakesDirectRequests() {
    #expect(VariableTransportChoice.select(discovery: .success([otherInfo, mmInfo])) == .ffa(partitionID: 0x8001))
}

@Test func volatileWithoutFFA() {
    #expect(VariableTransportChoice.select(discovery: .failure(.noFFA(.noEL3ForSMC))) == .volatile(.noFFA(.noEL3ForSMC)))
}

@Test func volatileWithoutMMPartition() {
    #expect(VariableTransportChoice.select(discovery: .failure(.ffa(.invalidParameters))) == .volatile(.noMMPartition))
    #expect(VariableTransportChoice.select(discovery: .success([])) == .volatile(.noMMPartition))
    #expect(VariableTransportChoice.select(discovery: .success([otherInfo])) == .volatile(.noMMPartition))
}

@Test func volatileWhenThePartitionTakesNoDirectRequests() {
    var silent = mmInfo
    silent.properties = PartitionInfo.Property.indirectMessages
    #expect(VariableTransportChoice.select(discovery: .success([silent])) == .volatile(.partitionTakesNoDirectRequests))
}

/// Partitions that answer with another UUID are passed over; of those that match (the MM UUID,
/// or the nil UUID of a v1.0 descriptor), the first that takes direct requests wins.
@Test func theFirstMatchingPartitionThatTakesDirectRequestsWins() {
    var silent = mmInfo
    silent.id = 0x8003
    silent.properties = PartitionInfo.Property.indirectMessages
    var v10 = mmInfo
    v10.id = 0x8004
    v10.uuid = .nil
    #expect(VariableTransportChoice.select(discovery: .success([otherInfo, silent, v10, mmInfo])) == .ffa(partitionID: 0x8004))
    #expect(VariableTransportChoice.select(discovery: .success([silent, mmInfo])) == .ffa(partitionID: 0x8001))
    #expect(VariableTransportChoice.select(discovery: .success([silent, otherInfo])) == .volatile(.partitionTakesNoDirectRequests))
}

@Test func volatileOnOtherFFAFaults() {
    #expect(VariableTransportChoice.select(discovery: .failure(.malformedDescriptors)) == .volatile(.ffaError(.malformedDescriptors)))
    #expect(VolatileReason.noMMPartition.name.description == "no MM partition")
    #expect(VolatileReason.noFFA(.notProbed).name.description == "no FF-A")
    #expect(VolatileReason.partitionTakesNoDirectRequests.name.description == "MM partition takes no direct requests")
    #expect(VolatileReason.ffaError(.rxtxNotMapped).name.description == "FF-A discovery failed")
}
