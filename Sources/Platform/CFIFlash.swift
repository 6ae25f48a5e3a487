import Hardware
import Variables

/// A region of a CFI NOR flash with the Intel/Sharp command set (QEMU `pflash_cfi01`: two x16
/// devices side by side, so a 32-bit bank; commands are written to both halves). The device is
/// left in read-array mode after every operation, so plain loads read it.
public struct CFIFlash: Flash {
    public let base: UInt64
    public let size: Int
    public let eraseBlockSize: Int
    public var programGranule: Int { 4 }

    static let readArray: UInt32 = 0x00FF_00FF
    static let wordProgram: UInt32 = 0x0040_0040
    static let blockErase: UInt32 = 0x0020_0020
    static let eraseConfirm: UInt32 = 0x00D0_00D0
    static let clearStatus: UInt32 = 0x0050_0050
    static let statusReady: UInt32 = 0x0080_0080
    static let statusErrors: UInt32 = 0x003A_003A  // erase, program, VPP and lock errors
    static let pollLimit = 1_000_000

    public init(base: UInt64, size: Int, eraseBlockSize: Int) {
        self.base = base; self.size = size; self.eraseBlockSize = eraseBlockSize
    }

    public func read(offset: Int, count: Int) -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= size - count else { return [] }
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialised in
            read(offset: offset, into: UnsafeMutableRawBufferPointer(buffer))
            initialised = count
        }
    }

    /// Bytes up to an 8-byte flash boundary, then aligned 64-bit device reads stored at any
    /// alignment, then the tail. Where the flash offset and the buffer share their alignment to
    /// 4 bytes (the log's records and the stack buffers mount reads them into), aligned word
    /// reads and stores throughout.
    public func read(offset: Int, into buffer: UnsafeMutableRawBufferPointer) {
        let count = buffer.count
        guard offset >= 0, count >= 0, offset <= size - count, let out = buffer.baseAddress else { return }
        if (UInt(bitPattern: offset) | UInt(bitPattern: out)) & 3 == 0 {
            readAligned(base + UInt64(offset), into: out, count: count)
            return
        }
        var i = 0
        while i < count && (offset + i) & 7 != 0 { unsafe out.storeBytes(of: hw_mmio_read8(base + UInt64(offset + i)), toByteOffset: i, as: UInt8.self); i += 1 }
        // storeBytes takes any alignment (with strict alignment, an unaligned one costs byte stores).
        while count - i >= 8 {
            unsafe out.storeBytes(of: hw_mmio_read64(base + UInt64(offset + i)), toByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < count { unsafe out.storeBytes(of: hw_mmio_read8(base + UInt64(offset + i)), toByteOffset: i, as: UInt8.self); i += 1 }
    }

    /// `read` where `address` and `out` are 4-byte aligned: a word up to an 8-byte boundary,
    /// 64-bit words, then a word and bytes for the tail.
    @inline(__always)
    private func readAligned(_ address: UInt64, into out: UnsafeMutableRawPointer, count: Int) {
        var i = 0
        if address & 7 != 0 && count >= 4 {
            unsafe out.assumingMemoryBound(to: UInt32.self).pointee = hw_mmio_read32(address)
            i = 4
        }
        if (UInt(bitPattern: out) + UInt(i)) & 7 == 0 {
            while count - i >= 8 {
                unsafe (out + i).assumingMemoryBound(to: UInt64.self).pointee = hw_mmio_read64(address + UInt64(i))
                i += 8
            }
        } else {
            // The buffer is 4 bytes off the flash's 8-byte alignment: 64-bit reads, two word stores.
            while count - i >= 8 {
                let w = hw_mmio_read64(address + UInt64(i))
                let words = unsafe (out + i).assumingMemoryBound(to: UInt32.self)
                unsafe words[0] = UInt32(truncatingIfNeeded: w)
                unsafe words[1] = UInt32(truncatingIfNeeded: w >> 32)
                i += 8
            }
        }
        while count - i >= 4 {
            unsafe (out + i).assumingMemoryBound(to: UInt32.self).pointee = hw_mmio_read32(address + UInt64(i))
            i += 4
        }
        while i < count {
            unsafe out.storeBytes(of: hw_mmio_read8(address + UInt64(i)), toByteOffset: i, as: UInt8.self)
            i += 1
        }
    }

    /// 64-bit reads, eight words a step.
    public func isErased(offset: Int, count: Int) -> Bool {
        guard offset >= 0, count >= 0, offset <= size - count else { return false }
        var i = 0
        while i < count && (offset + i) & 7 != 0 {
            if hw_mmio_read8(base + UInt64(offset + i)) != 0xFF { return false }
            i += 1
        }
        // Wrapping arithmetic: the range is inside the region (checked above), so no overflow.
        var a = base &+ UInt64(offset + i)
        let stop = a &+ UInt64((count - i) & ~63)
        while a < stop {
            let x = hw_mmio_read64(a) & hw_mmio_read64(a &+ 8) & hw_mmio_read64(a &+ 16) & hw_mmio_read64(a &+ 24)
            let y = hw_mmio_read64(a &+ 32) & hw_mmio_read64(a &+ 40) & hw_mmio_read64(a &+ 48) & hw_mmio_read64(a &+ 56)
            if x & y != ~0 { return false }
            a = a &+ 64
        }
        i += (count - i) & ~63
        while count - i >= 8 {
            if hw_mmio_read64(base + UInt64(offset + i)) != ~0 { return false }
            i += 8
        }
        while i < count {
            if hw_mmio_read8(base + UInt64(offset + i)) != 0xFF { return false }
            i += 1
        }
        return true
    }

    /// Waits for the status register's ready bits; false on a reported error or a timeout.
    func waitReady(_ address: UInt64) -> Bool {
        var polls = 0
        while polls < CFIFlash.pollLimit {
            let status = hw_mmio_read32(address)
            if status & CFIFlash.statusReady == CFIFlash.statusReady {
                let ok = status & CFIFlash.statusErrors == 0
                if !ok { hw_mmio_write32(address, CFIFlash.clearStatus) }
                hw_mmio_write32(address, CFIFlash.readArray)
                return ok
            }
            polls += 1
        }
        hw_mmio_write32(address, CFIFlash.readArray)
        return false
    }

    public mutating func program(offset: Int, bytes: [UInt8]) throws(FlashError) {
        guard offset >= 0, offset <= size - bytes.count else { throw .outOfRange }
        guard offset % 4 == 0, bytes.count % 4 == 0 else { throw .misaligned }
        var i = 0
        while i < bytes.count {
            let word = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
            if word != 0xFFFF_FFFF {  // all ones clears nothing: skip the program cycle
                let address = base + UInt64(offset + i)
                hw_mmio_write32(address, CFIFlash.wordProgram)
                hw_mmio_write32(address, word)
                guard waitReady(address) else { throw .deviceFailure }
            }
            i += 4
        }
    }

    public mutating func erase(block: Int) throws(FlashError) {
        guard block >= 0, block < size / eraseBlockSize else { throw .outOfRange }
        let address = base + UInt64(block * eraseBlockSize)
        hw_mmio_write32(address, CFIFlash.blockErase)
        hw_mmio_write32(address, CFIFlash.eraseConfirm)
        guard waitReady(address) else { throw .deviceFailure }
    }
}
