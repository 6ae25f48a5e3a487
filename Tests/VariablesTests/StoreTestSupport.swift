import MM
@testable import Variables

// Shared by the VariableStore and MMVariableHandler tests (names prefixed to stay clear of the
// flash log tests in this target).

let storeVendor = EFIGuid(0x1234_5678, 0x9abc, 0xdef0, (1, 2, 3, 4, 5, 6, 7, 8))
let storeOther = EFIGuid(0x0000_0001, 0, 0, (0, 0, 0, 0, 0, 0, 0, 0))

let NV: UInt32 = 0x01, BS: UInt32 = 0x02, RT: UInt32 = 0x04, HR: UInt32 = 0x08
let AW: UInt32 = 0x10, AT: UInt32 = 0x20, APPEND: UInt32 = 0x40, ENHANCED: UInt32 = 0x80

/// UCS-2LE name with NUL from ASCII text.
func ucs(_ text: StaticString) -> [UInt8] { UCS2.fromASCII(text) }

func makeStore(capacity: Int = 4096, maxNV: Int = 512,
               limits: VariableStoreLimits = VariableStoreLimits(volatileCapacity: 1024,
                                                                 maximumVolatileVariableSize: 256,
                                                                 propertyCapacity: 256))
    -> VariableStore<InMemoryPersistence> {
    VariableStore(persistence: InMemoryPersistence(capacity: capacity, maximumVariableSize: maxNV), limits: limits,
                  verifier: .standard)
}

/// A persistence that counts writes and can be made to fail, to see what the store asks of it.
struct ScriptedPersistence: VariablePersistence {
    var inner = InMemoryPersistence(capacity: 4096, maximumVariableSize: 512)
    var failWith: PersistenceError? = nil
    var puts = 0, removes = 0

    var variables: [StoredVariable] { inner.variables }
    var capacity: Int { inner.capacity }
    var remaining: Int { inner.remaining }
    var maximumVariableSize: Int { inner.maximumVariableSize }
    func footprint(of variable: StoredVariable) -> Int { inner.footprint(of: variable) }

    mutating func put(_ variable: StoredVariable) throws(PersistenceError) {
        if let e = failWith { throw e }
        puts += 1
        try inner.put(variable)
    }

    mutating func remove(guid: EFIGuid, name: [UInt8]) throws(PersistenceError) {
        if let e = failWith { throw e }
        removes += 1
        try inner.remove(guid: guid, name: name)
    }
}

/// The secure-boot state the store serves itself (ReadOnlyGlobals), in listing order, all of
/// EFI_GLOBAL_VARIABLE.
let servedNames = [ucs("AuditMode"), ucs("DeployedMode"), ucs("SecureBoot"), ucs("SetupMode"), ucs("VendorKeys")]

/// What `enumerate` lists besides the served variables: what the test itself stored.
func enumerateStored<P>(_ store: VariableStore<P>, bufferSize: Int = 128) -> [(EFIGuid, [UInt8])] {
    enumerate(store, bufferSize: bufferSize).filter { !($0.0 == .globalVariable && servedNames.contains($0.1)) }
}

/// All (guid, name) pairs GetNextVariableName lists, following the protocol from L"".
func enumerate<P>(_ store: VariableStore<P>, bufferSize: Int = 128) -> [(EFIGuid, [UInt8])] {
    var out: [(EFIGuid, [UInt8])] = []
    var guid = EFIGuid.zero
    var name: [UInt8] = [0, 0]
    for _ in 0..<1000 {
        var buffer = name
        buffer.append(contentsOf: [UInt8](repeating: 0, count: max(0, bufferSize - name.count)))
        let r = store.nextVariableName(nameBuffer: buffer, guid: guid)
        guard r.status == .success else { break }
        out.append((r.guid, r.name))
        guid = r.guid; name = r.name
    }
    return out
}
