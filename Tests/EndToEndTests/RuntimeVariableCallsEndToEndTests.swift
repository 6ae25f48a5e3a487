import Testing
import Driver
import MM
import Variables

private func name16(_ text: StaticString) -> [UInt16] { Array(text.description.utf16) + [0] }

/// The runtime services' variable path as an OS drives it: raw pointers into the real client,
/// FF-A driver, SPMC and partition, after ExitBootServices.
@Suite struct RuntimeVariableCallsEndToEndTests {
    @Test func anOSWritesReadsListsAndDeletesAfterExitBootServices() throws {
        let m = try Machine()
        var c = try m.bootClient()
        #expect(c.setVariable(name: ucs2("BootOnly"), guid: vendor, attributes: Attr.bs, data: [9]) == .success)
        #expect(c.exitBootServices() == .success)
        let g = vendor.bytes
        let n = name16("LinuxNew")
        let value: [UInt8] = Array("from-linux".utf8)
        let set = n.withUnsafeBufferPointer { np in
            g.withUnsafeBytes { gp in value.withUnsafeBytes { v in
                RuntimeVariableCalls.setVariable(&c, np.baseAddress, gp.baseAddress, Attr.nvBsRt, UInt64(v.count), v.baseAddress)
            } }
        }
        #expect(set == .success)
        #expect(m.world.store.persistence.variables.contains { $0.name == ucs2("LinuxNew") && $0.data == value })

        var size: UInt64 = 0
        var attributes: UInt32 = 0
        var out = [UInt8](repeating: 0, count: 16)
        let tooSmall = n.withUnsafeBufferPointer { np in g.withUnsafeBytes { gp in
            RuntimeVariableCalls.getVariable(&c, np.baseAddress, gp.baseAddress, &attributes, &size, nil)
        } }
        #expect(tooSmall == .bufferTooSmall && size == 10 && attributes == Attr.nvBsRt)
        let read = n.withUnsafeBufferPointer { np in g.withUnsafeBytes { gp in out.withUnsafeMutableBytes { o in
            RuntimeVariableCalls.getVariable(&c, np.baseAddress, gp.baseAddress, nil, &size, o.baseAddress)
        } } }
        #expect(read == .success && Array(out[0..<10]) == value && out[10] == 0)

        // GetNextVariableName from L"" lists LinuxNew and not the boot-services-only variable.
        var listed: [[UInt16]] = []
        var buffer = [UInt16](repeating: 0, count: 64)
        var vendorOut = [UInt8](repeating: 0, count: 16)
        while listed.count < 16 {
            var bytes: UInt64 = 128
            let s = buffer.withUnsafeMutableBufferPointer { b in vendorOut.withUnsafeMutableBytes { v in
                RuntimeVariableCalls.getNextVariableName(&c, &bytes, b.baseAddress, v.baseAddress)
            } }
            if s == .notFound { break }
            #expect(s == .success)
            listed.append(Array(buffer.prefix { $0 != 0 }))
        }
        #expect(listed.contains(Array("LinuxNew".utf16)) && !listed.contains(Array("BootOnly".utf16)))

        var maxStorage: UInt64 = 0, remaining: UInt64 = 0, maxSize: UInt64 = 0
        #expect(RuntimeVariableCalls.queryVariableInfo(&c, Attr.nvBsRt, &maxStorage, &remaining, &maxSize) == .success)
        #expect(maxStorage > 0 && remaining < maxStorage && maxSize > 0)

        // Size 0 deletes; a boot-services-only variable is write-protected at run time.
        let deleted = n.withUnsafeBufferPointer { np in g.withUnsafeBytes { gp in
            RuntimeVariableCalls.setVariable(&c, np.baseAddress, gp.baseAddress, Attr.nvBsRt, 0, nil)
        } }
        #expect(deleted == .success && !m.world.store.persistence.variables.contains { $0.name == ucs2("LinuxNew") })
        let bootOnly = name16("BootOnly")
        let protected = bootOnly.withUnsafeBufferPointer { np in g.withUnsafeBytes { gp in value.withUnsafeBytes { v in
            RuntimeVariableCalls.setVariable(&c, np.baseAddress, gp.baseAddress, Attr.bs, 1, v.baseAddress)
        } } }
        #expect(protected == .writeProtected)
    }

    /// GetNextVariableName works in the caller's own buffer of VariableNameSize bytes: the
    /// previous name must end within it, the next is written over it, and a buffer too small
    /// gets the size needed and keeps its bytes.
    @Test func getNextVariableNameWorksInTheCallersBuffer() throws {
        let m = try Machine()
        var c = try m.bootClient()
        #expect(c.setVariable(name: ucs2("RtA"), guid: vendor, attributes: Attr.nvBsRt, data: [1]) == .success)
        #expect(c.setVariable(name: ucs2("RtLonger"), guid: vendor, attributes: Attr.nvBsRt, data: [2]) == .success)
        #expect(c.exitBootServices() == .success)
        var guid = vendor.bytes
        func step(_ buffer: inout [UInt16], _ size: inout UInt64) -> EFIStatus {
            buffer.withUnsafeMutableBufferPointer { b in guid.withUnsafeMutableBytes { g in
                RuntimeVariableCalls.getNextVariableName(&c, &size, b.baseAddress, g.baseAddress)
            } }
        }
        // From RtA, in a buffer of 8 bytes (RtA and its NUL): RtLonger needs 18.
        var buffer = name16("RtA") + [0x7777]
        var size: UInt64 = 8
        #expect(step(&buffer, &size) == .bufferTooSmall && size == 18 && buffer == name16("RtA") + [0x7777])
        // The same with room: the next name over the previous one, the GUID as it is.
        buffer = name16("RtA") + [UInt16](repeating: 0x7777, count: 8)
        size = 24
        #expect(step(&buffer, &size) == .success && size == 18 && Array(buffer[0..<9]) == name16("RtLonger"))
        #expect(buffer[9...].allSatisfy { $0 == 0x7777 } && guid == vendor.bytes)
        // A previous name whose NUL lies past VariableNameSize is EFI_INVALID_PARAMETER.
        buffer = name16("RtA")
        size = 6
        #expect(step(&buffer, &size) == .invalidParameter && size == 6)
        #expect(m.world.faults.isEmpty)
    }

    @Test func badPointersAndUnterminatedNamesAreInvalidParameters() throws {
        let m = try Machine()
        var c = try m.bootClient()
        let g = vendor.bytes
        let n = name16("X")
        var size: UInt64 = 4
        let unterminated = [UInt16](repeating: 0x41, count: RuntimeVariableCalls.maxNameChars + 8)
        n.withUnsafeBufferPointer { np in g.withUnsafeBytes { gp in
            #expect(RuntimeVariableCalls.getVariable(&c, nil, gp.baseAddress, nil, &size, nil) == .invalidParameter)
            #expect(RuntimeVariableCalls.getVariable(&c, np.baseAddress, nil, nil, &size, nil) == .invalidParameter)
            #expect(RuntimeVariableCalls.getVariable(&c, np.baseAddress, gp.baseAddress, nil, nil, nil) == .invalidParameter)
            #expect(RuntimeVariableCalls.getVariable(&c, np.baseAddress, gp.baseAddress, nil, &size, nil) == .invalidParameter)
            #expect(RuntimeVariableCalls.setVariable(&c, np.baseAddress, gp.baseAddress, Attr.nvBsRt, 4, nil) == .invalidParameter)
            #expect(RuntimeVariableCalls.setVariable(&c, np.baseAddress, gp.baseAddress, Attr.nvBsRt,
                                                     RuntimeVariableCalls.maxDataSize + 1, gp.baseAddress) == .invalidParameter)
            var a: UInt64 = 0, b: UInt64 = 0
            #expect(RuntimeVariableCalls.queryVariableInfo(&c, Attr.nvBsRt, nil, &a, &b) == .invalidParameter)
        } }
        unterminated.withUnsafeBufferPointer { np in g.withUnsafeBytes { gp in
            #expect(RuntimeVariableCalls.getVariable(&c, np.baseAddress, gp.baseAddress, nil, &size, nil) == .invalidParameter)
        } }
        #expect(m.world.faults.isEmpty)
    }
}
