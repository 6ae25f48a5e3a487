import Driver
import MM
import Platform

extension Commands {
    static let fillStoreCommand = Command(
        text: "fillstore <count> [<data bytes>]\tproof: SetVariable V0..V<count-1> (NV|BS|RT) through the MM path until refused", run: fillStore)

    /// The vendor of the variables `fillstore` writes (`printenv -e -guid` reads them back).
    static let fillStoreVendor = EFIGuid(0x5354_4f52, 0x4546, 0x494c, (0x4c, 0x53, 0x54, 0x4f, 0x52, 0x45, 0x00, 0x01))

    /// `fillstore 14000`: what `setenv -e -nv -bs -rt V<i> x` typed 14,000 times does, without
    /// typing it. Every call goes through the real client, FF-A and the partition. Stops at the
    /// first refusal and says which variable and why.
    static func fillStore(_ args: [[UInt8]]) {
        guard args.count == 2 || args.count == 3 else { usage("fillstore"); return }
        var count: UInt64 = 0, size: UInt64 = 1
        do throws(ShellArgumentError) {
            count = try ShellNumber.parse(args[1])
            if args.count > 2 { size = try ShellNumber.parse(args[2]) }
        } catch {
            argumentError(error, "fillstore"); return
        }
        guard size <= 0x1000 else { usage("fillstore"); return }
        let data = [UInt8](repeating: 0x78, count: Int(size))
        var set: UInt64 = 0
        var refusal = EFIStatus.success
        EFIVariables.with { c in
            while set < count {
                let status = c.setVariable(name: numberedName(set), guid: fillStoreVendor, attributes: 7, data: data)
                guard status == .success else { refusal = status; break }
                set += 1
            }
        }
        Console.write("fillstore: "); Console.dec(set); Console.write(" variables set")
        if refusal != .success {
            Console.write(", V"); Console.dec(set); Console.write(" refused: "); Console.line(refusal.name)
        } else {
            Console.put(10)
        }
    }

    /// "V<n>" in UCS-2LE with its NUL.
    static func numberedName(_ n: UInt64) -> [UInt8] {
        var digits: [UInt8] = []
        var x = n
        repeat { digits.append(0x30 + UInt8(x % 10)); x /= 10 } while x != 0
        var name: [UInt8] = [0x56, 0]
        for d in digits.reversed() { name.append(d); name.append(0) }
        return name + [0, 0]
    }
}
