import Foundation
import MM
import Variables

/// `varstore [--image FILE] COMMAND ...`: the variable store of a flash image, read and written
/// with the partition's own store code. Returns the text to print; throws with a message.
public enum VarStoreCommand {
    public static let usage = """
        usage: varstore [--image FILE] COMMAND
          FILE: a 64 MiB flash image (store in the last 1 MiB) or a 1 MiB store image; default build/flash0.img
          list                                        variables, attributes, sizes, signature lists
          get NAME [--guid G] [--hex]                 the value (raw to stdout, or hex)
          set NAME (--data TEXT | --file F) [--guid G] [--attrs nv,bs,rt]
          delete NAME [--guid G]
          export --json [FILE]                        every variable as JSON (stdout without FILE)
          import --json FILE                          variables from such JSON
          enroll [--pk F] [--kek F]... [--db F]... [--dbx F]... [--owner G]
                                                      F: certificate (PEM or DER), .esl or .auth
        Without --guid: db, dbx, dbt, dbr are EFI_IMAGE_SECURITY_DATABASE, the rest EFI_GLOBAL_VARIABLE.
        """

    /// The owner GUID of enrolled certificates unless --owner says otherwise.
    public static let defaultOwner = "0e6c8f3a-5b2d-4c1e-9a7f-3d4b5c6e7f80"

    public static func run(_ arguments: [String]) throws -> [UInt8] {
        var args = arguments
        var path = "build/flash0.img"
        if args.first == "--image" {
            guard args.count >= 2 else { throw VarStoreError(usage) }
            path = args[1]
            args.removeFirst(2)
        }
        guard let command = args.first else { throw VarStoreError(usage) }
        var options = Options(Array(args.dropFirst()))
        var image = try StoreImage(path: path)
        var out = ""
        switch command {
        case "list":
            try options.done()
            out = list(image.store)
            return Array(out.utf8)
        case "get":
            let (name, guid) = try options.variable()
            let hex = options.flag("--hex")
            try options.done()
            let r = image.store.getVariable(name: Text.ucs2(name), guid: guid, dataSize: UInt64(Int32.max))
            guard r.status == .success else { throw VarStoreError("\(name): \(r.status.name)") }
            return hex ? Array((Text.hex(r.data) + "\n").utf8) : r.data
        case "set":
            let (name, guid) = try options.variable()
            let attrsText = options.value("--attrs") ?? "nv,bs,rt"
            guard let attributes = Text.attributes(parsing: attrsText) else { throw VarStoreError("bad --attrs \(attrsText)") }
            var data: [UInt8]
            if let text = options.value("--data") {
                data = Array(text.utf8)
            } else if let file = options.value("--file") {
                data = try read(file)
            } else {
                throw VarStoreError("set needs --data or --file")
            }
            try options.done()
            let status = image.store.setVariable(name: Text.ucs2(name), guid: guid, attributes: attributes, data: data)
            guard status == .success else { throw VarStoreError("set \(name): \(status.name)") }
        case "delete":
            let (name, guid) = try options.variable()
            try options.done()
            let status = image.store.provisionRemove(guid: guid, name: Text.ucs2(name))
            guard status == .success else { throw VarStoreError("delete \(name): \(status.name)") }
        case "export":
            guard options.flag("--json") else { throw VarStoreError("export needs --json") }
            let file = options.positional()
            try options.done()
            let json = try export(image.store)
            if let f = file {
                guard FileManager.default.createFile(atPath: f, contents: Data(json)) else { throw VarStoreError("\(f): cannot write") }
                return []
            }
            return json
        case "import":
            guard options.flag("--json") else { throw VarStoreError("import needs --json FILE") }
            guard let file = options.positional() else { throw VarStoreError("import needs --json FILE") }
            try options.done()
            try importJSON(try read(file), into: &image.store)
        case "enroll":
            try enroll(&options, into: &image.store)
        default:
            throw VarStoreError(usage)
        }
        try image.save()
        return Array(out.utf8)
    }

    static func read(_ file: String) throws -> [UInt8] {
        guard let d = FileManager.default.contents(atPath: file) else { throw VarStoreError("\(file): cannot read") }
        return [UInt8](d)
    }

    static func defaultGuid(_ name: String) -> EFIGuid {
        ["db", "dbx", "dbt", "dbr"].contains(name) ? .imageSecurityDatabase : .globalVariable
    }

    static func sorted(_ store: StoreImage.Store) -> [StoredVariable] {
        let key = { (v: StoredVariable) in v.guid.bytes + v.name }
        return store.persistence.variables.sorted { key($0).lexicographicallyPrecedes(key($1)) }
    }

    static func list(_ store: StoreImage.Store) -> String {
        var out = "secure boot: \(store.secureBootMode) mode\n"
        for raw in sorted(store) {
            let v = raw.visible
            var line = "\(Text.name(v.name))  \(Text.guid(v.guid))  \(Text.attributes(v.attributes))  \(v.data.count) bytes"
            if DefinedKeys.holdsSignatureLists(guid: v.guid, name: Text.name(v.name)), let lists = SignatureList.parse(v.data) {
                line += ", \(lists.count) signature list\(lists.count == 1 ? "" : "s")"
            }
            out += line + "\n"
        }
        return out
    }

    static func export(_ store: StoreImage.Store) throws -> [UInt8] {
        var entries: [[String: Any]] = []
        for raw in sorted(store) {
            var e: [String: Any] = ["name": Text.name(raw.name), "guid": Text.guid(raw.guid),
                                    "attributes": Text.attributes(raw.attributes).lowercased().replacingOccurrences(of: "|", with: ",")]
            if raw.isTimeAuthenticated, let parts = AuthenticatedRecord.split(raw.data) {
                e["data"] = Text.hex(parts.value)
                e["timestamp"] = Text.hex(parts.timestamp)
                e["signer"] = Text.hex(parts.signer)
            } else {
                e["data"] = Text.hex(raw.data)
            }
            entries.append(e)
        }
        let data = try JSONSerialization.data(withJSONObject: ["variables": entries], options: [.prettyPrinted, .sortedKeys])
        return [UInt8](data) + [10]
    }

    static func importJSON(_ json: [UInt8], into store: inout StoreImage.Store) throws {
        guard let top = try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
              let entries = top["variables"] as? [[String: Any]] else {
            throw VarStoreError("import: expected {\"variables\": [...]}")
        }
        for e in entries {
            guard let name = e["name"] as? String, !name.isEmpty, let guidText = e["guid"] as? String,
                  let guid = Text.guid(guidText), let attrsText = e["attributes"] as? String,
                  let attributes = Text.attributes(parsing: attrsText), let dataHex = e["data"] as? String,
                  var data = Text.bytes(hex: dataHex) else {
                throw VarStoreError("import: malformed entry \(e)")
            }
            guard attributes & 0x2 != 0, attributes & ~UInt32(0x27) == 0 else {
                throw VarStoreError("import: \(name): attributes \(attrsText) cannot be stored")
            }
            guard attributes & 0x1 != 0 else { throw VarStoreError("import: \(name): not non-volatile") }
            if attributes & 0x20 != 0 {
                let zero = [UInt8](repeating: 0, count: 16)
                let timestamp = (e["timestamp"] as? String).flatMap { Text.bytes(hex: $0) } ?? zero
                let signer = (e["signer"] as? String).flatMap { Text.bytes(hex: $0) } ?? AuthenticatedRecord.zeroSigner
                guard timestamp.count == 16, signer.count == 32 else { throw VarStoreError("import: \(name): bad timestamp or signer") }
                data = AuthenticatedRecord.join(timestamp: timestamp, signer: signer, value: data)
            }
            let v = StoredVariable(guid: guid, name: Text.ucs2(name), attributes: attributes, data: data)
            guard v.name.count + v.data.count <= store.persistence.maximumVariableSize else {
                throw VarStoreError("import: \(name): larger than the store's maximum variable size")
            }
            let status = store.provisionRaw(v)
            guard status == .success else { throw VarStoreError("import: \(name): \(status.name)") }
        }
    }

    /// Keys from certificates (made into signature lists owned by --owner), .esl files (taken as
    /// they are) or .auth files (written through the store's authenticated path, so they are
    /// verified as the partition would). dbx, db and KEK go in before PK.
    static func enroll(_ options: inout Options, into store: inout StoreImage.Store) throws {
        let ownerText = options.value("--owner") ?? defaultOwner
        guard let owner = Text.guid(ownerText) else { throw VarStoreError("bad --owner \(ownerText)") }
        let pk = options.values("--pk"), kek = options.values("--kek"), db = options.values("--db"),
            dbx = options.values("--dbx")
        try options.done()
        guard pk.count <= 1 else { throw VarStoreError("enroll: one --pk at most") }
        guard !(pk + kek + db + dbx).isEmpty else { throw VarStoreError("enroll: nothing to enrol") }
        for (name, guid, files) in [("dbx", EFIGuid.imageSecurityDatabase, dbx), ("db", .imageSecurityDatabase, db),
                                    ("KEK", .globalVariable, kek), ("PK", .globalVariable, pk)] where !files.isEmpty {
            var value: [UInt8] = []
            for file in files {
                let bytes = try read(file)
                if file.hasSuffix(".auth") {
                    let status = store.setVariable(name: Text.ucs2(name), guid: guid, attributes: 0x27, data: bytes)
                    guard status == .success else { throw VarStoreError("enroll \(name) from \(file): \(status.name)") }
                } else if file.hasSuffix(".esl") {
                    value += bytes
                } else {
                    guard let der = Text.certificate(bytes) else { throw VarStoreError("\(file): not a PEM or DER certificate") }
                    value += SignatureList(certificate: der, owner: owner).encoded
                }
            }
            if value.isEmpty { continue }
            let status = store.provisionAuthenticated(name: Text.ucs2(name), guid: guid, value: value)
            guard status == .success else { throw VarStoreError("enroll \(name): \(status.name)") }
        }
    }
}

/// The variables that hold EFI_SIGNATURE_LISTs.
enum DefinedKeys {
    static func holdsSignatureLists(guid: EFIGuid, name: String) -> Bool {
        (guid == .globalVariable && ["PK", "KEK", "PKDefault", "KEKDefault", "dbDefault", "dbxDefault"].contains(name))
            || (guid == .imageSecurityDatabase && ["db", "dbx", "dbt", "dbr"].contains(name))
    }
}

/// The words after the command: options with values, flags, positionals; every word must be used.
struct Options {
    var words: [String]
    init(_ words: [String]) { self.words = words }

    mutating func flag(_ name: String) -> Bool {
        guard let i = words.firstIndex(of: name) else { return false }
        words.remove(at: i)
        return true
    }

    mutating func value(_ name: String) -> String? {
        guard let i = words.firstIndex(of: name), i + 1 < words.count else { return nil }
        let v = words[i + 1]
        words.removeSubrange(i...(i + 1))
        return v
    }

    /// Every value of a repeated option, and the plain words that follow each (`--kek a b`).
    mutating func values(_ name: String) -> [String] {
        var out: [String] = []
        while let i = words.firstIndex(of: name) {
            var j = i + 1
            while j < words.count && !words[j].hasPrefix("--") { out.append(words[j]); j += 1 }
            words.removeSubrange(i..<j)
        }
        return out
    }

    mutating func positional() -> String? {
        guard let i = words.firstIndex(where: { !$0.hasPrefix("--") }) else { return nil }
        return words.remove(at: i)
    }

    /// NAME and --guid.
    mutating func variable() throws -> (String, EFIGuid) {
        let g = value("--guid")
        guard let name = positional() else { throw VarStoreError("a variable NAME is needed") }
        if let text = g {
            guard let guid = Text.guid(text) else { throw VarStoreError("bad --guid \(text)") }
            return (name, guid)
        }
        return (name, VarStoreCommand.defaultGuid(name))
    }

    func done() throws {
        guard words.isEmpty else { throw VarStoreError("unexpected: \(words.joined(separator: " "))") }
    }
}
