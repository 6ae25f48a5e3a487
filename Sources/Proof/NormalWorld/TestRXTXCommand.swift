import DeviceTree
import Driver
import Platform


extension Commands {
    static let rxtxCommand = Command(
        text: "rxtx <address>|default\tmove the FF-A RX/TX pair: TX at <address>, RX 64 KiB above (test)", run: rxtx)

    /// `rxtx 0x100000000`: unmaps the pair and maps TX at the address and RX 64 KiB above it,
    /// so later `ffa parts` / `armffa getpart` make the SPMC write RX there (e.g. above 4 GiB).
    /// The pair must lie in one RAM range of the DTB and miss this image, the DTB and every
    /// /reserved-memory region. `rxtx default` goes back to the image's own pair.
    static func rxtx(_ args: [[UInt8]]) {
        guard args.count == 2 else { usage("rxtx"); return }
        var pair = StaticRXTX()
        if !matches(args[1], "default") {
            let base: UInt64
            do throws(ShellArgumentError) { base = try ShellNumber.parse(args[1]) } catch {
                argumentError(error, "rxtx"); return
            }
            guard let why = rxtxRefusal(base) else {
                pair.moved = base
                return move(to: pair)
            }
            Console.write("rxtx: "); Console.line(why)
            return
        }
        move(to: pair)
    }

    /// Why [base, base + 128 KiB) cannot hold the pair; nil when it can.
    static func rxtxRefusal(_ base: UInt64) -> StaticString? {
        let size = 2 * UInt64(StaticRXTX().capacity)
        guard base & 0xFFFF == 0 else { return "the address must be 64 KiB aligned" }
        let (end, overflow) = base.addingReportingOverflow(size)
        guard !overflow else { return "the pair runs past 2^64" }
        func overlaps(_ b: UInt64, _ s: UInt64) -> Bool { base < b &+ s && b < end }
        let ram = bootSummary?.memory ?? []
        guard ram.contains(where: { base >= $0.base && end <= $0.base &+ $0.size }) else {
            return "the pair is not inside one RAM range of the device tree"
        }
        let image = UInt64(UInt(bitPattern: unsafe UnsafeMutableRawPointer(&__image_start)))
        let imageEnd = UInt64(UInt(bitPattern: unsafe UnsafeMutableRawPointer(&__pagetables_end)))
        if overlaps(image, imageEnd - image) { return "the pair overlaps this firmware's image" }
        if overlaps(boot.dtbAddress, UInt64(bootSummary?.totalSize ?? 0)) { return "the pair overlaps the DTB" }
        for r in bootSummary?.reserved ?? [] where overlaps(r.base, r.size) {
            return "the pair overlaps a /reserved-memory region"
        }
        return nil
    }

    static func move(to pair: StaticRXTX) {
        FFA.with { d throws(FFADriverError) in
            let old = FFA.buffers
            try d.unmapRXTX()
            do throws(FFADriverError) {
                try d.mapRXTX(pair)
            } catch {
                try? d.mapRXTX(old)
                throw error
            }
            FFA.buffers = pair
            Console.write("rxtx: TX "); Console.hex0x(pair.txAddress); Console.write(", RX ")
            Console.hex0x(pair.rxAddress); Console.line(" mapped")
        }
    }
}
