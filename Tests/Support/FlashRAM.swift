import Variables

/// A NOR flash in RAM for tests: program ANDs bits in, erase sets a block to 0xFF, exactly as the
/// CFI device does. Copies of a `RAMFlash` are handles to the same device (a test keeps one to
/// "reboot" on the bytes a store left behind). It also reports what real flash would silently do
/// wrong:
/// - `misuses` counts calls a correct caller never makes: programming a 0 bit back to 1 (the
///   device would leave it 0), misaligned or out-of-range programs and erases.
/// - Power cuts: after `cutPower(afterOperations: n, seed:)`, n more programs/erases complete; the
///   next one is torn (a program clears an arbitrary subset of its bits, an erase leaves the block
///   partly erased or garbage) and fails, and so does every later one until `restorePower()`.
public struct RAMFlash: Flash {
    let device: RAMFlashDevice

    /// An erased device of `blockCount` blocks.
    public init(blockCount: Int, eraseBlockSize: Int) {
        device = RAMFlashDevice(bytes: [UInt8](repeating: 0xFF, count: max(blockCount, 0) * max(eraseBlockSize, 0)),
                                eraseBlockSize: eraseBlockSize)
    }

    /// A device holding `bytes` (for example a saved or random image).
    public init(bytes: [UInt8], eraseBlockSize: Int) {
        device = RAMFlashDevice(bytes: bytes, eraseBlockSize: eraseBlockSize)
    }

    public var bytes: [UInt8] { device.bytes }
    public var eraseBlockSize: Int { device.eraseBlockSize }
    public var programGranule: Int { 4 }
    public var size: Int { device.bytes.count }

    /// Calls that are a caller's bug (see above).
    public var misuses: Int { device.misuses }
    /// Where the first misuse happened.
    public var firstMisuseOffset: Int? { device.firstMisuseOffset }
    /// Programs and erases that completed.
    public var programs: Int { device.programs }
    public var erases: Int { device.erases }
    /// Bytes handed to completed programs.
    public var programmedBytes: Int { device.programmedBytes }
    /// True from the torn operation until `restorePower()`.
    public var powerIsCut: Bool { device.powerIsCut }

    /// Arms a power cut: `n` more programs/erases complete, the one after is torn.
    public func cutPower(afterOperations n: Int, seed: UInt64) {
        device.cutAfter = n
        device.operationsSinceArmed = 0
        device.tearing = SplitMix64(seed: seed)
    }

    /// Power comes back (a reboot): the bytes stay as the cut left them, operations work again.
    public func restorePower() {
        device.powerIsCut = false
        device.cutAfter = nil
    }

    /// Overwrites bytes directly, bypassing NOR rules (to build damaged images in tests).
    public func overwrite(offset: Int, with new: [UInt8]) {
        for i in new.indices where offset + i >= 0 && offset + i < device.bytes.count { device.bytes[offset + i] = new[i] }
    }

    public func read(offset: Int, count: Int) -> [UInt8] {
        precondition(offset >= 0 && count >= 0 && offset <= device.bytes.count - count, "RAMFlash.read out of range")
        return Array(device.bytes[offset..<(offset + count)])
    }

    public func program(offset: Int, bytes new: [UInt8]) throws(FlashError) {
        try device.program(offset: offset, bytes: new)
    }

    public func erase(block: Int) throws(FlashError) {
        try device.erase(block: block)
    }
}

final class RAMFlashDevice {
    var bytes: [UInt8]
    let eraseBlockSize: Int
    var misuses = 0
    var firstMisuseOffset: Int?
    var programs = 0
    var erases = 0
    var programmedBytes = 0
    var powerIsCut = false
    var operationsSinceArmed = 0
    var cutAfter: Int?
    var tearing = SplitMix64(seed: 0)

    init(bytes: [UInt8], eraseBlockSize: Int) {
        self.bytes = bytes
        self.eraseBlockSize = eraseBlockSize
    }

    func program(offset: Int, bytes new: [UInt8]) throws(FlashError) {
        if powerIsCut { throw .deviceFailure }
        guard offset >= 0, offset <= bytes.count - new.count else { misuse(offset); throw .outOfRange }
        guard offset % 4 == 0, new.count % 4 == 0 else { misuse(offset); throw .misaligned }
        for i in 0..<new.count where new[i] & ~bytes[offset + i] != 0 {
            misuse(offset + i)
            break
        }
        if tornNow() {
            let mode = tearing.below(5)
            let prefix = tearing.below(new.count + 1)
            for i in 0..<new.count {
                let clear = bytes[offset + i] & ~new[i]
                let done: UInt8
                switch mode {
                case 0: done = 0                                    // cut before it started
                case 1: done = i < prefix ? clear : 0               // cut part way through
                case 2: done = clear & tearing.byte()               // cells half programmed
                case 3: done = i >= prefix ? clear : 0              // the device went back to front
                default: done = clear                               // finished, not acknowledged
                }
                bytes[offset + i] &= ~done
            }
            throw .deviceFailure
        }
        for i in 0..<new.count { bytes[offset + i] &= new[i] }
        programs += 1
        programmedBytes += new.count
    }

    func erase(block: Int) throws(FlashError) {
        if powerIsCut { throw .deviceFailure }
        guard eraseBlockSize > 0, block >= 0, block < bytes.count / eraseBlockSize else {
            misuse(block); throw .outOfRange
        }
        let base = block * eraseBlockSize
        if tornNow() {
            let mode = tearing.below(7)
            let prefix = tearing.below(eraseBlockSize + 1)
            var wordErased = false
            for i in base..<(base + eraseBlockSize) {
                switch mode {
                case 0: break                                                  // not started
                case 1: bytes[i] = 0xFF                                        // done, not acknowledged
                case 2: if i - base < prefix { bytes[i] = 0xFF }               // part of the block
                case 3:                                                        // mixed cells
                    switch tearing.below(3) {
                    case 0: break
                    case 1: bytes[i] = 0xFF
                    default: bytes[i] = tearing.byte()
                    }
                case 4: bytes[i] = tearing.byte()                              // garbage
                case 5: bytes[i] |= tearing.byte()                             // some bits erased
                default:                                                       // a few words erased
                    if (i - base) % 4 == 0 { wordErased = tearing.below(8) == 0 }
                    if wordErased { bytes[i] = 0xFF }
                }
            }
            throw .deviceFailure
        }
        for i in base..<(base + eraseBlockSize) { bytes[i] = 0xFF }
        erases += 1
    }

    /// Counts this operation; true when it is the one the power cut tears.
    func tornNow() -> Bool {
        if let n = cutAfter, operationsSinceArmed >= n {
            powerIsCut = true
            return true
        }
        operationsSinceArmed += 1
        return false
    }

    func misuse(_ offset: Int) {
        misuses += 1
        if firstMisuseOffset == nil { firstMisuseOffset = offset }
    }
}
