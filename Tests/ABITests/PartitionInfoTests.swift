import Testing
@testable import ABI

let mmPartition = PartitionInfo(id: 0x8001, executionContexts: 1,
                                properties: PartitionInfo.Property.receivesDirectRequests | PartitionInfo.Property.aarch64,
                                uuid: .mmVariable)

@Test func v1_0DescriptorIsEightBytesWithLegacyPropertiesOnly() {
    let b = mmPartition.encoded(for: .v1_0)
    #expect(b == [0x01, 0x80, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00])
    let back = PartitionInfo(bytes: b, at: 0, size: 8)
    #expect(back?.id == 0x8001 && back?.properties == 1 && back?.uuid == .nil)
}

@Test func v1_2DescriptorRoundTripsWithUUID() {
    let b = mmPartition.encoded(for: .v1_2)
    #expect(b.count == 24)
    #expect(Array(b[8..<12]) == [0xed, 0x32, 0xd5, 0x33])
    #expect(PartitionInfo(bytes: b, at: 0, size: 24) == mmPartition)
    #expect(PartitionInfo(registerTriple: mmPartition.registerTriple) == mmPartition)
}

@Test func truncatedDescriptorsAreRejected() {
    let b = mmPartition.encoded(for: .v1_2)
    #expect(PartitionInfo(bytes: b, at: 1, size: 24) == nil)
    #expect(PartitionInfo(bytes: b, at: 0, size: 12) == nil)
    #expect(PartitionInfo(bytes: b, at: -1, size: 8) == nil)
    #expect(PartitionInfo(bytes: b, at: Int.max, size: 8) == nil)
}

@Test func descriptorsReadFromTheRegistersAsFromTheDecodedAnswer() {
    var r = Registers()
    for i in 0..<Registers.count { r[i] = 0x1111_0000_0000_0000 &* UInt64(i) &+ UInt64(i) }
    r.x0 = UInt64(FFAFunction.FFA_SUCCESS_64)
    let reply = PartitionInfoRegisters(decoding: Interface.successArguments(r, is64: true))
    for size in [0, 8, 16, 24, 32, 40, 48, 64, 120] {
        for k in 0..<7 {
            #expect(PartitionInfoRegisters.descriptor(k, size: size, of: r) == reply.descriptor(k, size: size), "size \(size) k \(k)")
        }
    }
}
