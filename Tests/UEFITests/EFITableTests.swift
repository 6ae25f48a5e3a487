import MM
import Testing
import Variables
@testable import UEFI

/// `count` bytes (0xA5 where nothing writes) after `write` has written them in place.
private func written(_ count: Int, _ write: (UnsafeMutableRawBufferPointer) -> Void) -> [UInt8] {
    var t = [UInt8](repeating: 0xA5, count: count)
    t.withUnsafeMutableBytes { write($0) }
    return t
}

private func sealed(_ t: [UInt8]) -> [UInt8] {
    var t = t
    t.withUnsafeMutableBytes { EFITable.seal($0) }
    return t
}

@Suite struct EFITableTests {
    @Test func theSystemTableHeaderAndFieldsSitWhereUEFISays() {
        var s = EFISystemTable()
        s.firmwareVendor = 0x6000_1000; s.firmwareRevision = 0x1_0002
        s.consoleInHandle = 0x11; s.conIn = 0x12; s.consoleOutHandle = 0x13; s.conOut = 0x14
        s.standardErrorHandle = 0x15; s.stdErr = 0x16
        s.runtimeServices = 0x6020_0000; s.bootServices = 0x6030_0000
        s.numberOfTableEntries = 2; s.configurationTable = 0x6040_0000
        let t = written(EFISystemTable.size) { s.write(to: $0) }
        #expect(t.count == 120)
        #expect(Array(t[0..<8]) == Array("IBI SYST".utf8))
        #expect(t.le(8, 4) == 0x0002_0064 && t.le(12, 4) == 120 && t.le(20, 4) == 0)
        #expect(t.le(24, 8) == 0x6000_1000 && t.le(32, 4) == 0x1_0002 && t.le(36, 4) == 0)
        #expect(t.le(40, 8) == 0x11 && t.le(48, 8) == 0x12 && t.le(56, 8) == 0x13 && t.le(64, 8) == 0x14)
        #expect(t.le(72, 8) == 0x15 && t.le(80, 8) == 0x16)
        #expect(t.le(88, 8) == 0x6020_0000 && t.le(96, 8) == 0x6030_0000 && t.le(104, 8) == 2 && t.le(112, 8) == 0x6040_0000)
        #expect(EFITable.isValid(t))
    }

    @Test func theCRCIsZlibsOverTheHeaderSizeWithTheCRCFieldZero() {
        var t = written(EFIBootService.tableSize) { t in
            EFIBootService.write(to: t, unsupported: 0xDEAD) { slot in for s in EFIBootService.allCases { slot(s, UInt64(0x1000 + s.rawValue)) } }
        }
        var zeroed = t
        zeroed.put(0, at: 16, 4)
        #expect(UInt32(t.le(16, 4)) == VariableLogCRC32.checksum(zeroed))
        #expect(EFITable.isValid(t))
        t[100] ^= 1                        // one bit of one function pointer
        #expect(!EFITable.isValid(t))
        t = sealed(t)
        #expect(EFITable.isValid(t))
        var short = t
        short.put(1000, at: 12, 4)         // a HeaderSize past the table
        #expect(!EFITable.isValid(short))
    }

    @Test func bootServicesFollowTheSpecOrder() {
        let t = written(EFIBootService.tableSize) { t in
            EFIBootService.write(to: t, unsupported: 0xDEAD) { slot in
                slot(.exitBootServices, 0xA000 + 26); slot(.raiseTPL, 0xA000); slot(.createEventEx, 0xA000 + 43)
            }
        }
        #expect(EFIBootService.tableSize == 376 && t.count == 376 && EFIBootService.count == EFIBootService.allCases.count)
        // Every slot not served holds `unsupported`.
        for s in EFIBootService.allCases where ![.exitBootServices, .raiseTPL, .createEventEx].contains(s) { #expect(t.le(s.offset, 8) == 0xDEAD) }
        #expect(t.le(24, 8) == 0xA000 && t.le(368, 8) == 0xA000 + 43)
        #expect(EFITable.isValid(t))
        #expect(Array(t[0..<8]) == Array("BOOTSERV".utf8) && t.le(12, 4) == 376)
        #expect(EFIBootService.allocatePages.offset == 40 && EFIBootService.getMemoryMap.offset == 56)
        #expect(EFIBootService.handleProtocol.offset == 152 && EFIBootService.locateDevicePath.offset == 184)
        #expect(EFIBootService.exitBootServices.offset == 232 && EFIBootService.openProtocol.offset == 280)
        #expect(EFIBootService.locateProtocol.offset == 320 && EFIBootService.createEventEx.offset == 368)
        #expect(t.le(EFIBootService.exitBootServices.offset, 8) == 0xA000 + 26)
    }

    @Test func theRTPropertiesMaskNamesExactlyTheOfferedServices() {
        #expect(EFIRuntimeService.tableSize == 136)
        #expect(EFIRuntimeService.getVariable.offset == 72 && EFIRuntimeService.setVariable.offset == 88)
        #expect(EFIRuntimeService.resetSystem.offset == 104 && EFIRuntimeService.queryVariableInfo.offset == 128)
        // GET_VARIABLE 0x10, GET_NEXT_VARIABLE_NAME 0x20, SET_VARIABLE 0x40, RESET_SYSTEM 0x400, QUERY_VARIABLE_INFO 0x2000.
        #expect(EFIRuntimeService.propertiesMask(EFIRuntimeService.offered) == 0x2470)
        // Without SET_VIRTUAL_ADDRESS_MAP Linux's stub keeps the runtime map 1:1.
        #expect(EFIRuntimeService.propertiesMask(EFIRuntimeService.offered) & 0x180 == 0)
        var bits: UInt32 = 0
        for s in EFIRuntimeService.allCases { #expect(bits & s.propertyBit == 0); bits |= s.propertyBit }
        #expect(bits == 0x3FFF)
    }

    @Test func theLoadedImageCarriesTheCommandLineInUCS2() {
        var size = 0
        let options = written(34) { t in size = Array("console=ttyAMA0".utf8).withUnsafeBufferPointer { EFILoadedImage.writeOptions($0, to: t) } }
        #expect(size == 32 && options[0] == 0x63 && options[1] == 0 && options[2] == 0x6F && options[30...31] == [0, 0])
        #expect(options[32...33] == [0xA5, 0xA5])          // nothing written past the NUL
        let t = written(EFILoadedImage.size) { t in
            t.initializeMemory(as: UInt8.self, repeating: 0)   // the block is zeroed first
            EFILoadedImage.write(to: t, systemTable: 0x6100_0000, loadOptions: 0x6200_0000, loadOptionsSize: 32,
                                 imageBase: 0x4800_0000, imageSize: 0x210_0000)
        }
        #expect(t.count == 96 && t.le(0, 4) == 0x1000 && t.le(16, 8) == 0x6100_0000)
        #expect(t.le(48, 4) == 32 && t.le(56, 8) == 0x6200_0000 && t.le(64, 8) == 0x4800_0000 && t.le(72, 8) == 0x210_0000)
        #expect(t.le(80, 4) == 1 && t.le(84, 4) == 2)
    }

    @Test func configurationTablesAreAddedReplacedAndRemoved() {
        var b = [UInt8](repeating: 0xA5, count: 2 * 24 + 1)              // room for two (and a byte)
        var count = 0
        func install(_ g: EFIGuid, _ address: UInt64) -> EFIStatus {
            b.withUnsafeMutableBytes { EFIConfigurationTables.install(g, address, in: $0, count: &count) }
        }
        #expect(install(EFIProtocol.deviceTreeTable, 0x4000_0000) == .success)
        #expect(install(EFIProtocol.rtPropertiesTable, 0x6000_8000) == .success)
        #expect(install(EFIProtocol.linuxInitrdMedia, 0x1000) == .outOfResources)
        #expect(install(EFIProtocol.deviceTreeTable, 0x4100_0000) == .success)
        #expect(install(EFIProtocol.loadFile2, 0) == .notFound)
        #expect(count == 2 && EFIGuid(bytes: b, at: 0) == EFIProtocol.deviceTreeTable && b.le(16, 8) == 0x4100_0000)
        #expect(Array(b[24..<28]) == [0x8a, 0x91, 0x66, 0xeb] && b.le(40, 8) == 0x6000_8000)   // eb66918a little-endian
        #expect(b[48] == 0xA5)                                                   // nothing past the room
        #expect(install(EFIProtocol.deviceTreeTable, 0) == .success)
        #expect(count == 1 && EFIGuid(bytes: b, at: 0) == EFIProtocol.rtPropertiesTable && b.le(16, 8) == 0x6000_8000)
        #expect(install(EFIProtocol.deviceTreeTable, 0) == .notFound)
        #expect(install(EFIProtocol.loadFile2, 0x5000) == .success)
        #expect(count == 2 && EFIGuid(bytes: b, at: 24) == EFIProtocol.loadFile2 && b.le(40, 8) == 0x5000)
        #expect(install(EFIProtocol.rtPropertiesTable, 0) == .success)         // the first of two: the second moves down
        #expect(count == 1 && EFIGuid(bytes: b, at: 0) == EFIProtocol.loadFile2 && b.le(16, 8) == 0x5000)
    }

    @Test func theInitrdsVendorMediaPathIsItsNodeThenEnd() {
        let initrd = vendorMedia(EFIProtocol.linuxInitrdMedia)
        #expect(initrd == [4, 3, 20, 0] + EFIProtocol.linuxInitrdMedia.bytes + [0x7F, 0xFF, 4, 0])
        #expect(initrd.withUnsafeBytes { EFIDevicePath.length($0) } == 24)
        #expect([4, 3, 2, 0].withUnsafeBytes { EFIDevicePath.length($0) } == nil)            // shorter than its header
        #expect([4, 3, 20, 0, 0x7F, 0xFF, 4, 0].withUnsafeBytes { EFIDevicePath.length($0) } == nil)   // past the bytes
        #expect(initrd.withUnsafeBytes { EFIDevicePath.length($0, from: 20) } == 4)
    }

    @Test func locateDevicePathFindsTheInitrdHandleAndWhatIsLeft() {
        var h = handles()
        let initrd = vendorMedia(EFIProtocol.linuxInitrdMedia)
        let path = placed(initrd)
        defer { path.deallocate() }
        h.install(0x10, EFIProtocol.loadedImage, 0x1000)
        h.install(0x20, EFIProtocol.devicePath, address(path))
        h.install(0x20, EFIProtocol.loadFile2, 0x3000)
        let found = locate(h, EFIProtocol.loadFile2, initrd)
        #expect(found?.handle == 0x20 && found?.matched == 20)
        #expect(locate(h, EFIProtocol.loadedImage, initrd) == nil)        // no path on that handle
        #expect(locate(h, EFIProtocol.loadFile2, vendorMedia(EFIProtocol.deviceTreeTable)) == nil)
        #expect(locate(h, EFIProtocol.loadFile2, [4, 3, 2, 0]) == nil)    // a node shorter than its header
        #expect(h.interface(0x20, EFIProtocol.loadFile2) == 0x3000 && h.interface(0x10, EFIProtocol.loadFile2) == nil)
        #expect(listed(h, EFIProtocol.devicePath) == [0x20] && h.forEachHandle(EFIProtocol.rtPropertiesTable) == 0)
        #expect(listed(h, nil) == [0x10, 0x20])   // each handle once
        #expect(h.first(EFIProtocol.loadFile2) == 0x3000 && h.first(EFIProtocol.rtPropertiesTable) == nil)
    }

    @Test func theHandleDatabaseHoldsItsCapacityAndRefusesMore() {
        var h = handles()
        for i in 0..<EFIHandles.capacity {
            let installed = h.install(UInt64(0x10 * (i + 1)), EFIProtocol.loadFile2, UInt64(0x1000 * (i + 1)))
            #expect(installed)
        }
        let refused = !h.install(0x1000, EFIProtocol.loadedImage, 0x9000)
        #expect(refused)
        #expect(h.count == EFIHandles.capacity && h.interface(0x1000, EFIProtocol.loadedImage) == nil)
        #expect(h[EFIHandles.capacity - 1] == EFIHandles.Entry(handle: 0x80, guid: EFIProtocol.loadFile2, interface: 0x8000))
        #expect(h.first(EFIProtocol.loadFile2) == 0x1000 && h.forEachHandle(EFIProtocol.loadFile2) == EFIHandles.capacity)
    }

    @Test func locateDevicePathWalksEveryHandlesPath() {
        var h = handles()
        let initrd = vendorMedia(EFIProtocol.linuxInitrdMedia)
        let other = vendorMedia(EFIProtocol.deviceTreeTable)
        let paths = [placed(initrd), placed(other), placed([4, 3, 20, 0])]   // the last: no End node
        defer { for p in paths { p.deallocate() } }
        h.install(0x20, EFIProtocol.devicePath, address(paths[0]))
        h.install(0x30, EFIProtocol.devicePath, address(paths[1]))
        h.install(0x40, EFIProtocol.devicePath, address(paths[2]))
        h.install(0x20, EFIProtocol.loadFile2, 0x3000)
        h.install(0x30, EFIProtocol.loadFile2, 0x6000)
        h.install(0x40, EFIProtocol.loadFile2, 0x7000)
        #expect(locate(h, EFIProtocol.loadFile2, other)?.handle == 0x30)
        #expect(locate(h, EFIProtocol.loadFile2, initrd)?.handle == 0x20)
        #expect(locate(h, EFIProtocol.devicePath, other + [0x7F, 0xFF, 4, 0])?.matched == 20)
        // The handle whose path has no End node is never matched, even by its own node.
        #expect(locate(h, EFIProtocol.loadFile2, [4, 3, 20, 0] + [UInt8](repeating: 0, count: 16) + [0x7F, 0xFF, 4, 0]) == nil)
    }
}

/// An empty handle database over a table of its own (the tests' tables live as long as the process).
private func handles() -> EFIHandles { EFIHandles(table: .allocate(capacity: EFIHandles.capacity)) }

private func vendorMedia(_ g: EFIGuid) -> [UInt8] {
    var b = [UInt8](repeating: 0xA5, count: EFIDevicePath.vendorMediaSize)
    b.withUnsafeMutableBytes { EFIDevicePath.writeVendorMedia(g, to: $0) }
    return b
}

/// `path` where a device path interface points: at the start of `maxLength` bytes, zero after it.
private func placed(_ path: [UInt8]) -> UnsafeMutableRawBufferPointer {
    let b = UnsafeMutableRawBufferPointer.allocate(byteCount: EFIDevicePath.maxLength, alignment: 8)
    b.initializeMemory(as: UInt8.self, repeating: 0)
    b.copyBytes(from: path)
    return b
}

private func address(_ b: UnsafeMutableRawBufferPointer) -> UInt64 { UInt64(UInt(bitPattern: b.baseAddress!)) }

private func locate(_ h: EFIHandles, _ g: EFIGuid, _ path: [UInt8]) -> (handle: UInt64, matched: Int)? {
    path.withUnsafeBytes { h.locate(g, path: $0) }
}

/// LocateHandle's list as `forEachHandle` writes it, after counting it.
private func listed(_ h: EFIHandles, _ g: EFIGuid?) -> [UInt64] {
    let n = h.forEachHandle(g)
    var out = [UInt64](repeating: 0xEEEE, count: n + 1)
    let written = out.withUnsafeMutableBytes { h.forEachHandle(g, into: $0.baseAddress) }
    #expect(written == n && out[n] == 0xEEEE)   // nothing past the list
    return Array(out[0..<n])
}
