import MM
import Variables

/// A power-cut trial: a deterministic stream of puts (create, update, append-like growth) and
/// removes runs on a `FlashVariableLog` over a `RAMFlash` whose power is cut after a given number
/// of flash operations; then the device "reboots", a new log mounts the same bytes, and the trial
/// checks what survived. Host tests run it at every cut point; a soak or fuzz target can call it
/// with any seed.
public struct PowerCutTrialConfiguration: Equatable, Sendable {
    public var blockCount = 4
    public var eraseBlockSize = 4096
    public var maximumVariableSize = 512
    /// Operations in the stream.
    public var operations = 120
    /// Distinct (guid, name) keys the stream uses; more keys than fit make some puts fail `.full`.
    public var keys = 12
    /// The store's limits; small ones make the stream meet a store full by count or by RAM.
    public var limits = VariableLogLimits()

    public init() {}
}

/// Something a trial found wrong (the first one is reported).
public enum PowerCutViolation: Equatable, Sendable {
    /// Mounting after the cut threw.
    case mountFailed
    /// The recovered variables are neither the acknowledged ones nor those plus the operation
    /// in flight: an acknowledged change was lost, or a value never written appeared.
    case recoveredStateWrong
    /// Before the cut, `variables` disagreed with the acknowledged operations.
    case liveStateWrong
    /// `usedBytes`/`remaining` disagree with the variables held.
    case figuresWrong
    /// A put failed `.full` although its footprint fitted in `remaining`.
    case spuriousFull
    /// An operation failed while power was on.
    case unexpectedError
    /// The log programmed a 0 bit back to 1, or misaligned or out of range.
    case flashMisuse
    /// After recovery a put, a remove or a further remount misbehaved.
    case afterRecoveryWrong
}

public struct PowerCutTrialResult: Equatable, Sendable {
    /// False when the stream ended before the cut point (the trial then checks a clean reboot).
    public var powerWasCut = false
    /// The second cut, during the first recovery, happened (recovery had that many repairs).
    public var recoveryWasCut = false
    public var operationsAcknowledged = 0
    /// Puts refused with `.full` (the old value kept).
    public var putsRefusedFull = 0
    /// Flash programs and erases that completed before the cut (all of them when there was none).
    public var flashOperations = 0
    public var reclaims = 0
    /// The operation in flight survived the cut.
    public var inFlightSurvived = false
    public var violations = 0
    public var firstViolation: PowerCutViolation?

    mutating func violate(_ v: PowerCutViolation) {
        violations += 1
        if firstViolation == nil { firstViolation = v }
    }
}

/// One operation of a trial's stream.
public enum PowerCutOperation: Equatable, Sendable {
    case put(StoredVariable)
    case remove(guid: EFIGuid, name: [UInt8])

    /// `variables` after this operation succeeds.
    public func applied(to variables: [StoredVariable]) -> [StoredVariable] {
        var out = variables
        switch self {
        case .put(let v):
            if let i = out.firstIndex(where: { $0.guid == v.guid && $0.name == v.name }) { out[i] = v } else { out.append(v) }
        case .remove(let guid, let name):
            out.removeAll { $0.guid == guid && $0.name == name }
        }
        return out
    }
}

/// Runs one trial: the stream of `seed`, power cut after `cutAfter` flash operations (nil: no
/// cut), optionally a second cut `recoveryCutAfter` operations into the first recovery.
public func runPowerCutTrial(seed: UInt64, cutAfter: Int?, recoveryCutAfter: Int? = nil,
                             configuration c: PowerCutTrialConfiguration = PowerCutTrialConfiguration()) -> PowerCutTrialResult {
    var result = PowerCutTrialResult()
    let device = RAMFlash(blockCount: c.blockCount, eraseBlockSize: c.eraseBlockSize)
    if let n = cutAfter { device.cutPower(afterOperations: n, seed: seed &* 0x9E37_79B9 &+ UInt64(n)) }
    var random = SplitMix64(seed: seed)
    var acknowledged: [StoredVariable] = []
    var inFlight: PowerCutOperation?

    if var log = try? FlashVariableLog(flash: device, maximumVariableSize: c.maximumVariableSize, limits: c.limits) {
        for _ in 0..<c.operations {
            let op = powerCutNextOperation(&random, current: acknowledged, configuration: c)
            inFlight = op
            do {
                switch op {
                case .put(let v): try log.put(v)
                case .remove(let guid, let name): try log.remove(guid: guid, name: name)
                }
                acknowledged = op.applied(to: acknowledged)
                result.operationsAcknowledged += 1
                inFlight = nil
            } catch {
                if device.powerIsCut { break }
                inFlight = nil
                if case .put(let v) = op, error == .full,
                   log.footprint(of: v) > log.remaining || v.name.count + v.data.count > log.maximumVariableSize {
                    result.putsRefusedFull += 1
                } else {
                    result.violate(error == .full ? .spuriousFull : .unexpectedError)
                }
            }
            if !powerCutSameVariables(log.variables, acknowledged) { result.violate(.liveStateWrong) }
            if !powerCutFiguresHold(log) { result.violate(.figuresWrong) }
            if device.powerIsCut { break }
        }
        result.reclaims = log.statistics.reclaims
    } else if !device.powerIsCut {
        result.violate(.unexpectedError)
    }
    result.powerWasCut = device.powerIsCut
    result.flashOperations = device.programs + device.erases
    device.restorePower()

    if let r = recoveryCutAfter {
        device.cutPower(afterOperations: r, seed: seed ^ 0xC0FF_EE00)
        _ = try? FlashVariableLog(flash: device, maximumVariableSize: c.maximumVariableSize, limits: c.limits)
        result.recoveryWasCut = device.powerIsCut
        device.restorePower()
    }
    guard var log = try? FlashVariableLog(flash: device, maximumVariableSize: c.maximumVariableSize, limits: c.limits) else {
        result.violate(.mountFailed)
        return result
    }
    if powerCutSameVariables(log.variables, acknowledged) {
        // The operation in flight did not survive (or there was none).
    } else if let op = inFlight, powerCutSameVariables(log.variables, op.applied(to: acknowledged)) {
        acknowledged = op.applied(to: acknowledged)
        result.inFlightSurvived = true
    } else {
        result.violate(.recoveredStateWrong)
    }
    if !powerCutFiguresHold(log) { result.violate(.figuresWrong) }

    // The recovered store keeps working: a put, a remove, and both survive a remount.
    var extra = powerCutNextOperation(&random, current: [], configuration: c)
    if case .put(var v) = extra {
        v.data = Array(v.data.prefix(16))
        extra = .put(v)
        // One remove makes room for it on the flash; under a RAM limit it may take more.
        while log.footprint(of: v) > log.remaining, let victim = log.variables.first {
            do { try log.remove(guid: victim.guid, name: victim.name) } catch { result.violate(.afterRecoveryWrong); break }
            acknowledged = PowerCutOperation.remove(guid: victim.guid, name: victim.name).applied(to: acknowledged)
        }
    }
    do {
        switch extra {
        case .put(let v): try log.put(v)
        case .remove(let guid, let name): try log.remove(guid: guid, name: name)
        }
        acknowledged = extra.applied(to: acknowledged)
    } catch {
        result.violate(.afterRecoveryWrong)
    }
    if let again = try? FlashVariableLog(flash: device, maximumVariableSize: c.maximumVariableSize, limits: c.limits) {
        if !powerCutSameVariables(again.variables, acknowledged) || !powerCutFiguresHold(again) { result.violate(.afterRecoveryWrong) }
    } else {
        result.violate(.afterRecoveryWrong)
    }
    if device.misuses != 0 { result.violate(.flashMisuse) }
    return result
}

/// Totals of many trials.
public struct PowerCutCampaignResult: Equatable, Sendable {
    public var trials = 0
    /// Trials in which the power was really cut.
    public var cuts = 0
    /// Trials in which the recovery was cut too.
    public var recoveryCuts = 0
    public var violations = 0
    public var inFlightSurvived = 0
    public var reclaimsBeforeCuts = 0
    /// The first trial with a violation: (seed, cutAfter, violation).
    public var firstFailure: (seed: UInt64, cutAfter: Int, violation: PowerCutViolation)?

    public static func == (a: Self, b: Self) -> Bool {
        a.trials == b.trials && a.cuts == b.cuts && a.recoveryCuts == b.recoveryCuts && a.violations == b.violations
            && a.inFlightSurvived == b.inFlightSurvived && a.reclaimsBeforeCuts == b.reclaimsBeforeCuts
            && a.firstFailure?.seed == b.firstFailure?.seed && a.firstFailure?.cutAfter == b.firstFailure?.cutAfter
            && a.firstFailure?.violation == b.firstFailure?.violation
    }
}

/// For each seed: cuts power at every `stride`-th flash operation of that seed's stream (and
/// during the recovery when `cutRecoveryToo`).
public func runPowerCutCampaign(seeds: [UInt64], stride: Int = 1, cutRecoveryToo: Bool = false,
                                configuration c: PowerCutTrialConfiguration = PowerCutTrialConfiguration()) -> PowerCutCampaignResult {
    var total = PowerCutCampaignResult()
    for seed in seeds {
        let length = runPowerCutTrial(seed: seed, cutAfter: nil, configuration: c).flashOperations
        var k = 0
        while k < length {
            let r = runPowerCutTrial(seed: seed, cutAfter: k, recoveryCutAfter: cutRecoveryToo ? k % 3 : nil, configuration: c)
            total.trials += 1
            if r.powerWasCut { total.cuts += 1 }
            if r.recoveryWasCut { total.recoveryCuts += 1 }
            if r.inFlightSurvived { total.inFlightSurvived += 1 }
            total.reclaimsBeforeCuts += r.reclaims
            total.violations += r.violations
            if let v = r.firstViolation, total.firstFailure == nil { total.firstFailure = (seed, k, v) }
            k += max(stride, 1)
        }
    }
    return total
}

/// The next operation of a stream: mostly puts (new values and append-like growth), some removes.
public func powerCutNextOperation(_ random: inout SplitMix64, current: [StoredVariable],
                                  configuration c: PowerCutTrialConfiguration) -> PowerCutOperation {
    let k = random.below(max(c.keys, 1))
    let guid = k % 2 == 0 ? EFIGuid.globalVariable : EFIGuid(0x1234_5678, 0x9abc, 0xdef0, (1, 2, 3, 4, 5, 6, 7, 8))
    // UCS-2LE "Var<k>" with its NUL.
    var name: [UInt8] = [0x56, 0, 0x61, 0, 0x72, 0]
    var digits: [UInt8] = []
    var n = k
    repeat { digits.insert(UInt8(0x30 + n % 10), at: 0); n /= 10 } while n > 0
    for d in digits { name.append(d); name.append(0) }
    name.append(0); name.append(0)
    let room = max(c.maximumVariableSize - name.count, 0)
    let choice = random.below(10)
    if choice < 2 { return .remove(guid: guid, name: name) }
    var data: [UInt8]
    if choice < 5, let old = current.first(where: { $0.guid == guid && $0.name == name }) {
        data = old.data
        let extra = 1 + random.below(64)
        for _ in 0..<extra where data.count < room { data.append(random.byte()) }
    } else {
        let size = random.below(3) == 0 ? random.below(room + 1) : random.below(min(room, 96) + 1)
        data = []
        for _ in 0..<size { data.append(random.byte()) }
    }
    return .put(StoredVariable(guid: guid, name: name, attributes: 0x7, data: data))
}

/// Same variables, in any order.
public func powerCutSameVariables(_ a: [StoredVariable], _ b: [StoredVariable]) -> Bool {
    guard a.count == b.count else { return false }
    for v in a where !b.contains(v) { return false }
    return true
}

public func powerCutFiguresHold<F: Flash>(_ log: FlashVariableLog<F>) -> Bool {
    var sum = 0, cost = 0
    for v in log.variables { sum += log.footprint(of: v); cost += log.indexCost(of: v) }
    let slack = VariableLogLimits.entryOverhead - VariableLogFormat.footprint(nameCount: 0, dataCount: 0)
    let room = log.variables.count < log.limits.maximumVariableCount
        ? max(0, min(log.capacity - sum, log.limits.indexCapacity - cost - slack)) : 0
    return sum == log.usedBytes && cost == log.indexBytes && log.remaining == room && log.usedBytes <= log.capacity
        && log.variables.count <= log.limits.maximumVariableCount && cost <= log.limits.indexCapacity
}
