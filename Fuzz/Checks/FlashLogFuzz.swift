import MM
import Variables
import TestSupport

/// Fuzzes the variable log's recovery: mounts a `FlashVariableLog` over a `RAMFlash` holding the
/// image the input describes, runs a few puts and removes (optionally with a power cut), mounts
/// again, and checks the promises of docs/variable-store.md. `check` answers nil when every one
/// held, else what broke; the libFuzzer target traps on it, the regression tests expect nil.
///
/// Input (missing bytes read as zero):
/// - 0: geometry: bits 0-1 block count 2...5, bits 2-3 block size 512 << n, bits 4-5 the
///   maximum variable size asked for (the geometry may lower it), bits 6-7 the store's limits
///   (`limitChoices`: the default, or a count or an index RAM small enough to reach);
/// - 1: bit 0 completes valid-looking block headers (geometry fields and CRC), bit 1 the header
///   CRC of every record the walk reaches, bit 2 its body CRC (so mutations reach past the
///   checksums); bit 3 cuts the power after byte 2 flash operations;
/// - 4..<100: 32 operations of 3 bytes (see `operation`);
/// - 100...: the image, block after block; bytes past the input read as erased (0xFF).
public enum FlashLogFuzz {
    public static let operationCount = 32
    public static let imageOffset = 4 + 3 * operationCount
    /// Limits small enough that a few puts (or a crafted image) reach them.
    public static let limitChoices = [VariableLogLimits(), VariableLogLimits(maximumVariableCount: 3),
                                      VariableLogLimits(maximumVariableCount: 8),
                                      VariableLogLimits(maximumVariableCount: 64, indexCapacity: 1200)]

    public static func check(_ data: [UInt8]) -> StaticString? {
        let control = { (i: Int) -> UInt8 in i < data.count ? data[i] : 0 }
        let blockCount = 2 + Int(control(0) & 3)
        let blockSize = 512 << Int((control(0) >> 2) & 3)
        let maximumAsked = [VariableLogFormat.defaultMaximumVariableSize, 64, 160, 400][Int((control(0) >> 4) & 3)]
        let flags = control(1)
        let limits = limitChoices[Int(control(0) >> 6)]

        var image = [UInt8](repeating: 0xFF, count: blockCount * blockSize)
        if data.count > imageOffset {
            for i in 0..<min(image.count, data.count - imageOffset) { image[i] = data[imageOffset + i] }
        }
        fixChecksums(&image, blockCount: blockCount, blockSize: blockSize, flags: flags)
        let device = RAMFlash(bytes: image, eraseBlockSize: blockSize)

        // Mount: never fails on a usable geometry (RAMFlash fails only on misuse), never misuses.
        guard var log = try? FlashVariableLog(flash: device, maximumVariableSize: maximumAsked, limits: limits) else {
            return "mount threw on a valid geometry"
        }
        if let broken = consistency(log) { return broken }
        guard device.misuses == 0 else { return "mount misused the flash" }

        // Recovery is done once: a second mount finds the same variables and writes nothing.
        let operationsAfterMount = device.programs + device.erases
        guard let again = try? FlashVariableLog(flash: device, maximumVariableSize: maximumAsked, limits: limits) else {
            return "second mount threw"
        }
        guard powerCutSameVariables(again.variables, log.variables) else { return "second mount found other variables" }
        guard device.programs + device.erases == operationsAfterMount else { return "second mount wrote to the flash" }

        // Mount keeps the limits whatever the image holds.
        guard log.variables.count <= limits.maximumVariableCount, log.indexBytes <= limits.indexCapacity else {
            return "mount went past the store's limits"
        }
        // The space guarantee holds for stores we could have written (docs/variable-store.md,
        // Limits): every variable within the maximum and the figures within capacity.
        let guaranteed = log.usedBytes <= log.capacity
            && !log.variables.contains { $0.name.count + $0.data.count > log.maximumVariableSize }

        var model = log.variables
        var inFlight: PowerCutOperation?
        if flags & 8 != 0 { device.cutPower(afterOperations: Int(control(2)), seed: UInt64(control(3))) }
        for k in 0..<operationCount {
            let at = 4 + 3 * k
            let op = operation(control(at), control(at + 1), control(at + 2), model: model,
                               maximumVariableSize: log.maximumVariableSize)
            guard let op else { continue }
            let remainingBefore = log.remaining
            do {
                switch op {
                case .put(let v): try log.put(v)
                case .remove(let guid, let name): try log.remove(guid: guid, name: name)
                }
                model = op.applied(to: model)
            } catch {
                if device.powerIsCut { inFlight = op; break }
                guard case .put(let v) = op, error == .full else { return "an operation failed with the power on" }
                let justified = v.name.count + v.data.count > log.maximumVariableSize
                    || log.footprint(of: v) > remainingBefore
                if guaranteed && !justified { return "a put that fitted failed .full" }
            }
            guard powerCutSameVariables(log.variables, model) else { return "variables differ from the acknowledged operations" }
            if let broken = consistency(log) { return broken }
            if device.powerIsCut { break }
        }
        let wasCut = device.powerIsCut
        device.restorePower()

        // Reboot: exactly what was acknowledged (plus the operation in flight, whole or not at all).
        guard var after = try? FlashVariableLog(flash: device, maximumVariableSize: maximumAsked, limits: limits) else {
            return "mount after the operations threw"
        }
        if !powerCutSameVariables(after.variables, model) {
            guard wasCut, let op = inFlight, powerCutSameVariables(after.variables, op.applied(to: model)) else {
                return "remount lost an acknowledged change or shows a value never written"
            }
            model = op.applied(to: model)
        }
        if let broken = consistency(after) { return broken }

        // The recovered store keeps working: make room, then a small put must succeed and survive.
        let probe = StoredVariable(guid: .zero, name: [0x50, 0, 0, 0], attributes: 7, data: [1, 2, 3])
        for v in after.variables where !guaranteed || after.footprint(of: probe) > after.remaining {
            guard (try? after.remove(guid: v.guid, name: v.name)) != nil else { return "remove failed after recovery" }
            model = PowerCutOperation.remove(guid: v.guid, name: v.name).applied(to: model)
        }
        do { try after.put(probe) } catch { return "a small put failed after recovery" }
        model = PowerCutOperation.put(probe).applied(to: model)
        guard let last = try? FlashVariableLog(flash: device, maximumVariableSize: maximumAsked, limits: limits) else {
            return "final mount threw"
        }
        guard powerCutSameVariables(last.variables, model) else { return "final mount differs" }
        if let broken = consistency(last) { return broken }
        guard device.misuses == 0 else { return "the log misused the flash" }
        return nil
    }

    /// Unique keys, figures that add up, limits kept, and every variable found by its key.
    static func consistency<F: Flash>(_ log: FlashVariableLog<F>) -> StaticString? {
        var sum = 0, cost = 0
        for (i, v) in log.variables.enumerated() {
            sum += log.footprint(of: v)
            cost += log.indexCost(of: v)
            guard log.variable(guid: v.guid, name: v.name) == v else { return "the index does not find a variable" }
            for w in log.variables[(i + 1)...] where w.guid == v.guid && w.name == v.name {
                return "two variables with one key"
            }
        }
        guard sum == log.usedBytes else { return "usedBytes is not the sum of the footprints" }
        // The key-order listing (GetNextVariableName) shows each variable once, in order.
        var listed = 0
        var previous: (guid: EFIGuid, name: [UInt8])? = nil
        while let v = log.firstVariable(after: previous, where: { _ in true }) {
            listed += 1
            guard listed <= log.variables.count else { return "the key-order listing does not end" }
            previous = (v.guid, v.name)
        }
        guard listed == log.variables.count else { return "the key-order listing misses variables" }
        guard cost == log.indexBytes else { return "indexBytes is not the sum of the index costs" }
        guard log.variables.count <= log.limits.maximumVariableCount, log.indexBytes <= log.limits.indexCapacity
        else { return "the store holds more than its limits" }
        let slack = VariableLogLimits.entryOverhead - VariableLogFormat.footprint(nameCount: 0, dataCount: 0)
        let room = log.variables.count < log.limits.maximumVariableCount
            ? max(0, min(log.capacity - log.usedBytes, log.limits.indexCapacity - log.indexBytes - slack)) : 0
        guard log.remaining == room else { return "remaining is wrong" }
        return nil
    }

    /// Makes the checksums of whatever looks like a header or record right, as the flags ask,
    /// walking records the way mount does.
    static func fixChecksums(_ image: inout [UInt8], blockCount: Int, blockSize: Int, flags: UInt8) {
        guard flags & 7 != 0 else { return }
        for b in 0..<blockCount {
            let base = b * blockSize
            if flags & 1 != 0, le32(image, base) == VariableLogFormat.blockMagic {
                put16(&image, base + 4, VariableLogFormat.version)
                put16(&image, base + 6, UInt16(VariableLogFormat.blockHeaderSize))
                put32(&image, base + 8, UInt32(blockSize))
                put32(&image, base + 12, UInt32(blockCount))
                put32(&image, base + 28, VariableLogCRC32.checksum(image, from: base, to: base + 28))
            }
            guard flags & 6 != 0 else { continue }
            var p = VariableLogFormat.blockHeaderSize
            while p <= blockSize - VariableLogFormat.recordHeaderSize {
                let r = base + p
                guard image[r + 8] == 0x56, image[r + 9] == 0x52 else { break }
                if flags & 2 != 0 { put32(&image, r + 40, VariableLogCRC32.checksum(image, from: r + 8, to: r + 40)) }
                let n = le32(image, r + 12), d = le32(image, r + 16)
                guard n <= 0x7FFF_FFFF, d <= 0x7FFF_FFFF else { break }
                let fp = VariableLogFormat.footprint(nameCount: Int(n), dataCount: Int(d))
                guard fp <= blockSize - p else { break }
                if flags & 4 != 0 {
                    put32(&image, r + fp - 4, VariableLogCRC32.checksum(image, from: r + 8, to: r + fp - 4))
                }
                p += fp
            }
        }
    }

    /// One put or remove, or nil. Bytes (a, b, c): a & 3 = 0 nothing, 1-2 put, 3 remove; a >> 2
    /// picks the key (below 12: two GUIDs times six names; else a variable held now); b scales
    /// the data size up to a little over the maximum; c is the data's first byte.
    static func operation(_ a: UInt8, _ b: UInt8, _ c: UInt8, model: [StoredVariable],
                          maximumVariableSize: Int) -> PowerCutOperation? {
        guard a & 3 != 0 else { return nil }
        let key = Int(a >> 2)
        var guid = key % 2 == 0 ? EFIGuid.globalVariable : EFIGuid(0x1234_5678, 0x9abc, 0xdef0, (1, 2, 3, 4, 5, 6, 7, 8))
        var name: [UInt8] = [0x41 + UInt8(key % 6), 0, 0, 0]
        if key >= 12, !model.isEmpty {
            let held = model[(key - 12) % model.count]
            guid = held.guid
            name = held.name
        }
        if a & 3 == 3 { return .remove(guid: guid, name: name) }
        let size = Int(b) * (maximumVariableSize + 8) / 255
        var data: [UInt8] = []
        for i in 0..<size { data.append(c &+ UInt8(truncatingIfNeeded: i)) }
        return .put(StoredVariable(guid: guid, name: name, attributes: 7, data: data))
    }
}

private func le32(_ b: [UInt8], _ at: Int) -> UInt32 {
    UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
}

private func put16(_ b: inout [UInt8], _ at: Int, _ v: UInt16) {
    b[at] = UInt8(truncatingIfNeeded: v); b[at + 1] = UInt8(truncatingIfNeeded: v >> 8)
}

private func put32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) {
    for i in 0..<4 { b[at + i] = UInt8(truncatingIfNeeded: v >> UInt32(8 * i)) }
}
