import DeviceTree
import Driver
import MM
import Platform

extension Commands {
    static let hostileCommand = Command(
        text: "hostile [<iterations> [<seed>]]\tattack the secure world with malformed FF-A calls and MM messages", run: hostile)

    /// `hostile 2000 0x1234`: sets a variable, runs `iterations` random cases (each one to a
    /// dozen calls), checks every answer, then checks the secure world still answers and the
    /// variable is intact and a new one can be written.
    static func hostile(_ args: [[UInt8]]) {
        guard args.count <= 3 else { usage("hostile"); return }
        var iterations: UInt64 = 2000, seed: UInt64 = 1
        do throws(ShellArgumentError) {
            if args.count > 1 { iterations = try ShellNumber.parse(args[1]) }
            if args.count > 2 { seed = try ShellNumber.parse(args[2]) }
        } catch {
            argumentError(error, "hostile"); return
        }
        guard let driver = FFA.driver, let mapping = driver.rxtx else {
            Console.write("hostile: FF-A is absent: "); Console.line(FFA.absent?.name ?? "RX/TX not mapped")
            return
        }
        guard let client = EFIVariables.client, !client.transport.isVolatile else {
            Console.line("hostile: UEFI variables are not served over FF-A"); return
        }
        let home = HostileMailbox(tx: mapping.txAddress, rx: mapping.rxAddress, pages: UInt32(mapping.size / 4096))
        let scratch = [HostileRange(base: FFA.buffers.txAddress, size: UInt64(FFA.buffers.capacity)),
                       HostileRange(base: FFA.buffers.rxAddress, size: UInt64(FFA.buffers.capacity))]
        var ram = (bootSummary?.memory ?? []).map { HostileRange(base: $0.base, size: $0.size) }
        if ram.isEmpty { ram = [HostileRange(base: BoardDefaults.ram.base, size: BoardDefaults.ram.size)] }
        var run = HostileRun(conduit: driver.conduit, seed: seed, home: home, ram: ram, scratch: scratch)

        Console.write("hostile: seed "); Console.hex0x(seed); Console.write(", "); Console.dec(iterations); Console.line(" iterations")
        var keep = [UInt8](repeating: 0, count: 16)
        var r = HostileRandom(seed: seed ^ 0x5A5A)
        for i in keep.indices { keep[i] = UInt8(truncatingIfNeeded: r.next()) }
        let set = HostileStore.set(HostileMessage.keepName, keep)
        guard set == .success else { Console.write("hostile: cannot set HostileKeep: "); Console.line(set.name); return }
        let rules = run.registerRulesKept()
        Console.write("hostile: SMCCC register rules kept "); Console.line(rules ? "yes" : "NO")
        guard rules, run.learnPayloadSize(), run.secureWorldAnswers(keep: keep) else {
            run.tally.report(); Console.line("hostile: FAIL (the secure world was not sane before the attack)"); return
        }

        var i: UInt64 = 0
        while i < iterations {
            run.step(keep: keep)
            i += 1
        }

        let answers = run.secureWorldAnswers(keep: keep)
        let newName = UCS2.fromASCII("HostileNew")
        let newData = run.rng.bytes(1 + run.rng.index(32))
        let kept = HostileStore.reads(HostileMessage.keepName, keep)
        let written = HostileStore.set(newName, newData) == .success && HostileStore.reads(newName, newData)
        let deleted = HostileStore.set(newName, []) == .success
        run.tally.report()
        Console.write("hostile: after the attack: secure world answers "); Console.write(answers ? "yes" : "NO")
        Console.write(", HostileKeep intact "); Console.write(kept ? "yes" : "NO")
        Console.write(", new variable written and deleted "); Console.line(written && deleted ? "yes" : "NO")
        let alive = answers && kept && written && deleted
        Console.write("hostile: crashes "); Console.line(alive ? "0" : "1 (the secure world no longer answers correctly)")
        Console.line(alive && run.tally.unexpected == 0 ? "hostile: PASS" : "hostile: FAIL")
    }
}

extension HostileRun {
    /// One random case; afterwards the driver's RX/TX pair is mapped again and RX is ours.
    mutating func step(keep: [UInt8]) {
        switch rng.below(24) {
        case 0, 1, 2: randomCall()
        case 3: versionCall()
        case 4: featuresCall()
        case 5: doubleMap()
        case 6: mailboxCycle()
        case 7: infoGetCall()
        case 8: infoGetRegsCall()
        case 9, 10: directRequestCall()
        case 11: partitionOnlyCall()
        case 12: mmOutsideBuffer()
        case 13: mmHeaderPastEnd()
        case 14: mmLengthPastBuffer()
        case 15: mmUnknownGuid()
        case 16: mmNoVariableHeader()
        case 17: mmUnknownFunction()
        case 18: mmTruncatedPayload()
        case 19: mmBadName()
        case 20: mmDataSizeOverflow()
        case 21: mmRefusedSet()
        case 22:
            switch rng.below(3) {
            case 0: mmStoreRead(keep: keep)
            case 1: mmPayloadSize()
            default: mmBadNext()
            }
        default: if rng.chance(percent: 50) { mmRewrite(keep: keep) } else { mmOtherWidths() }
        }
        restoreHome()
    }
}
