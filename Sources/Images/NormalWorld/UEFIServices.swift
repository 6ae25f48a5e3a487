import Hardware
import MM
import Platform
import UEFI
import Variables

/// Every boot service and protocol function has this shape: AAPCS64 passes up to eight
/// arguments in x0-x7, so a function reads the ones its EFI prototype has and ignores the rest;
/// 32-bit arguments are truncated (their upper register halves are undefined).
typealias EFIFunction = @convention(c) (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) -> UInt64

func functionAddress(_ f: EFIFunction) -> UInt64 { UInt64(UInt(bitPattern: unsafe unsafeBitCast(f, to: UnsafeRawPointer.self))) }

/// Memory the EFI application hands us, by address. Null stays nil.
func raw(_ a: UInt64) -> UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: UInt(a)) }
/// An EFI application's pointers may be unaligned: with the MMU on (RAM is Normal memory) one
/// unaligned access each, inlined.
func store(_ value: UInt64, _ at: UInt64) { if let p = raw(at) { unsafe p.storeBytes(of: value, as: UInt64.self) } }
func load64(_ at: UInt64) -> UInt64 { raw(at).map { unsafe $0.loadUnaligned(as: UInt64.self) } ?? 0 }
/// `n` bytes of memory at `at` (null: none). The one copy loop every reader of memory shares.
@inline(never)
func readBytes(_ at: UInt64, _ n: Int) -> [UInt8] {
    guard n > 0, let p = raw(at) else { return [] }
    return unsafe Array(UnsafeRawBufferPointer(start: p, count: n))
}
@inline(never)   // one copy for its many callers
func guid(at a: UInt64) -> EFIGuid? { a == 0 ? nil : EFIGuid(lo: load64(a), hi: load64(a &+ 8)) }   // two loads, no array
func status(_ s: EFIStatus) -> UInt64 { s.rawValue }

/// The boot services (UEFI 2.10 §7) an EFI application such as Linux's stub uses; the others
/// answer EFI_UNSUPPORTED. State lives in UEFIBoot.
enum BootServices {
    static let unsupported: EFIFunction = { _, _, _, _, _, _ in EFIStatus.unsupported.rawValue }

    /// Each served service and its function's address, handed to `slot`; the others stay
    /// `unsupported` (EFIBootService.write).
    static func serve(_ slot: (EFIBootService, UInt64) -> Void) {
        func put(_ s: EFIBootService, _ f: EFIFunction) { slot(s, functionAddress(f)) }
        put(.raiseTPL, { new, _, _, _, _, _ in let old = UEFIBoot.tpl; UEFIBoot.tpl = new; return old })
        put(.restoreTPL, { old, _, _, _, _, _ in UEFIBoot.tpl = old; return 0 })
        put(.allocatePages, { kind, type, pages, memory, _, _ in BootServices.allocatePages(kind, type, pages, memory) })
        put(.freePages, { base, pages, _, _, _, _ in status(UEFIBoot.map.free(base: base, pages: pages)) })
        put(.getMemoryMap, { size, map, key, descSize, version, _ in BootServices.getMemoryMap(size, map, key, descSize, version) })
        put(.allocatePool, { type, size, buffer, _, _, _ in BootServices.allocatePool(type, size, buffer) })
        put(.freePool, { buffer, _, _, _, _, _ in BootServices.freePool(buffer) })
        put(.handleProtocol, { handle, g, out, _, _, _ in BootServices.openProtocol(handle, g, out, 0) })
        put(.openProtocol, { handle, g, out, _, _, attributes in BootServices.openProtocol(handle, g, out, attributes) })
        put(.closeProtocol, { handle, g, _, _, _, _ in
            guard let g = guid(at: g) else { return status(.invalidParameter) }
            return status(UEFIBoot.handles.interface(handle, g) != nil ? .success : .notFound)
        })
        put(.locateHandle, { type, g, _, size, buffer, _ in BootServices.locateHandle(type, g, size, buffer) })
        put(.locateHandleBuffer, { type, g, _, count, buffer, _ in BootServices.locateHandleBuffer(type, g, count, buffer) })
        put(.locateProtocol, { g, _, out, _, _, _ in
            guard let g = guid(at: g), out != 0 else { return status(.invalidParameter) }
            // The first handle with the protocol is its first entry (installation order).
            guard let i = UEFIBoot.handles.first(g) else {
                store(0, out); return status(.notFound)
            }
            store(i, out); return status(.success)
        })
        put(.locateDevicePath, { g, path, device, _, _, _ in BootServices.locateDevicePath(g, path, device) })
        put(.installConfigurationTable, { g, table, _, _, _, _ in
            guard let g = guid(at: g) else { return status(.invalidParameter) }
            return status(UEFIBoot.installConfigurationTable(g, table))
        })
        put(.exitBootServices, { image, key, _, _, _, _ in UEFIBoot.exitBootServices(image, key) })
        put(.stall, { us, _, _, _, _, _ in
            let end = hw_read_cntpct() &+ us &* hw_read_cntfrq() / 1_000_000
            while hw_read_cntpct() < end {}
            return status(.success)
        })
        put(.calculateCrc32, { data, size, out, _, _, _ in
            guard data != 0, size != 0, size < 1 << 40, out != 0 else { return status(.invalidParameter) }
            var crc = VariableLogCRC32()
            unsafe crc.update(UnsafeRawBufferPointer(start: raw(data), count: Int(size)))   // where it lies: no copy
            unsafe raw(out)!.storeBytes(of: crc.value, as: UInt32.self)
            return status(.success)
        })
        put(.copyMem, { dst, src, n, _, _, _ in
            if let d = raw(dst), let s = raw(src), n < 1 << 40 { unsafe d.copyMemory(from: UnsafeRawPointer(s), byteCount: Int(n)) }
            return 0
        })
        put(.setMem, { buffer, n, value, _, _, _ in
            if let b = raw(buffer), n < 1 << 40 { unsafe b.initializeMemory(as: UInt8.self, repeating: UInt8(truncatingIfNeeded: value), count: Int(n)) }
            return 0
        })
    }

    static func allocatePages(_ kind: UInt64, _ type: UInt64, _ pages: UInt64, _ memory: UInt64) -> UInt64 {
        guard memory != 0, let k = EFIMemoryMap.AllocateType(rawValue: UInt32(truncatingIfNeeded: kind)) else {
            return status(.invalidParameter)
        }
        let r = UEFIBoot.map.allocate(k, type: UInt32(truncatingIfNeeded: type), pages: pages, address: load64(memory))
        if r.status == .success { store(r.base, memory) }
        return status(r.status)
    }

    static func getMemoryMap(_ size: UInt64, _ map: UInt64, _ key: UInt64, _ descSize: UInt64, _ version: UInt64) -> UInt64 {
        guard size != 0 else { return status(.invalidParameter) }
        let need = UEFIBoot.map.count * EFIMemoryMap.descriptorSize
        store(UInt64(EFIMemoryMap.descriptorSize), descSize)
        if let v = raw(version) { unsafe v.storeBytes(of: EFIMemoryMap.descriptorVersion, as: UInt32.self) }
        if load64(size) < UInt64(need) { store(UInt64(need), size); return status(.bufferTooSmall) }
        guard let m = raw(map) else { return status(.invalidParameter) }
        unsafe UEFIBoot.map.writeDescriptors(to: UnsafeMutableRawBufferPointer(start: m, count: need))
        store(UInt64(need), size)
        store(UEFIBoot.map.key, key)
        return status(.success)
    }

    /// Pool memory is whole pages with a 16-byte header (a tag and the page count), so FreePool
    /// can give them back.
    static let poolTag: UInt64 = 0x4C4F_4F50_4946_4550   // "PEFIPOOL"

    static func allocatePool(_ type: UInt64, _ size: UInt64, _ buffer: UInt64) -> UInt64 {
        guard buffer != 0, size < 1 << 40 else { return status(.invalidParameter) }
        let pages = (size + 16 + 4095) / 4096
        let r = UEFIBoot.map.allocate(.anyPages, type: UInt32(truncatingIfNeeded: type), pages: pages)
        guard r.status == .success else { return status(r.status) }
        store(poolTag, r.base); store(pages, r.base + 8)
        store(r.base + 16, buffer)
        return status(.success)
    }

    static func freePool(_ buffer: UInt64) -> UInt64 {
        guard buffer & 0xFFF == 16, UEFIBoot.map.type(at: buffer) != nil, load64(buffer - 16) == poolTag else {
            return status(.invalidParameter)
        }
        // Refused (EFI_INVALID_PARAMETER, the pool and its tag kept: a later FreePool may give it
        // back) only when the map could not record it: freeing it would split ranges past
        // EFIMemoryMap.capacity (pools of one type that touch share a range).
        let s = UEFIBoot.map.free(base: buffer - 16, pages: load64(buffer - 8))
        if s == .success { store(0, buffer - 16) }
        return status(s == .success ? .success : .invalidParameter)
    }

    @inline(never)   // HandleProtocol and OpenProtocol: one copy
    static func openProtocol(_ handle: UInt64, _ g: UInt64, _ out: UInt64, _ attributes: UInt64) -> UInt64 {
        let test = attributes & 0x4 != 0   // EFI_OPEN_PROTOCOL_TEST_PROTOCOL
        guard let g = guid(at: g), test || out != 0 else { return status(.invalidParameter) }
        guard let i = UEFIBoot.handles.interface(handle, g) else { store(0, out); return status(.unsupported) }
        if !test { store(i, out) }
        return status(.success)
    }

    /// ByProtocol (2) and AllHandles (0); ByRegisterNotify has no registrations to find.
    /// The protocol to list by (nil: all), or false for a search type we refuse.
    static func search(_ type: UInt64, _ g: UInt64) -> (valid: Bool, guid: EFIGuid?) {
        switch type {
        case 0: return (true, nil)
        case 2: guard let g = guid(at: g) else { return (false, nil) }; return (true, g)
        default: return (false, nil)
        }
    }

    static func locateHandle(_ type: UInt64, _ g: UInt64, _ size: UInt64, _ buffer: UInt64) -> UInt64 {
        let s = search(type, g)
        guard size != 0, s.valid else { return status(.invalidParameter) }
        let count = UEFIBoot.handles.forEachHandle(s.guid)
        guard count > 0 else { return status(.notFound) }
        let need = UInt64(8 * count)
        if load64(size) < need { store(need, size); return status(.bufferTooSmall) }
        guard buffer != 0 else { return status(.invalidParameter) }
        _ = UEFIBoot.handles.forEachHandle(s.guid, into: raw(buffer))
        store(need, size)
        return status(.success)
    }

    static func locateHandleBuffer(_ type: UInt64, _ g: UInt64, _ count: UInt64, _ buffer: UInt64) -> UInt64 {
        let s = search(type, g)
        guard count != 0, buffer != 0, s.valid else { return status(.invalidParameter) }
        let n = UEFIBoot.handles.forEachHandle(s.guid)
        guard n > 0 else { return status(.notFound) }
        let a = allocatePool(UInt64(EFIMemoryType.bootServicesData), UInt64(8 * n), buffer)
        guard a == 0 else { return a }
        let out = load64(buffer)
        _ = UEFIBoot.handles.forEachHandle(s.guid, into: raw(out))
        store(UInt64(n), count)
        return status(.success)
    }

    static func locateDevicePath(_ g: UInt64, _ pathPointer: UInt64, _ device: UInt64) -> UInt64 {
        guard let g = guid(at: g), pathPointer != 0, device != 0, load64(pathPointer) != 0 else { return status(.invalidParameter) }
        let start = load64(pathPointer)
        guard let p = raw(start) else { return status(.invalidParameter) }
        var length = 0                                           // measured in place, compared where it lies
        while length + 4 <= EFIDevicePath.maxLength {          // node by node, never past the End node
            let header = unsafe p.loadUnaligned(fromByteOffset: length, as: UInt32.self)
            let n = Int(header >> 16)
            guard n >= 4, length + n <= EFIDevicePath.maxLength else { return status(.invalidParameter) }
            length += n
            if header & 0xFFFF == 0xFF7F { break }
        }
        guard let found = UEFIBoot.handles.locate(g, path: unsafe UnsafeRawBufferPointer(start: p, count: length)) else {
            return status(.notFound)
        }
        store(found.handle, device)
        store(start + UInt64(found.matched), pathPointer)
        return status(.success)
    }
}

/// EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL: OutputString to our console; EFI_LOAD_FILE2_PROTOCOL for
/// the initrd.
enum ProtocolFunctions {
    static let success: EFIFunction = { _, _, _, _, _, _ in 0 }
    static let outputString: EFIFunction = { _, text, _, _, _, _ in
        guard text != 0 else { return status(.invalidParameter) }
        for i in 0..<4096 {
            let c = unsafe raw(text + UInt64(2 * i))!.loadUnaligned(as: UInt16.self)
            if c == 0 { break }
            Console.put(c < 0x80 ? UInt8(c) : 0x3F)
        }
        return status(.success)
    }
    static let notReady: EFIFunction = { _, _, _, _, _, _ in EFIStatus.notReady.rawValue }
    /// LoadFile(This, FilePath, BootPolicy, *BufferSize, Buffer): UEFI 2.10 §13.2.
    static let loadFile: EFIFunction = { _, path, bootPolicy, size, buffer, _ in
        guard path != 0, size != 0 else { return status(.invalidParameter) }
        guard UInt8(truncatingIfNeeded: bootPolicy) == 0 else { return status(.unsupported) }
        guard let initrd = UEFIBoot.initrd else { return status(.notFound) }
        if buffer == 0 || load64(size) < initrd.size { store(initrd.size, size); return status(.bufferTooSmall) }
        unsafe raw(buffer)!.copyMemory(from: UnsafeRawPointer(raw(initrd.base)!), byteCount: Int(initrd.size))
        store(initrd.size, size)
        return status(.success)
    }
}
