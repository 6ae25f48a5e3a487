import Testing
import MM
@testable import Variables
import TestSupport

/// Cuts power at every flash operation of three streams (create, update, append-like growth,
/// remove, full stores and reclaims); after each, reboots and checks the recovered store.
@Test(arguments: [UInt64(1), 2, 3])
func powerCutAtEveryOperation(seed: UInt64) {
    let r = runPowerCutCampaign(seeds: [seed])
    print("power cuts seed \(seed): trials \(r.trials), cuts \(r.cuts), in flight kept \(r.inFlightSurvived), reclaims before cuts \(r.reclaimsBeforeCuts), violations \(r.violations)")
    #expect(r.cuts >= 250)
    #expect(r.reclaimsBeforeCuts > 0)
    // A failed put or remove is never durable: the log reads its state word back and reports
    // success when any bit was cleared, so the operation "in flight" is always an absent one.
    #expect(r.inFlightSurvived == 0)
    #expect(r.violations == 0)
    #expect(r.firstFailure == nil)
}

@Test func powerCutDuringRecoveryToo() {
    let r = runPowerCutCampaign(seeds: [4], stride: 1, cutRecoveryToo: true)
    print("power cuts with a second cut in recovery: cuts \(r.cuts), recoveries cut \(r.recoveryCuts), violations \(r.violations)")
    #expect(r.cuts >= 250 && r.recoveryCuts >= 20 && r.violations == 0 && r.firstFailure == nil)
}

@Test func powerCutsOnATwoBlockRegion() {
    var c = PowerCutTrialConfiguration()
    c.blockCount = 2
    c.keys = 8
    let r = runPowerCutCampaign(seeds: [5], configuration: c)
    print("power cuts on 2 blocks: cuts \(r.cuts), violations \(r.violations)")
    #expect(r.cuts >= 250 && r.violations == 0 && r.firstFailure == nil)
}

/// Full stores: more keys than the count allows, then an index RAM that binds before the flash.
@Test func powerCutsOnStoresFullByCountAndByRAM() {
    var byCount = PowerCutTrialConfiguration()
    byCount.keys = 24
    byCount.operations = 300
    byCount.limits = VariableLogLimits(maximumVariableCount: 6)
    let c = runPowerCutCampaign(seeds: [6], configuration: byCount)
    var byRAM = PowerCutTrialConfiguration()
    byRAM.keys = 24
    byRAM.operations = 300
    byRAM.limits = VariableLogLimits(maximumVariableCount: 100, indexCapacity: 4000)
    let r = runPowerCutCampaign(seeds: [7], configuration: byRAM)
    print("power cuts on full stores: by count \(c.cuts) cuts, \(c.violations) violations; by RAM \(r.cuts) cuts, \(r.violations) violations")
    #expect(c.cuts >= 150 && c.violations == 0 && c.firstFailure == nil)
    #expect(r.cuts >= 150 && r.violations == 0 && r.firstFailure == nil)
    // The limits were met on the way: puts were refused with the flash far from full.
    let refusedByCount = runPowerCutTrial(seed: 6, cutAfter: nil, configuration: byCount)
    let refusedByRAM = runPowerCutTrial(seed: 7, cutAfter: nil, configuration: byRAM)
    #expect(refusedByCount.putsRefusedFull > 0 && refusedByRAM.putsRefusedFull > 0)
    #expect(refusedByCount.violations == 0 && refusedByRAM.violations == 0)
}

@Test func powerCutsAtRandomPointsOfLongStreams() {
    var c = PowerCutTrialConfiguration()
    c.operations = 400
    c.keys = 64
    var random = SplitMix64(seed: 77)
    var cuts = 0, violations = 0, fulls = 0
    for _ in 0..<200 {
        let seed = random.next()
        let r = runPowerCutTrial(seed: seed, cutAfter: random.below(1000), configuration: c)
        if r.powerWasCut { cuts += 1 }
        fulls += r.putsRefusedFull
        violations += r.violations
        #expect(r.firstViolation == nil, "seed \(seed)")
    }
    print("random power cuts in long streams: cuts \(cuts), puts refused full \(fulls), violations \(violations)")
    #expect(cuts >= 150 && violations == 0 && fulls > 0)
}

@Test func aTrialWithoutACutChecksACleanReboot() {
    let r = runPowerCutTrial(seed: 9, cutAfter: nil)
    #expect(!r.powerWasCut && r.violations == 0 && r.operationsAcknowledged + r.putsRefusedFull == 120)
    #expect(r.flashOperations > 120)
}

@Test func theTrialNoticesALostWrite() {
    // A harness that cannot fail proves nothing: corrupt the acknowledged state on purpose.
    let device = RAMFlash(blockCount: 4, eraseBlockSize: 4096)
    var log = try! FlashVariableLog(flash: device, maximumVariableSize: 512)
    let v = StoredVariable(guid: .globalVariable, name: [0x41, 0, 0, 0], attributes: 7, data: [1])
    try! log.put(v)
    let wrong = StoredVariable(guid: .globalVariable, name: [0x41, 0, 0, 0], attributes: 7, data: [2])
    #expect(!powerCutSameVariables(log.variables, [wrong]))
    #expect(!powerCutSameVariables(log.variables, []))
    #expect(powerCutSameVariables(log.variables, [v]))
}
