import ABI
import Driver
import Platform

extension Commands {

    static func ffa(_ args: [[UInt8]]) {
        switch args.count == 2 ? wordIndex(args[1], in: "version features parts") : -1 {
        case 0: ffaVersion()
        case 1: ffaFeatures()
        case 2: ffaParts()
        default: usage("ffa")
        }
    }

    static func ffaVersion() {
        FFA.with { d throws(FFADriverError) in
            Console.write("FF-A "); FFA.printVersion(d.version)
            Console.write(" (SPMC "); FFA.printVersion(d.spmcVersion); Console.write("), SMCCC ")
            Console.dec(UInt64(d.smcccVersion >> 16)); Console.put(46); Console.dec(UInt64(d.smcccVersion & 0xFFFF))
            Console.write(", conduit "); Console.write(d.conduit.useHVC ? "hvc" : "smc")
            Console.hex0x(", own ID ", UInt64(d.ownID)); Console.put(10)
        }
    }

    /// The calls `ffa features` asks about, and their names in the same order, one literal
    /// (a table of (ID, StaticString) pairs took 32 bytes an entry).
    static let featureIDs: [UInt32] = [
        FFAFunction.FFA_VERSION, FFAFunction.FFA_FEATURES, FFAFunction.FFA_RX_RELEASE, FFAFunction.FFA_RXTX_MAP_64,
        FFAFunction.FFA_RXTX_UNMAP, FFAFunction.FFA_PARTITION_INFO_GET, FFAFunction.FFA_PARTITION_INFO_GET_REGS,
        FFAFunction.FFA_ID_GET, FFAFunction.FFA_SPM_ID_GET, FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32,
        FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64, FFAFunction.FFA_MSG_SEND_DIRECT_REQ2, FFAFunction.FFA_RUN, 0xC400_0073,
    ]
    static let featureNames: StaticString = """
        FFA_VERSION FFA_FEATURES FFA_RX_RELEASE FFA_RXTX_MAP_64 FFA_RXTX_UNMAP FFA_PARTITION_INFO_GET \
        FFA_PARTITION_INFO_GET_REGS FFA_ID_GET FFA_SPM_ID_GET FFA_MSG_SEND_DIRECT_REQ_32 FFA_MSG_SEND_DIRECT_REQ_64 \
        FFA_MSG_SEND_DIRECT_REQ2 FFA_RUN FFA_MEM_SHARE_64
        """

    static func ffaFeatures() {
        FFA.with { d throws(FFADriverError) in
            var start = 0
            for id in featureIDs {
                let end = wordEnd(featureNames, from: start)
                Console.write("  "); write(featureNames, start, end)
                for _ in (end - start)..<30 { Console.put(32) }
                start = end + 1
                if let p = try d.features(id) {
                    Console.hex0x("supported, w2 ", UInt64(p.w2)); Console.put(10)
                } else {
                    Console.line("NOT_SUPPORTED")
                }
            }
        }
    }

    static func printPartition(_ p: PartitionInfo) {
        Console.write("  "); Console.hex0x(UInt64(p.id), digits: 4); Console.write("  ")
        if p.uuid.isNil { Console.write("(no UUID: v1.0 descriptor)") } else { UUIDText.write({ p.uuid.octet($0) }, Console.put) }
        Console.write("  contexts "); Console.dec(UInt64(p.executionContexts))
        Console.write("  properties "); Console.hex0x(UInt64(p.properties), digits: 8)
        var start = 0
        for bit in 0..<11 {   // the named bits of PartitionInfo.Property, by position
            let end = wordEnd(propertyNames, from: start)
            if p.properties >> UInt32(bit) & 1 != 0 && end > start { Console.put(32); write(propertyNames, start, end) }
            start = end + 1
        }
        Console.put(10)
    }

    /// The names of the partition properties' bits 0 to 10, one word a bit (bits 4-7, which
    /// `ffa parts` does not name, are empty words): PartitionInfo.Property's receivesDirectRequests,
    /// sendsDirectRequests, indirectMessages, receivesNotifications, aarch64 (bit 8),
    /// receivesDirectRequest2, sendsDirectRequest2.
    static let propertyNames: StaticString =
        "direct-req-recv direct-req-send indirect-msg notifications     aarch64 direct-req2-recv direct-req2-send"

    static func ffaParts() {
        FFA.with { d throws(FFADriverError) in
            let parts = try d.partitions(uuid: .nil, buffers: FFA.buffers)
            Console.dec(UInt64(parts.count)); Console.line(" partition(s):")
            for p in parts { printPartition(p) }
        }
    }

    static func armffa(_ args: [[UInt8]]) {
        // getpart and ping take one more word, devlist none
        let sub = args.count >= 2 ? wordIndex(args[1], in: "getpart ping devlist") : -1
        guard sub >= 0 && args.count == (sub == 2 ? 2 : 3) else { usage("armffa"); return }
        if sub == 0 {
            guard let uuid = UUIDText.parseUBoot(args[2]) else {
                Console.line("armffa: invalid UUID (U-Boot form, e.g. 33d532ed-e699-0942-c09c-a798d9cd722d)")
                return
            }
            FFA.with { d throws(FFADriverError) in
                let parts = try d.partitions(uuid: uuid, buffers: FFA.buffers)
                for p in parts {
                    Console.write("Partition: id = "); Console.hex(UInt64(p.id)); Console.write(" , exec_ctxt ")
                    Console.hex(UInt64(p.executionContexts)); Console.write(" , properties ")
                    Console.hex(UInt64(p.properties)); Console.put(10)
                }
            }
        } else if sub == 1 {
            let id: UInt64
            do throws(ShellArgumentError) { id = try ShellNumber.parseHex(args[2]) } catch {
                Console.line("armffa: invalid partition ID"); return
            }
            guard id <= 0xFFFF else { Console.line("armffa: invalid partition ID"); return }
            FFA.with { d throws(FFADriverError) in
                // The fixed-size request (x3..x7) the MM transport uses too: no payload array,
                // and the driver's array-taking form is not linked.
                let payload: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0xaaaa_aaaa, 0xbbbb_bbbb, 0xcccc_cccc, 0xdddd_dddd, 0xeeee_eeee)
                if let m = try d.sendDirectRequest(to: UInt16(id), payload) {
                    Console.line("SP response:"); Console.line("[LSB]")
                    for w in [m.x3, m.x4, m.x5, m.x6, m.x7] { Console.hex(w); Console.put(10) }
                } else {
                    Console.line("SP response: delivered (FFA_SUCCESS, no data)")
                }
            }
        } else {
            FFA.with { d throws(FFADriverError) in
                Console.write("device 0: arm_ffa, FF-A "); FFA.printVersion(d.version)
                Console.write(", conduit "); Console.write(d.conduit.useHVC ? "hvc" : "smc")
                if let m = d.rxtx {
                    Console.hex0x(", TX ", m.txAddress); Console.hex0x(", RX ", m.rxAddress)
                }
                Console.put(10)
            }
        }
    }
}
