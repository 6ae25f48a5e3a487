import Boot
import DeviceTree
import Driver
import Hardware
import Platform

/// Startup/boot_kernel.S; does not return.
@_extern(c, "boot_enter_kernel") func boot_enter_kernel(_ entry: UInt64, _ dtb: UInt64)

/// `qfw load` and `booti`: the image's side (memory, fw_cfg, the jump); every check and
/// choice is in the Boot layer.
enum KernelLoader {
    static let defaultKernel = BoardDefaults.kernel
    static let defaultInitrd = BoardDefaults.initrd
    /// The shell's variables, made empty by Shell.run before any command. An optional (nil is a
    /// static value) rather than a value built on first use: a lazy global brings an inlined
    /// swift_once check to each use.
    nonisolated(unsafe) static var environmentValue: ShellEnvironment? = nil
    static var environment: ShellEnvironment {
        get { environmentValue! } _modify { yield &environmentValue! } set { environmentValue = newValue }
    }
    /// "bootargs" as bytes: a String's UTF-8 view would link the stdlib's String code (~7 KB).
    static let bootargs: [UInt8] = [0x62, 0x6F, 0x6F, 0x74, 0x61, 0x72, 0x67, 0x73]
    /// What `qfw load` put in memory, so `booti <addr>` knows the initrd's size.
    nonisolated(unsafe) static var loadedInitrd: (base: UInt64, size: UInt64)? = nil
    nonisolated(unsafe) static var loadedKernel: (base: UInt64, size: UInt64)? = nil

    /// RAM the identity map mapped (`mappedRAM`, from `bootMemory()`).
    static var memory: [FDTRegion] { @inline(never) get { mappedRAM } }   // one copy of the global's access

    /// This image with its stacks, heap and tables, which must survive until the jump.
    static var firmware: FDTRegion {
        let start = address(unsafe UnsafeMutableRawPointer(&__image_start))
        return FDTRegion(base: start, size: address(unsafe UnsafeMutableRawPointer(&__pagetables_end)) - start)
    }

    /// Whether QEMU was given -kernel (fw_cfg offers a kernel).
    static var kernelOffered: Bool { FwCfg.item32(FwCfgItem.kernelSize) != 0 }

    /// Why booti and bootefi refuse to run from EL1 behind the EL2 stub.
    static let notUnderStub: StaticString = "not from under our EL2 stub (it would be left unprotected)"

    static func fail(_ command: StaticString, _ message: StaticString) -> Bool {
        Console.write(command); Console.write(": "); Console.line(message)
        return false
    }

    static func wouldNotFit(_ what: StaticString) -> Bool {
        Console.write("qfw: "); Console.write(what); Console.line(" would not fit in free RAM at that address")
        return false
    }

    /// Copies QEMU's -kernel, -initrd and -append to memory through fw_cfg DMA.
    static func qfwLoad(kernel: UInt64, initrd: UInt64) -> Bool {
        let kernelSize = FwCfg.item32(FwCfgItem.kernelSize)
        guard kernelSize != 0 else { return fail("qfw", "QEMU was given no kernel (-kernel)") }
        guard FwCfg.item32(FwCfgItem.id) & FwCfgItem.dmaFeature != 0 else { return fail("qfw", "fw_cfg has no DMA interface") }
        let initrdSize = FwCfg.item32(FwCfgItem.initrdSize)
        guard destinationOK(FDTRegion(base: kernel, size: UInt64(kernelSize))) else { return wouldNotFit("the kernel") }
        if initrdSize != 0 {
            let r = FDTRegion(base: initrd, size: UInt64(initrdSize))
            guard destinationOK(r), !BootPlan.overlaps(r, FDTRegion(base: kernel, size: UInt64(kernelSize))) else {
                return wouldNotFit("the initrd")
            }
        }
        Console.hex0x("qfw: loading kernel to ", kernel); Console.write(", ")
        Console.dec(UInt64(kernelSize)); Console.line(" bytes")
        guard dmaRead(FwCfgItem.kernelData, UInt64(kernelSize), to: kernel) else { return fail("qfw", "DMA read failed") }
        loadedKernel = (kernel, UInt64(kernelSize))
        loadedInitrd = nil
        if initrdSize != 0 {
            Console.hex0x("qfw: loading initrd to ", initrd); Console.write(", ")
            Console.dec(UInt64(initrdSize)); Console.line(" bytes")
            guard dmaRead(FwCfgItem.initrdData, UInt64(initrdSize), to: initrd) else { return fail("qfw", "DMA read failed") }
            loadedInitrd = (initrd, UInt64(initrdSize))
        }
        let cmdlineSize = FwCfg.item32(FwCfgItem.cmdlineSize)
        if cmdlineSize > 1 && cmdlineSize <= UInt32(ShellEnvironment.maxValue) {
            FwCfg.select(FwCfgItem.cmdlineData)
            var line = FwCfg.readBytes(Int(cmdlineSize))
            while line.last == 0 { line.removeLast() }
            do throws(ShellArgumentError) { try environment.set(KernelLoader.bootargs, line) } catch {
                Console.write("qfw: bootargs not set: "); Console.line(error.name); return true
            }
            Console.write("qfw: bootargs = "); Console.bytes(line); Console.put(10)
        }
        return true
    }

    /// Inside RAM and clear of the device tree slot, the firmware and reserved memory.
    static func destinationOK(_ r: FDTRegion) -> Bool {
        BootPlan.inRAM(r, memory) && BootPlan.firstOverlap(occupants(deviceTree: nil), r) == nil
    }

    static func dmaRead(_ item: UInt16, _ length: UInt64, to destination: UInt64) -> Bool {
        let record = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 16)
        defer { record.deallocate() }
        unsafe FwCfgDMAAccess.selectAndRead(item, length: UInt32(length), to: destination).write(to: record)
        let at = address(record)
        dcache_clean_range_poc(at, 16)
        FwCfg.startDMA(record: at)
        var control: UInt32 = 1
        for _ in 0..<1_000_000 {
            dcache_invalidate_range_poc(at, 16)
            control = unsafe record.load(as: UInt32.self).bigEndian
            if control & ~FwCfgDMAAccess.error == 0 { break }
        }
        dcache_invalidate_range_poc(destination, length)
        return FwCfgDMAAccess.succeeded(control)
    }

    /// Everything the kernel and initrd must not overwrite; `deviceTree` with its room to grow.
    static func occupants(deviceTree: FDTRegion?) -> [BootOccupant] {
        var list: [BootOccupant] = []
        add(&list, .firmware, firmware)
        if let d = deviceTree { add(&list, .deviceTree, d) }
        // The slot the loader's device tree sits in, which the MM buffer follows.
        add(&list, .deviceTree, FDTRegion(base: boot.dtbAddress, size: BoardDefaults.dtbSlot))
        for r in bootSummary?.reserved ?? [] { add(&list, .reserved, FDTRegion(base: r.base, size: r.size)) }
        for r in bootSummary?.reservationMap ?? [] { add(&list, .reserved, r) }
        return list
    }

    /// BootPlan's one append (not one inlined at each of five places).
    static func add(_ list: inout [BootOccupant], _ kind: BootRegionKind, _ region: FDTRegion) {
        BootPlan.add(&list, kind, region)
    }

    /// `booti`: checks, places, writes /chosen, hands over and jumps. Returns only on refusal.
    static func booti(_ a: BootiArguments) {
        do throws(BootError) {
            try bootiOrThrow(a)
        } catch {
            Console.write("booti: "); Console.line(error.message)
        }
    }

    static func bootiOrThrow(_ a: BootiArguments) throws(BootError) {
        guard boot.shellEL == boot.entryEL else {
            Console.write("booti: "); Console.line(notUnderStub); return
        }
        let ram = memory
        guard BootPlan.inRAM(FDTRegion(base: a.kernel, size: UInt64(ImageHeader.size)), ram) else { throw .kernelOutsideRAM }
        let header = try ImageHeader(read(a.kernel, ImageHeader.size))
        let dtb = a.fdt ?? boot.dtbAddress
        guard dtb != 0, dtb & 7 == 0, BootPlan.inRAM(FDTRegion(base: dtb, size: 40), ram) else { throw .deviceTreeOutsideRAM }
        let totalSize = UInt64(unsafe UnsafeRawPointer(bitPattern: UInt(dtb))!.loadUnaligned(fromByteOffset: 4, as: UInt32.self).bigEndian)
        guard BootPlan.inRAM(FDTRegion(base: dtb, size: totalSize), ram) else { throw .deviceTreeOutsideRAM }
        let used: UInt64
        do throws(FDTError) {
            used = totalSize - UInt64(try FDTEditor(buffer(dtb, totalSize)).freeSpace)
        } catch { throw .badDeviceTree }
        let room = BootPlan.deviceTreeRoom(totalSize: totalSize, used: used)
        let dtbRegion = FDTRegion(base: dtb, size: room)
        guard BootPlan.inRAM(dtbRegion, ram) else { throw .deviceTreeOutsideRAM }
        try BootPlan.checkDeviceTree(dtbRegion, occupied: occupants(deviceTree: nil))
        let initrd = a.initrd.map { FDTRegion(base: $0.base, size: $0.size) }
        let plan = try BootPlan.place(image: a.kernel, header: header, initrd: initrd,
                                      occupied: occupants(deviceTree: dtbRegion), memory: ram)
        let bootargs = environment.value(KernelLoader.bootargs)   // once, for the report and /chosen
        report(plan, header, initrd, dtb, bootargs)
        do throws(FDTError) {
            var editor = try FDTEditor(buffer(dtb, room))
            try editor.setChosen(bootargs: bootargs, initrd: initrd)
        } catch { throw .deviceTreeFull }
        if plan.moves {
            unsafe UnsafeMutableRawPointer(bitPattern: UInt(plan.load))!.copyMemory(
                from: UnsafeRawPointer(bitPattern: UInt(plan.source))!, byteCount: Int(plan.imageSize))
        }
        handOver()
        Console.write("Starting kernel at EL"); Console.dec(UInt64(boot.shellEL)); Console.line(" ...")
        Console.put(10)
        boot_enter_kernel(plan.load, dtb)
    }

    static func report(_ plan: KernelPlacement, _ header: ImageHeader, _ initrd: FDTRegion?, _ dtb: UInt64, _ bootargs: [UInt8]?) {
        Console.hex0x("booti: Image at ", plan.source)
        Console.hex0x(", text_offset ", header.textOffset)
        Console.hex0x(", image_size ", header.imageSize)
        Console.hex0x(", flags ", header.flags); Console.put(10)
        if !header.sizeGiven { Console.line("booti: image_size is 0: assuming 16 MiB at text_offset 0x80000") }
        if plan.moves { Console.hex0x("booti: moving the kernel to ", plan.load); Console.put(10) }
        if let r = initrd {
            Console.hex0x("booti: initrd ", r.base); Console.hex0x("-", r.base + r.size); Console.put(10)
        }
        Console.hex0x("booti: device tree at ", dtb)
        if let args = bootargs { Console.write(", bootargs "); Console.bytes(args) }
        Console.put(10)
    }

    /// The firmware's boot phase ends: the MM partition hides boot-service variables, and the
    /// RX/TX pair is given back so the OS's FF-A driver can map its own.
    static func handOver() {
        EFIVariables.with { c in _ = c.exitBootServices() }
        if unsafe FFA.driverBox?.pointee.rxtx != nil { FFA.with { d throws(FFADriverError) in try d.unmapRXTX() } }
    }

    static func read(_ at: UInt64, _ count: Int) -> [UInt8] { readBytes(at, count) }

    static func buffer(_ at: UInt64, _ count: UInt64) -> UnsafeMutableRawBufferPointer {
        unsafe UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(bitPattern: UInt(at)), count: Int(count))
    }
}
