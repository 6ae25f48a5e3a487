import Boot
import DeviceTree
import Driver
import MM
import Platform
import Variables

extension Commands {

    @inline(never)   // one copy: ShellArgumentError.name was inlined at each of six commands
    static func argumentError(_ e: ShellArgumentError, _ command: StaticString) {
        Console.write(command); Console.write(": "); Console.line(e.name)
        usage(command)
    }

    static func printenv(_ args: [[UInt8]]) {
        guard args.count >= 2, matches(args[1], "-e") else { printenvPlain(args); return }
        let parsed: PrintEnvArguments
        do throws(ShellArgumentError) { parsed = try PrintEnvArguments.parse(words(args, from: 2)) } catch {
            argumentError(error, "printenv"); return
        }
        let vendor = parsed.vendor, names = parsed.names, showData = parsed.showData
        EFIVariables.with { c in
            // Every variable, or (`-all NAME...`, as U-Boot) those of these names under any vendor.
            if names.isEmpty || vendor == .any {
                var name: [UInt8] = [0, 0]
                var guid = EFIGuid.zero
                var shown = 0
                var nameSize = 1024, retried = false
                while true {
                    // One call site (it is inlined): a second try with the size asked for.
                    let r = c.getNextVariableName(nameSize: nameSize, name: name, guid: guid)
                    if r.status == .bufferTooSmall && !retried { nameSize = Int(r.nameSize); retried = true; continue }
                    nameSize = 1024; retried = false
                    if r.status == .notFound { break }
                    guard r.status == .success else { Console.write("GetNextVariableName: "); Console.line(r.status.name); return }
                    name = r.name; guid = r.guid
                    guard wanted(guid, vendor) else { continue }
                    if !names.isEmpty && !names.contains(UCS2.normalized(name) ?? name) { continue }
                    show(&c, name: name, guid: guid, data: showData)
                    shown += 1
                }
                if shown == 0 { Console.line("no variables") }
            } else {
                for name in names {
                    switch vendor {
                    case .guid(let g): show(&c, name: name, guid: g, data: showData)
                    default: show(&c, name: name, guid: .globalVariable, data: showData)
                    }
                }
            }
        }
    }

    static func wanted(_ guid: EFIGuid, _ vendor: PrintEnvArguments.Vendor) -> Bool {
        switch vendor {
        case .any: return true
        case .global: return guid == .globalVariable
        case .guid(let g): return guid == g
        }
    }

    @inline(never)   // three callers: one copy
    static func show(_ c: inout VariableClient<Transport>, name: [UInt8], guid: EFIGuid, data: Bool) {
        // Asked with no room, then into a buffer of the size that answer gives (no more than one
        // message carries): the value read in place, no array of it.
        var buffer = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        defer { buffer.deallocate() }
        var r = c.getVariable(name: name, guid: guid, into: buffer)
        if r.status == .bufferTooSmall {
            buffer = .allocate(byteCount: Int(min(r.dataSize, UInt64(c.transport.bufferSize))), alignment: 8)
            r = c.getVariable(name: name, guid: guid, into: buffer)
        }
        UCS2Text.writeUTF8(name, Console.put); Console.line(":")
        guard r.status == .success else { Console.write("    "); Console.line(r.status.name); return }
        describe(guid: guid, attributes: r.attributes,
                 data: UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(r.dataSize)), dump: data)
    }

    /// A variable's GUID line, attributes and size, and (with `dump`) its value: printenv -e's
    /// and setenv -e -v's form.
    @inline(never)   // two callers: one copy
    static func describe(guid: EFIGuid, attributes: UInt32, data: UnsafeRawBufferPointer, dump: Bool) {
        Console.write("    "); GUIDText.write(guid, Console.put)
        if let known = GUIDText.knownName(guid) { Console.write(" ("); Console.write(known); Console.write(")") }
        Console.put(10)
        Console.write("    "); VariableAttributeText.write(attributes, Console.put)
        Console.hex0x(", DataSize = ", UInt64(data.count)); Console.put(10)
        if dump { hexDump(data) }
    }

    /// `    00000000: 68 65 6c 6c 6f                                   hello`
    @inline(__always)   // one caller
    static func hexDump(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + 16, bytes.count)
            Console.write("    "); Console.hex(UInt64(offset), digits: 8); Console.write(": ")
            for k in offset..<end { Console.hex(UInt64(bytes[k]), digits: 2); Console.put(32) }
            for _ in end..<offset + 16 { Console.write("   ") }
            Console.put(32)
            for k in offset..<end { let b = bytes[k]; Console.put(b >= 32 && b < 127 ? b : 46) }
            Console.put(10)
            offset += 16
        }
    }

    static func setenv(_ args: [[UInt8]]) {
        guard args.count >= 2 else { usage("setenv"); return }
        guard matches(args[1], "-e") else { setenvPlain(args); return }
        let parsed: SetEnvArguments
        do throws(ShellArgumentError) { parsed = try SetEnvArguments.parse(words(args, from: 2)) } catch {
            argumentError(error, "setenv"); return
        }
        let data: [UInt8]
        switch parsed.value {
        case .bytes(let b): data = b
        case .memory(let address, let size):
            guard size <= 0x1_0000, BootPlan.inRAM(FDTRegion(base: address, size: size), KernelLoader.memory) else {
                Console.line("setenv: -i range must be at most 64 KiB of mapped RAM"); return
            }
            data = readBytes(address, Int(size))
        }
        let name = parsed.name, guid = parsed.guid, attributes = parsed.attributes
        if parsed.verbose {   // -v: what is about to be set, as printenv -e shows a variable
            UCS2Text.writeUTF8(name, Console.put); Console.line(":")
            data.withUnsafeBytes { describe(guid: guid, attributes: attributes, data: $0, dump: true) }
        }
        EFIVariables.with { c in
            let status = c.setVariable(name: name, guid: guid, attributes: attributes, data: data)
            if status != .success { Console.write("## Failed to set EFI variable: "); Console.line(status.name) }
        }
    }

    static func varinfo(_ args: [[UInt8]]) {
        guard noArguments(args, "varinfo") else { return }
        let kinds: [(UInt32, StaticString)] = [(0x7, "NV|BS|RT"), (0x6, "BS|RT")]
        EFIVariables.with { c in
            for (attributes, label) in kinds {
                let r = c.queryVariableInfo(attributes: attributes)
                Console.write(label); Console.write(": ")
                guard r.status == .success else { Console.line(r.status.name); continue }
                Console.write("maximum storage "); Console.dec(r.maximumVariableStorageSize)
                Console.write(", remaining "); Console.dec(r.remainingVariableStorageSize)
                Console.write(", maximum variable size "); Console.dec(r.maximumVariableSize); Console.put(10)
            }
        }
    }
}
