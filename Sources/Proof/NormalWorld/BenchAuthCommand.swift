import Driver
import MM
import Platform
import Variables

extension Commands {
    static let benchAuthCommand = Command(
        text: "benchauth <PK> <KEK> <db> <db-append> <PK-delete> (each <addr>:<size>)\tinstruction counts of authenticated writes (.auth files in memory; QEMU -icount shift=0)", run: benchAuth)

    /// From a blank store: enrols PK, KEK and db from the .auth files, then measures a KEK-signed
    /// db append (`auth_db_append`; the first run adds the list, later ones verify and find it
    /// already there) and a PK enrolment in setup mode (`auth_pk_enrol`, PK deleted after each).
    static func benchAuth(_ args: [[UInt8]]) {
        guard args.count == 6 else { usage("benchauth"); return }
        var files: [[UInt8]] = []
        for word in args[1...] {
            let range: (UInt64, UInt64)
            do throws(ShellArgumentError) { range = try SetEnvArguments.memoryRange(word, argument: 0) } catch {
                argumentError(error, "benchauth"); return
            }
            guard range.1 <= 0x1_0000, let p = UnsafePointer<UInt8>(bitPattern: UInt(range.0)) else {
                Console.line("benchauth: each range must be at most 64 KiB of mapped memory"); return
            }
            files.append((0..<Int(range.1)).map { unsafe p[$0] })
        }
        guard BenchPMU.counterCount >= 1 else { Console.line("benchauth: the PMU has no event counter"); return }
        BenchPMU.start(atEL2: boot.shellEL == 2)
        defer { BenchPMU.stop() }
        var b = Bench(repeats: 5)
        b.calibrate()
        guard b.normalOverhead > 0 else { Console.line("benchauth: run QEMU with -icount shift=0"); return }
        let at: UInt32 = 0x27, append: UInt32 = 0x67
        let pk = UCS2.fromASCII("PK"), kek = UCS2.fromASCII("KEK"), db = UCS2.fromASCII("db")
        EFIVariables.with { c in
            var ok = c.setVariable(name: pk, guid: .globalVariable, attributes: at, data: files[0]) == .success
                && c.setVariable(name: kek, guid: .globalVariable, attributes: at, data: files[1]) == .success
                && c.setVariable(name: db, guid: .imageSecurityDatabase, attributes: at, data: files[2]) == .success
            guard ok else { Console.line("benchauth: enrolling PK, KEK and db failed"); return }
            b.measure("auth_db_append") {
                ok = ok && c.setVariable(name: db, guid: .imageSecurityDatabase, attributes: append, data: files[3]) == .success
            }
            ok = ok && c.setVariable(name: pk, guid: .globalVariable, attributes: at, data: files[4]) == .success
            b.measure("auth_pk_enrol", after: {
                ok = ok && c.setVariable(name: pk, guid: .globalVariable, attributes: at, data: files[4]) == .success
            }) {
                ok = ok && c.setVariable(name: pk, guid: .globalVariable, attributes: at, data: files[0]) == .success
            }
            Console.line(ok ? "benchauth: done" : "benchauth: an authenticated write failed")
        }
    }
}
