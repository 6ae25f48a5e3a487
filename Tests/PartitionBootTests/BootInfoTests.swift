import Testing
@testable import PartitionBoot

/// A boot information blob shaped like TF-A's EL3 SPMC's (spmc_create_boot_info): header, one
/// FDT descriptor named by UUID with an address, the manifest right after the descriptor.
func bootInfo(signature: UInt32 = 0xFFA, version: UInt32 = 0x0001_0002, blobSize: UInt32? = nil,
              descriptorSize: UInt32 = 32, count: UInt32 = 1, offset: UInt32 = 32,
              type: UInt8 = 0, flags: UInt16 = 0x1, manifestAt: UInt64 = 0x0E0C_A040,
              manifestSize: UInt32 = 1078) -> [UInt8] {
    func le(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
    let size = blobSize ?? 64 + manifestSize
    var b = le(UInt64(signature), 4) + le(UInt64(version), 4) + le(UInt64(size), 4)
    b += le(UInt64(descriptorSize), 4) + le(UInt64(count), 4) + le(UInt64(offset), 4) + le(0, 8)
    b += [UInt8](repeating: 0, count: 16) + [type, 0] + le(UInt64(flags), 2)
    b += le(UInt64(manifestSize), 4) + le(manifestAt, 8)
    return b + [UInt8](repeating: 0xEE, count: Int(manifestSize))
}

func parse(_ b: [UInt8]) throws(FFABootInfoError) -> FFABootInfo {
    let r = b.withUnsafeBytes { raw in Result { () throws(FFABootInfoError) in try FFABootInfo(raw) } }
    return try r.get()
}

func refusal(_ b: [UInt8]) -> FFABootInfoError? {
    do throws(FFABootInfoError) { _ = try parse(b).manifest(); return nil } catch { return error }
}

@Suite struct BootInfoTests {
    @Test func readsTFAsBlob() throws {
        let info = try parse(bootInfo())
        #expect(info.version == 0x0001_0002)
        #expect(info.blobSize == 64 + 1078)
        #expect(info.descriptorCount == 1)
        let m = try info.manifest()
        #expect(m.content == 0x0E0C_A040 && m.size == 1078)
        #expect(m.isStandard && m.typeID == FFABootInfoDescriptor.fdt && !m.contentIsValue)
    }

    @Test func blobSizeComesFromTheHeaderAlone() throws {
        let b = bootInfo()
        let size = try Array(b.prefix(32)).withUnsafeBytes { raw in
            Result { () throws(FFABootInfoError) in try FFABootInfo.blobSize(header: raw) }
        }.get()
        #expect(size == b.count)
    }

    @Test func refusesWhatIsNotBootInformation() {
        #expect(refusal(bootInfo(signature: 0)) == .badSignature)
        #expect(refusal(bootInfo(signature: 0x0FFB)) == .badSignature)
        #expect(refusal([UInt8](repeating: 0, count: 31)) == .truncated)
        #expect(refusal([]) == .truncated)
        // v1.0 had no boot protocol; major 2 is not ours; bit 31 set is not a version.
        #expect(refusal(bootInfo(version: 0x0001_0000)) == .unsupportedVersion)
        #expect(refusal(bootInfo(version: 0x0002_0000)) == .unsupportedVersion)
        #expect(refusal(bootInfo(version: 0x8001_0002)) == .unsupportedVersion)
    }

    @Test func refusesSizesAndOffsetsOutsideTheBlob() {
        #expect(refusal(bootInfo(blobSize: 16)) == .badBlobSize)
        #expect(refusal(bootInfo(blobSize: 64 << 10 + 1)) == .badBlobSize)
        #expect(refusal(bootInfo(blobSize: 0xFFFF_FFFF)) == .badBlobSize)
        // The header claims more than the memory given.
        #expect(refusal(Array(bootInfo().dropLast())) == .truncated)
        #expect(refusal(bootInfo(descriptorSize: 16)) == .badDescriptorSize)
        #expect(refusal(bootInfo(count: 0xFFFF_FFFF)) == .descriptorsOutOfBounds)
        #expect(refusal(bootInfo(count: 2, manifestSize: 0)) == .descriptorsOutOfBounds)
        #expect(refusal(bootInfo(offset: 8)) == .descriptorsOutOfBounds)
        #expect(refusal(bootInfo(offset: 0xFFFF_FFF0)) == .descriptorsOutOfBounds)
        #expect(refusal(bootInfo(descriptorSize: 0xFFFF_FFFF)) == .descriptorsOutOfBounds)
    }

    @Test func findsOnlyAStandardFDTGivenByAddress() {
        #expect(refusal(bootInfo(count: 0)) == .noManifest)
        #expect(refusal(bootInfo(type: FFABootInfoDescriptor.hobList)) == .noManifest)
        #expect(refusal(bootInfo(type: 0x80)) == .noManifest)   // an implementation's own type 0
        #expect(refusal(bootInfo(flags: 0x1 | 1 << 2)) == .manifestNotAnAddress)
        #expect(refusal(bootInfo(manifestSize: 0)) == .badManifestRange)
        #expect(refusal(bootInfo(manifestAt: UInt64.max - 10)) == .badManifestRange)
    }

    @Test func everyErrorHasALogLine() {
        for e in [FFABootInfoError.truncated, .badSignature, .unsupportedVersion, .badBlobSize, .badDescriptorSize,
                  .descriptorsOutOfBounds, .noManifest, .manifestNotAnAddress, .badManifestRange] {
            #expect(e.text.count > 10 && !e.text.contains(10))
        }
    }
}
