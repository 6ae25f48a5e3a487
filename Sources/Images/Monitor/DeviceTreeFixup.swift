import DeviceTree
import Platform
import SPMC

/// The edits TF-A's QEMU platform makes to QEMU's DTB before BL33 sees it: a `/psci` node
/// (QEMU leaves it out when EL3 firmware runs) and the MM buffer reserved with no-map.
enum DeviceTreeFixup {
    /// `written`: how many bytes from the DTB's start the edits may have written (the part to
    /// clean to the point of coherency); the whole slot when the tree was refused.
    @inline(never)   // a `make bench` boot mark (qemu/bench.py)
    static func apply() -> (memory: [MemoryRange], ok: Bool, written: UInt64) {
        let fallback = [MemoryRange(base: QEMUVirt.ramBase, size: QEMUVirt.ramDefaultSize)]
        guard let start = UnsafeMutableRawPointer(bitPattern: UInt(QEMUVirt.dtb)) else { return (fallback, false, QEMUVirt.dtbSlot) }
        let slot = unsafe UnsafeMutableRawBufferPointer(start: start, count: Int(QEMUVirt.dtbSlot))
        do throws(FDTError) {
            var editor = try FDTEditor(slot)
            try editor.addPSCI(method: .smc)
            try editor.addReservedMemory(base: QEMUVirt.mmBuffer, size: QEMUVirt.mmBufferSize)
            var memory: [MemoryRange] = []
            editor.fdt.forEachMemoryRange { memory.append(MemoryRange(base: $0.base, size: $0.size)) }
            Console.write("secure: DTB at "); Console.hex0x(QEMUVirt.dtb, digits: 8)
            Console.write(": added /psci (smc) and reserved the MM buffer; ")
            Console.dec(UInt64(memory.count)); Console.line(" memory range(s)")
            return (memory.isEmpty ? fallback : memory, true, UInt64(editor.usedBytes))
        } catch {
            Console.write("secure: DTB at "); Console.hex0x(QEMUVirt.dtb, digits: 8)
            Console.line(" is malformed, has too many nodes or is full; BL33 gets it unchanged")
            return (fallback, false, QEMUVirt.dtbSlot)
        }
    }
}
