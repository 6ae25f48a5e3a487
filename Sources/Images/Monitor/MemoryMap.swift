import Board
import MMU
import Platform
import SPMC

@_extern(c, "__image_start") nonisolated(unsafe) var __image_start: UInt8
@_extern(c, "__text_end") nonisolated(unsafe) var __text_end: UInt8
@_extern(c, "__rodata_end") nonisolated(unsafe) var __rodata_end: UInt8
@_extern(c, "__pagetables_start") nonisolated(unsafe) var __pagetables_start: UInt8
@_extern(c, "__pagetables_end") nonisolated(unsafe) var __pagetables_end: UInt8

/// The EL3 identity map. A boot map (secure memory and the DTB slot) lets the monitor read the
/// DTB; the final map replaces it with secure memory plus exactly the normal-world RAM the DTB
/// reports, which is also the RAM the SPMC lets RX/TX buffers use.
enum MemoryMap {
    /// Linker/monitor.ld reserves 40 pages: 8 for the boot map, 32 for the final one (5 for the
    /// secure part, the rest for RAM: 1 GiB-aligned RAM costs none, each ragged edge up to two).
    static let bootPages = 8
    static let finalPages = 32

    static func address(_ p: UnsafeMutableRawPointer) -> UInt64 { UInt64(UInt(bitPattern: p)) }

    /// The monitor's own image, W^X (Linker/monitor.ld).
    static var image: ImageLayout {
        ImageLayout(start: address(unsafe UnsafeMutableRawPointer(&__image_start)), textEnd: address(unsafe UnsafeMutableRawPointer(&__text_end)),
                    rodataEnd: address(unsafe UnsafeMutableRawPointer(&__rodata_end)), end: address(unsafe UnsafeMutableRawPointer(&__pagetables_end)))
    }

    /// What the normal world's RAM may never cover: the secure memory (as
    /// `SPMCConfig.qemuVirtSecureMemory`) and the secure peripherals. One constant list, not a
    /// concatenation built at boot.
    static let secure = [MemoryRange(base: UInt64(BOARD_FLASH_BASE), size: UInt64(BOARD_FLASH_SIZE)),
                         MemoryRange(base: UInt64(BOARD_SECURE_SRAM_BASE), size: UInt64(BOARD_SECURE_SRAM_SIZE)),
                         MemoryRange(base: QEMUVirt.uart1, size: QEMUVirt.devicePage),
                         MemoryRange(base: QEMUVirt.secureGPIO, size: QEMUVirt.devicePage)]

    /// What both maps share: flash and devices, the monitor's image, the partition's SRAM slot
    /// (written here, run at S-EL1 under the partition's own tables). False when `t` is full.
    static func mapSecure(_ t: inout TranslationTables) -> Bool {
        t.map(QEMUVirt.flashBase, QEMUVirt.flashSize, .device)
            && t.map(QEMUVirt.uart0, QEMUVirt.devicePage, .device)
            && t.map(QEMUVirt.uart1, QEMUVirt.devicePage, .device)
            && t.map(QEMUVirt.secureGPIO, QEMUVirt.devicePage, .device)
            && t.map(image)
            && t.map(QEMUVirt.partitionBase, QEMUVirt.partitionSize, .readWrite)
    }

    static func pool(_ firstPage: Int) -> UnsafeMutableRawPointer {
        unsafe UnsafeMutableRawPointer(&__pagetables_start) + firstPage * Int(TranslationTables.pageSize)
    }

    /// Secure memory and the DTB slot, MMU on with SCTLR_EL3.WXN, then a W^X self-check.
    static func enableBootMap() {
        var t = TranslationTables(pool: pool(0), pages: bootPages, regime: .el3)
        guard image.isValid, mapSecure(&t),
              t.map(QEMUVirt.dtb, QEMUVirt.dtbSlot, .readWrite, nonSecure: true) else {
            Console.line("secure: the EL3 boot map does not fit its tables; halting")
            halt()
        }
        MMUControl.enable(el: 3, tables: t, wxn: true)
        let textLocked = MMUControl.writeFaults(el: 3, image.start)
        let rodataLocked = MMUControl.writeFaults(el: 3, image.textEnd)
        let dataOpen = !MMUControl.writeFaults(el: 3, image.rodataEnd)
        if textLocked && rodataLocked && dataOpen && MMUControl.wxnSet(el: 3) {
            Console.line("secure: W^X at EL3: text read-only, data execute-never, SCTLR_EL3.WXN set")
        } else {
            Console.line("secure: W^X check at EL3 failed (AT S1E3W or SCTLR_EL3 disagrees with the map)")
        }
    }

    /// Takes the DTB's RAM ranges the SPMC accepts, maps each one at EL3 (a range the table pool
    /// cannot hold is dropped), switches to the final map and returns the ranges mapped.
    static func mapNormalWorldMemory(_ dtbMemory: [MemoryRange]) -> NonSecureMemory {
        var ns = NonSecureMemory(secure: secure,
                                 addressLimit: MMUControl.physicalAddressLimit)
        for r in dtbMemory {
            guard let why = ns.take(r) else { continue }
            Console.write("secure: memory "); Console.hex0x(r.base); Console.write(" size ")
            Console.hex0x(r.size); Console.write(" refused: ")
            Console.writeListed(why.rawValue, among: MemoryRefusal.codes, names: MemoryRefusal.names); Console.put(10)
        }
        while true {
            var t = TranslationTables(pool: pool(bootPages), pages: finalPages, regime: .el3)
            guard mapSecure(&t) else {
                Console.line("secure: the EL3 map does not fit its tables; halting")
                halt()
            }
            var failed: MemoryRange? = nil
            for r in ns.accepted where failed == nil && !t.map(r.base, r.size, .readWrite, nonSecure: true) {
                failed = r
            }
            if let failed {        // build again without it, so the map holds exactly what is listed
                Console.write("secure: memory "); Console.hex0x(failed.base); Console.write(" size ")
                Console.hex0x(failed.size); Console.line(" left out: the EL3 tables are full")
                ns.drop(failed)
                continue
            }
            MMUControl.switchEL3(to: t)
            for r in ns.accepted {
                Console.write("secure: normal-world RAM "); Console.hex0x(r.base); Console.write("-")
                Console.hex0x(r.base + r.size - 1); Console.line(" mapped at EL3")
            }
            Console.write("secure: EL3 map uses "); Console.dec(UInt64(t.pagesUsed))
            Console.write(" of "); Console.dec(UInt64(finalPages)); Console.line(" table pages")
            return ns
        }
    }
}
