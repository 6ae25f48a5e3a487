import DeviceTree
import Testing
@testable import PartitionBoot

/// The manifest reads its tree where it lies whenever it is asked (`uuids`, the regions), as the
/// partition's does from its boot information: so the flattened tree is copied into memory kept
/// for the test run's life. (Built inside `withUnsafeBytes`, the manifest outlived its bytes and
/// the later reads were of freed memory: a test failed now and then.)
func manifest(_ root: DTSNode) throws -> PartitionManifest {
    let tree = flatten(root)
    let kept = UnsafeMutableRawBufferPointer.allocate(byteCount: tree.count, alignment: 8)
    kept.copyBytes(from: tree)
    return try PartitionManifest(try FDT(UnsafeRawBufferPointer(kept)))
}

func layout(_ root: DTSNode, imageBase: UInt64 = 0x0E10_0000) throws -> PartitionLayout {
    try PartitionLayout(manifest: try manifest(root), imageBase: imageBase)
}

func manifestError(_ root: DTSNode) -> ManifestError? {
    do { _ = try layout(root); return nil } catch let e as ManifestError { return e } catch { return nil }
}

/// The committed manifest with `edit` applied.
func variant(_ edit: (inout DTSNode) -> Void) throws -> DTSNode {
    var m = try committedManifest()
    edit(&m)
    return m
}

@Suite struct ManifestTests {
    @Test func theCommittedManifestSaysWhatTFAAndThePartitionNeed() throws {
        let m = try manifest(try committedManifest())
        #expect(m.uuids == [PartitionLayout.uuid])
        #expect(m.id == 0x8001)
        #expect(m.ffaVersion == 0x0001_0002)
        #expect(m.exceptionLevel == PartitionManifest.sEL1 && m.executionState == 0)
        // TF-A's EL3 SPMC refuses an S-EL1 partition whose count is not PLATFORM_CORE_COUNT (32 on qemu).
        #expect(m.executionContextCount == 32)
        #expect(m.messagingMethod == PartitionManifest.receivesDirectRequests | 1 << 9)
        #expect(m.loadAddress == 0x0E10_0000 && m.entrypointOffset == 0)
        #expect(m.gpRegisterNumber == 0)
        #expect(m.memoryRegions.count == 1 && m.deviceRegions.count == 2)
    }

    /// The manifest TF-A is given and the map the partition uses under our monitor are one.
    @Test func theCommittedManifestGivesTheBuiltInLayout() throws {
        #expect(try layout(try committedManifest()) == PartitionLayout.qemuVirt)
    }

    @Test func regionsComeFromTheManifest() throws {
        let m = try variant { root in
            root[child: "memory-regions"]![child: "mm-comm-buffer"]![property: "base-address"] = cells(0, 0x8000_0000)
            root[child: "memory-regions"]![child: "mm-comm-buffer"]![property: "pages-count"] = cells(4)
            root[child: "device-regions"]![child: "variable-store"]![property: "base-address"] = cells(0, 0x0380_0000)
            root[child: "device-regions"]![child: "variable-store"]![property: "pages-count"] = cells(512)
            root[child: "device-regions"]![child: "secure-uart"] = nil
        }
        let l = try layout(m)
        #expect(l.mmBuffer == .init(base: 0x8000_0000, size: 0x4000))
        #expect(l.variableStore == .init(base: 0x0380_0000, size: 0x20_0000))
        #expect(l.secureUART == PartitionLayout.qemuVirt.secureUART)   // optional: the default
    }

    @Test func unitAddressesAndRelativeAddressesAndMoreUUIDs() throws {
        let m = try variant { root in
            var buffer = root[child: "memory-regions"]![child: "mm-comm-buffer"]!
            root[child: "memory-regions"]![child: "mm-comm-buffer"] = nil
            buffer.name = "mm-comm-buffer@40100000"
            root[child: "memory-regions"]!.children.append(buffer)
            root[property: "uuid"] = cells(1, 2, 3, 4, 0x33d5_32ed, 0x0942_e699, 0x722d_c09c, 0xa798_d9cd)
            root[property: "entrypoint-offset"] = cells(0, 0x1000)
        }
        #expect(try layout(m) == PartitionLayout.qemuVirt)
        #expect(try manifest(m).entrypointOffset == 0x1000)
        let relative = try variant { root in
            root[child: "memory-regions"]![child: "mm-comm-buffer"]![property: "base-address"] = nil
            root[child: "memory-regions"]![child: "mm-comm-buffer"]![property: "relative-address"] = cells(0x1000)
            root[child: "memory-regions"]![child: "mm-comm-buffer"]![property: "attributes"] = cells(0x3)
        }
        #expect(try manifest(relative).memoryRegions[0].base == 0x0E10_1000)
    }

    @Test func refusesMalformedManifests() throws {
        #expect(manifestError(try variant { $0[property: "compatible"] = string("arm,ffa-manifest-2.0") }) == .notAManifest)
        #expect(manifestError(try variant { $0[property: "uuid"] = nil }) == .missing(.uuid))
        #expect(manifestError(try variant { $0[property: "uuid"] = cells(1, 2, 3) }) == .malformed(.uuid))
        #expect(manifestError(try variant { $0[property: "ffa-version"] = nil }) == .missing(.ffaVersion))
        #expect(manifestError(try variant { $0[property: "ffa-version"] = cells(0, 1) }) == .malformed(.ffaVersion))
        #expect(manifestError(try variant { $0[property: "messaging-method"] = nil }) == .missing(.messagingMethod))
        #expect(manifestError(try variant { $0[property: "execution-ctx-count"] = nil }) == .missing(.executionContextCount))
        #expect(manifestError(try variant { $0[property: "id"] = cells(0x1_0000) }) == .malformed(.id))
        #expect(manifestError(try variant { $0[property: "load-address"] = cells(0x0E10_0000) }) == .malformed(.loadAddress))
        #expect(manifestError(try variant { $0[child: "device-regions"]![property: "compatible"] = nil }) == .malformed(.regions))
        func store(_ name: String, _ value: [UInt8]?) throws -> DTSNode {
            try variant { $0[child: "device-regions"]![child: "variable-store"]![property: name] = value }
        }
        #expect(manifestError(try store("base-address", nil)) == .missing(.baseAddress))
        #expect(manifestError(try store("pages-count", nil)) == .missing(.pagesCount))
        #expect(manifestError(try store("pages-count", cells(0))) == .malformed(.pagesCount))
        #expect(manifestError(try store("base-address", cells(0, 0x03F0_0800))) == .malformed(.pagesCount))
        #expect(manifestError(try store("base-address", cells(0xFFFF_FFFF, 0xFFF0_0000))) == .malformed(.pagesCount))
        #expect(manifestError(try store("attributes", cells(0x13))) == .malformed(.attributes))
    }

    @Test func refusesAManifestThatIsNotThisPartitions() throws {
        #expect(manifestError(try variant { $0[property: "uuid"] = cells(1, 2, 3, 4) }) == .foreignUUID)
        #expect(manifestError(try variant { $0[property: "exception-level"] = cells(1) }) == .wrongExceptionLevel)
        #expect(manifestError(try variant { $0[property: "execution-state"] = cells(1) }) == .wrongExceptionLevel)
        #expect(manifestError(try variant { $0[property: "ffa-version"] = cells(0x0001_0000) }) == .unsupportedFFAVersion)
        #expect(manifestError(try variant { $0[property: "messaging-method"] = cells(0x2) }) == .noDirectRequests)
        #expect(manifestError(try variant { $0[property: "load-address"] = cells(0, 0x0E20_0000) }) == .wrongLoadAddress)
        // Without a load-address the partition takes the SPMC's word for it.
        #expect(manifestError(try variant { $0[property: "load-address"] = nil }) == nil)
    }

    @Test func refusesRegionsItCannotUse() throws {
        func region(_ parent: String, _ name: String, _ edit: @escaping (inout DTSNode?) -> Void) throws -> DTSNode {
            try variant { edit(&$0[child: parent]![child: name]) }
        }
        #expect(manifestError(try region("memory-regions", "mm-comm-buffer") { $0 = nil }) == .missingRegion(.mmBuffer))
        #expect(manifestError(try variant { $0[child: "memory-regions"] = nil }) == .missingRegion(.mmBuffer))
        #expect(manifestError(try region("memory-regions", "mm-comm-buffer") { $0![property: "attributes"] = cells(0x3) })
                == .badRegion(.mmBuffer))   // secure: not the normal world's buffer
        #expect(manifestError(try region("memory-regions", "mm-comm-buffer") { $0![property: "attributes"] = cells(0x9) })
                == .badRegion(.mmBuffer))   // read-only
        #expect(manifestError(try region("memory-regions", "mm-comm-buffer") { $0![property: "attributes"] = cells(0xf) })
                == .badRegion(.mmBuffer))   // executable
        #expect(manifestError(try region("device-regions", "variable-store") { $0 = nil }) == .missingRegion(.variableStore))
        #expect(manifestError(try region("device-regions", "variable-store") { $0![property: "attributes"] = cells(0xb) })
                == .badRegion(.variableStore))
        #expect(manifestError(try region("device-regions", "variable-store") { $0![property: "pages-count"] = cells(64) })
                == .badRegion(.variableStore))   // one erase block: no room to reclaim
        #expect(manifestError(try region("device-regions", "variable-store") { $0![property: "pages-count"] = cells(200) })
                == .badRegion(.variableStore))   // not whole blocks
        #expect(manifestError(try region("device-regions", "variable-store") { $0![property: "base-address"] = cells(0, 0x03F0_1000) })
                == .badRegion(.variableStore))   // not block aligned
        #expect(manifestError(try region("device-regions", "secure-uart") { $0![property: "attributes"] = cells(0xb) })
                == .badRegion(.secureUART))
    }

    @Test func everyErrorNamesWhatIsWrong() {
        #expect(ManifestError.missing(.uuid).detail.map { String(decoding: $0, as: UTF8.self) } == "uuid")
        #expect(ManifestError.badRegion(.variableStore).detail.map { String(decoding: $0, as: UTF8.self) }
                == "device-regions/variable-store")
        #expect(ManifestError.foreignUUID.detail == nil)
        #expect(String(decoding: ManifestError.malformed(.attributes).text, as: UTF8.self) == "a property is malformed")
        #expect(ManifestError.malformed(.attributes).detail.map { String(decoding: $0, as: UTF8.self) } == "attributes")
        #expect(String(decoding: ManifestError.badRegion(.mmBuffer).text, as: UTF8.self)
                == "a region has the wrong attributes, alignment or size")
    }
}

@Test func textLinesReadEachLineWithoutItsNewline() {
    let t = TextLines("first\nsecond one\n\nlast")
    let lines = (0..<6).map { String(decoding: t.line($0), as: UTF8.self) }
    #expect(lines == ["first", "second one", "", "last", "", ""])
    for p in [ManifestProperty.uuid, .ffaVersion, .exceptionLevel, .executionState, .executionContextCount,
              .messagingMethod, .id, .loadAddress, .entrypointOffset, .gpRegisterNumber, .regions,
              .baseAddress, .pagesCount, .attributes] {
        #expect(p.name.count > 1 && !p.name.contains(10))
    }
    #expect(String(decoding: ManifestProperty.attributes.name, as: UTF8.self) == "attributes")
    #expect(String(decoding: PartitionRegion.secureUART.name, as: UTF8.self) == "device-regions/secure-uart")
}
