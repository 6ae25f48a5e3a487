import Boot
import DeviceTree
import Driver
import Hardware
import MM
import MMU
import Platform
import UEFI

typealias EFIEntry = @convention(c) (UInt64, UInt64) -> UInt64

/// `bootefi`: loads a PE/COFF EFI application (Linux's arm64 Image with its EFI stub), gives it
/// the system table, and starts it. The tables and protocol structures live in one heap block,
/// which the memory map reports as runtime data (the OS keeps reading the system table).
enum UEFIBoot {
    // The memory map and the handle database, each set by bootefi before anything reads
    // them: optionals (nil is a static value, all zero: .bss), their tables in the block.
    nonisolated(unsafe) static var mapValue: EFIMemoryMap? = nil
    nonisolated(unsafe) static var handlesValue: EFIHandles? = nil
    static var map: EFIMemoryMap { get { mapValue! } _modify { yield &mapValue! } set { mapValue = newValue } }
    static var handles: EFIHandles { get { handlesValue! } _modify { yield &handlesValue! } set { handlesValue = newValue } }
    /// How many configuration tables are in the block (at `configTables`, room for 16).
    nonisolated(unsafe) static var configCount = 0
    nonisolated(unsafe) static var initrd: (base: UInt64, size: UInt64)? = nil
    nonisolated(unsafe) static var tpl: UInt64 = 4            // TPL_APPLICATION
    nonisolated(unsafe) static var exited = false
    nonisolated(unsafe) static var block: UInt64 = 0

    // Offsets in the block.
    static let systemTable = 0, bootServices = 128, conOut = 512, conIn = 608, mode = 640, loadedImage = 672
    static let loadFile2 = 768, initrdPath = 784, vendor = 816, configTables = 896, loadOptions = 1280
    /// The memory map's table (EFIMemoryMap), after the tables and load options.
    static let memoryMap = (1280 + 2 * ShellEnvironment.maxValue + 16 + 15) & ~15
    /// The handle database's table (EFIHandles), after it.
    static let handleTable = memoryMap + EFIMemoryMap.slots * MemoryLayout<EFIMemoryRange>.stride
    static let blockSize = handleTable + EFIHandles.capacity * MemoryLayout<EFIHandles.Entry>.stride
    static var imageHandle: UInt64 { block + UInt64(loadedImage) }
    static var initrdHandle: UInt64 { block + UInt64(initrdPath) }

    static func fail(_ message: StaticString) { Console.write("bootefi: "); Console.line(message) }
    static func notFree(_ what: StaticString) {
        Console.write("bootefi: "); Console.write(what)
        Console.line(" is not in free RAM (outside RAM, or over the firmware, the device tree or reserved memory)")
    }

    static func bootefi(kernel: UInt64, size: UInt64?, initrd rd: (base: UInt64, size: UInt64)?, fdt: UInt64?) {
        guard !exited else { fail("boot services have ended"); return }
        guard boot.shellEL == boot.entryEL else { fail(KernelLoader.notUnderStub); return }
        let memory = KernelLoader.memory
        guard BootPlan.inRAM(FDTRegion(base: kernel, size: 4096), memory) else { fail("the image is not in RAM"); return }
        let fileSize = size ?? (KernelLoader.loadedKernel?.base == kernel ? KernelLoader.loadedKernel!.size : 0)
        guard fileSize != 0 else { fail("the image needs its size (ADDR:SIZE) unless qfw load put it there"); return }
        guard KernelLoader.destinationOK(FDTRegion(base: kernel, size: fileSize)) else { notFree("the image"); return }
        if let rd {
            guard rd.size > 0, KernelLoader.destinationOK(FDTRegion(base: rd.base, size: rd.size)) else { notFree("the initrd"); return }
        }
        let pe: PEImage
        do throws(PEError) { pe = try PEImage(headers: UnsafeRawBufferPointer(KernelLoader.buffer(kernel, 4096)), fileSize: fileSize) } catch {
            Console.write("bootefi: not an AArch64 EFI application: "); Console.line(error.message); return
        }
        let dtb = fdt ?? boot.dtbAddress
        guard dtb & 7 == 0, BootPlan.inRAM(FDTRegion(base: dtb, size: 40), memory), load64(dtb) & 0xFFFF_FFFF == 0xEDFE_0DD0 else {
            fail("no device tree at that address"); return
        }
        let dtbSize = UInt64(UInt32(truncatingIfNeeded: load64(dtb) >> 32).byteSwapped)
        // The tree becomes EfiBootServicesData in the map: in RAM, clear of the firmware, of
        // reserved memory and of the application's file, as booti checks its tree.
        let tree = FDTRegion(base: dtb, size: dtbSize)
        do throws(BootError) {
            try BootPlan.checkDeviceTree(tree, occupied: KernelLoader.occupants(deviceTree: nil))
            guard BootPlan.inRAM(tree, memory), !BootPlan.overlaps(tree, FDTRegion(base: kernel, size: fileSize)) else {
                throw .deviceTreeOutsideRAM
            }
        } catch {
            notFree("the device tree"); return
        }

        if block == 0 {
            block = address(UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 16))
        }
        map = initialMap(dtb: (dtb, dtbSize))
        map.describe(kernel, kernel + fileSize, EFIMemoryType.loaderData, owned: true)   // the file, freed once loaded
        if let rd { map.describe(rd.base, rd.base + rd.size, EFIMemoryType.bootServicesData) }
        guard !map.full else { fail("more memory ranges than the memory map holds"); return }
        // 2 MiB: Linux's stub then runs the kernel where it is (MIN_KIMG_ALIGN without KASLR).
        let pages = (UInt64(pe.sizeOfImage) + 0xFFF) / 4096
        let placed = map.allocate(.anyPages, type: EFIMemoryType.loaderCode, pages: pages, alignment: 0x20_0000)
        // Refused for want of free memory, or (rarely: many reserved ranges) of room in the map.
        guard placed.status == .success else { fail("no room for the image (no free RAM that large, or the memory map is full)"); return }
        do throws(PEError) {
            try pe.load(file: unsafe UnsafeRawBufferPointer(KernelLoader.buffer(kernel, fileSize)),
                        into: KernelLoader.buffer(placed.base, pages * 4096), at: placed.base)
        } catch {
            Console.write("bootefi: "); Console.line(error.message); return
        }
        let file = EFIMemoryMap.pages(kernel, kernel + fileSize)
        // The file's pages are a range of their own (the only owned loader data; the image is
        // loader code): freeing them adds no range, so it cannot be refused.
        _ = map.free(base: file.base, pages: file.pages)
        dcache_clean_range_poc(placed.base, pages * 4096)
        hw_ic_iallu()
        guard makeExecutable(placed.base, pages * 4096) else { fail("cannot map the image executable"); return }

        initrd = rd
        buildTables(imageBase: placed.base, imageSize: pages * 4096, dtb: dtb)
        let entry = placed.base + UInt64(pe.entryPoint)
        Console.hex0x("bootefi: PE image at ", placed.base); Console.hex0x(", entry ", entry)
        Console.hex0x(", system table ", block); Console.put(10)
        if let rd { Console.hex0x("bootefi: initrd ", rd.base); Console.hex0x(":", rd.size); Console.line(" by LoadFile2") }
        Console.hex0x("bootefi: device tree at ", dtb); Console.line(" as a configuration table")
        let start = unsafe unsafeBitCast(UInt(entry), to: EFIEntry.self)
        let s = EFIStatus(rawValue: start(imageHandle, block + UInt64(systemTable)))
        Console.write("bootefi: the application returned "); Console.line(s.name)
    }

    static func initialMap(dtb: (base: UInt64, size: UInt64)) -> EFIMemoryMap {
        let layout = EFIFirmwareLayout(imageStart: ImageMap.imageStart, runtimeStart: ImageMap.runtimeStart,
                                       runtimeData: ImageMap.runtimeData, runtimeStop: ImageMap.runtimeStop,
                                       textEnd: ImageMap.textEnd, imageEnd: KernelLoader.firmware.base + KernelLoader.firmware.size)
        var m = EFIMemoryMap.atBoot(table: unsafe raw(block + UInt64(memoryMap))!.bindMemory(to: EFIMemoryRange.self, capacity: EFIMemoryMap.slots),
                                    ram: { describe in for r in KernelLoader.memory { describe(r.base, r.size) } },
                                    firmware: layout, deviceTree: (boot.dtbAddress, 0x10_0000),
                                    reserved: { describe in
                                        for r in bootSummary?.reserved ?? [] { describe(r.base, r.size) }
                                        for r in bootSummary?.reservationMap ?? [] { describe(r.base, r.size) }
                                    },
                                    runtimeShared: (NSSharedBuffer.base, UInt64(NSSharedBuffer.bytes)))
        if dtb.base != boot.dtbAddress { m.describe(dtb.base, dtb.base + dtb.size, EFIMemoryType.bootServicesData) }
        return m
    }

    /// Our boot map keeps RAM execute-never; the loaded image must run.
    static func makeExecutable(_ base: UInt64, _ size: UInt64) -> Bool {
        guard var t = bootTables, t.map(base, size, .readWriteExecute) else { return false }
        bootTables = t
        hw_dsb_sy()
        if boot.shellEL == 2 { hw_tlbi_all_el2() } else { hw_tlbi_all_el1() }
        return true
    }

    static func buildTables(imageBase: UInt64, imageSize: UInt64, dtb: UInt64) {
        let b = block
        unsafe raw(b)!.initializeMemory(as: UInt8.self, repeating: 0, count: memoryMap)   // what is not written is 0
        EFIBootService.write(to: part(bootServices, EFIBootService.tableSize), unsupported: functionAddress(BootServices.unsupported)) {
            BootServices.serve($0)
        }
        let s = ProtocolFunctions.success, u = BootServices.unsupported
        // SIMPLE_TEXT_OUTPUT: Reset, OutputString, TestString, QueryMode, SetMode, SetAttribute,
        // ClearScreen, SetCursorPosition, EnableCursor, Mode. The nine functions: OutputString,
        // success where bit i of 0x65 is set (Reset, TestString, SetAttribute, ClearScreen), else
        // unsupported; no array of functions built.
        for i in 0..<9 {
            let f = i == 1 ? ProtocolFunctions.outputString : (0x65 >> i) & 1 != 0 ? s : u
            store(functionAddress(f), b + UInt64(conOut + 8 * i))
        }
        store(b + UInt64(mode), b + UInt64(conOut + 72))                     // the mode: all 0, MaxMode 0: no modes to set
        // SIMPLE_TEXT_INPUT: Reset, ReadKeyStroke (no keys for an application), WaitForKey (0: no event).
        store(functionAddress(s), b + UInt64(conIn)); store(functionAddress(ProtocolFunctions.notReady), b + UInt64(conIn + 8))
        store(functionAddress(ProtocolFunctions.loadFile), b + UInt64(loadFile2))
        EFIDevicePath.writeVendorMedia(EFIProtocol.linuxInitrdMedia, to: part(initrdPath, EFIDevicePath.vendorMediaSize))
        let vendorName: StaticString = "Swift FF-A firmware"
        _ = vendorName.withUTF8Buffer { EFILoadedImage.writeOptions($0, to: part(vendor, configTables - vendor)) }
        let bootargs = KernelLoader.environment.value(KernelLoader.bootargs) ?? []
        let optionsSize = bootargs.withUnsafeBufferPointer { EFILoadedImage.writeOptions($0, to: part(loadOptions, memoryMap - loadOptions)) }
        EFILoadedImage.write(to: part(loadedImage, EFILoadedImage.size), systemTable: b + UInt64(systemTable),
                             loadOptions: b + UInt64(loadOptions), loadOptionsSize: UInt32(optionsSize),
                             imageBase: imageBase, imageSize: imageSize)
        handles = EFIHandles(table: unsafe raw(b + UInt64(handleTable))!.bindMemory(to: EFIHandles.Entry.self, capacity: EFIHandles.capacity))
        handles.install(imageHandle, EFIProtocol.loadedImage, b + UInt64(loadedImage))
        if initrd != nil {
            handles.install(initrdHandle, EFIProtocol.devicePath, b + UInt64(initrdPath))   // the path is the interface
            handles.install(initrdHandle, EFIProtocol.loadFile2, b + UInt64(loadFile2))
        }
        RuntimeTables.finish()
        configCount = 0                                          // each install writes the system table
        _ = installConfigurationTable(EFIProtocol.deviceTreeTable, dtb)
        _ = installConfigurationTable(EFIProtocol.rtPropertiesTable, address(unsafe UnsafeMutableRawPointer(&efi_rt_properties_table)))
    }

    /// The system table from the current state; after ExitBootServices without the console
    /// and boot services (UEFI 2.10 §7.4.6).
    static func writeSystemTable() {
        let b = block
        // After ExitBootServices the console and boot services fields are written as 0 (NULL).
        let live: UInt64 = exited ? 0 : ~0
        var t = EFISystemTable()
        t.firmwareVendor = b + UInt64(vendor); t.firmwareRevision = 0x1_0000
        t.runtimeServices = address(unsafe UnsafeMutableRawPointer(&efi_runtime_services))
        t.numberOfTableEntries = UInt64(configCount); t.configurationTable = b + UInt64(configTables)
        t.consoleInHandle = imageHandle & live; t.conIn = (b + UInt64(conIn)) & live
        t.consoleOutHandle = imageHandle & live; t.conOut = (b + UInt64(conOut)) & live
        t.standardErrorHandle = imageHandle & live; t.stdErr = (b + UInt64(conOut)) & live
        t.bootServices = (b + UInt64(bootServices)) & live
        t.write(to: part(systemTable, EFISystemTable.size))
    }

    /// InstallConfigurationTable on the block's table, the system table then rewritten.
    static func installConfigurationTable(_ guid: EFIGuid, _ address: UInt64) -> EFIStatus {
        let s = EFIConfigurationTables.install(guid, address, in: part(configTables, loadOptions - configTables), count: &configCount)
        writeSystemTable()
        return s
    }

    /// `count` bytes of the block from `offset`.
    static func part(_ offset: Int, _ count: Int) -> UnsafeMutableRawBufferPointer {
        KernelLoader.buffer(block + UInt64(offset), UInt64(count))
    }

    /// ExitBootServices: only with the current map key; then the MM partition and the FF-A
    /// buffers are handed over as for booti, and only the runtime services remain.
    @inline(never)   // a symbol of its own: make bench stops here (qemu/bench_linux.py)
    static func exitBootServices(_ image: UInt64, _ key: UInt64) -> UInt64 {
        guard image == imageHandle else { return status(.invalidParameter) }
        guard key == map.key else { return status(.invalidParameter) }
        Console.line("bootefi: ExitBootServices")
        KernelLoader.handOver()
        exited = true
        writeSystemTable()
        RuntimeServices.psciHVC = boot.psci == .hvc
        return status(.success)
    }
}

/// The runtime services table's CRC32 and the RT properties table's mask, from the pure
/// description of what is offered.
enum RuntimeTables {
    static func finish() {
        let props = unsafe UnsafeMutableRawPointer(&efi_rt_properties_table)
        unsafe props.storeBytes(of: EFIRuntimeService.propertiesMask(EFIRuntimeService.offered), toByteOffset: 4, as: UInt32.self)
        let table = unsafe UnsafeMutableRawPointer(&efi_runtime_services)
        EFITable.seal(unsafe UnsafeMutableRawBufferPointer(start: table, count: EFIRuntimeService.tableSize))
    }
}

extension PEError {
    var message: StaticString {
        switch self {
        case .notPE: "no MZ/PE header"
        case .notAArch64: "not an AArch64 image"
        case .notEFIApplication: "not an EFI application (subsystem 10)"
        case .badHeaders: "malformed PE headers"
        case .sectionOutOfBounds: "a section lies outside the image or the file"
        case .badRelocation: "malformed or unsupported base relocations"
        }
    }
}
