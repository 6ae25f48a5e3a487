/// One partition information descriptor (FF-A v1.2 Table 6.1 "Partition information
/// descriptor"): v1.0 callers get the first 8 bytes, v1.1+ callers 24 bytes with the UUID.
public struct PartitionInfo: Equatable, Sendable {
    public var id: UInt16
    public var executionContexts: UInt16
    public var properties: UInt32
    public var uuid: UUID

    public init(id: UInt16, executionContexts: UInt16, properties: UInt32, uuid: UUID) {
        self.id = id; self.executionContexts = executionContexts; self.properties = properties; self.uuid = uuid
    }

    /// Partition properties bits (FF-A v1.2 Table 6.2).
    public enum Property {
        public static let receivesDirectRequests: UInt32 = 1 << 0
        public static let sendsDirectRequests: UInt32 = 1 << 1
        public static let indirectMessages: UInt32 = 1 << 2
        public static let receivesNotifications: UInt32 = 1 << 3
        public static let aarch64: UInt32 = 1 << 8
        public static let receivesDirectRequest2: UInt32 = 1 << 9
        public static let sendsDirectRequest2: UInt32 = 1 << 10
    }

    /// Bytes of one descriptor for a caller of `version`.
    public static func descriptorSize(for version: FFAVersion) -> Int { version < .v1_1 ? 8 : 24 }

    /// The descriptor in the format of `version`; a v1.0 caller sees properties bits 2:0 only.
    public func encoded(for version: FFAVersion) -> [UInt8] {
        let props = version < .v1_1 ? properties & 0x7 : properties
        var out = [UInt8](repeating: 0, count: PartitionInfo.descriptorSize(for: version))
        out[0] = UInt8(truncatingIfNeeded: id); out[1] = UInt8(truncatingIfNeeded: id >> 8)
        out[2] = UInt8(truncatingIfNeeded: executionContexts); out[3] = UInt8(truncatingIfNeeded: executionContexts >> 8)
        for i in 0..<4 { out[4 + i] = UInt8(truncatingIfNeeded: props >> (8 * UInt32(i))) }
        if out.count == 24 { for i in 0..<16 { out[8 + i] = uuid.octet(i) } }
        return out
    }

    /// Decodes a descriptor of `size` bytes (8, or ≥ 24) at `offset`; nil if it does not fit.
    public init?(bytes: [UInt8], at offset: Int, size: Int) {
        guard size == 8 || size >= 24, offset >= 0, offset <= bytes.count - size else { return nil }
        // Little-endian words where they lie: id | contexts << 16 | properties << 32, then the
        // UUID's octets 0-7 and 8-15 (as `UUID.bytes` packs them), as in `registerTriple`.
        let word = { (at: Int) in bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt64.self)) } }
        self.init(registerTriple: (word(offset), size >= 24 ? word(offset + 8) : 0, size >= 24 ? word(offset + 16) : 0))
    }

    /// The three registers of FFA_PARTITION_INFO_GET_REGS (FF-A v1.2 §14.x):
    /// id | contexts << 16 | properties << 32, then the UUID as two little-endian words.
    public var registerTriple: (UInt64, UInt64, UInt64) {
        (UInt64(id) | UInt64(executionContexts) << 16 | UInt64(properties) << 32, uuid.bytes.0, uuid.bytes.1)
    }

    public init(registerTriple r: (UInt64, UInt64, UInt64)) {
        id = UInt16(truncatingIfNeeded: r.0)
        executionContexts = UInt16(truncatingIfNeeded: r.0 >> 16)
        properties = UInt32(truncatingIfNeeded: r.0 >> 32)
        uuid = UUID(lo: r.1, hi: r.2)
    }
}

/// FFA_PARTITION_INFO_GET_REGS's answer (FF-A v1.2 §14.9): FFA_SUCCESS_64 with x2 = last index |
/// current index << 16 | tag << 32 | descriptor size << 48, and up to five descriptors of
/// three registers each in x3...x17 (`PartitionInfo.registerTriple`).
public struct PartitionInfoRegisters {
    public private(set) var arguments: SuccessArguments

    public init(last: UInt16, current: UInt16, tag: UInt16 = 0, descriptorSize: UInt16) {
        arguments = SuccessArguments(target: 0, UInt64(last) | UInt64(current) << 16 | UInt64(tag) << 32
                                         | UInt64(descriptorSize) << 48)
    }

    /// Descriptor `slot` (0...4).
    public mutating func set(_ slot: Int, _ info: PartitionInfo) {
        let t = info.registerTriple
        switch slot {
        case 0: arguments.x3 = t.0; arguments.rest.x4 = t.1; arguments.rest.x5 = t.2
        case 1: arguments.rest.x6 = t.0; arguments.rest.x7 = t.1; arguments.rest.x8 = t.2
        case 2: arguments.rest.x9 = t.0; arguments.rest.x10 = t.1; arguments.rest.x11 = t.2
        case 3: arguments.rest.x12 = t.0; arguments.rest.x13 = t.1; arguments.rest.x14 = t.2
        case 4: arguments.rest.x15 = t.0; arguments.rest.x16 = t.1; arguments.rest.x17 = t.2
        default: break
        }
    }

    /// The answer, FFA_SUCCESS_64 over x0...x17 (the same as `Interface.success64(arguments)`).
    public func encode(into r: inout Registers) {
        r.x0 = UInt64(FFAFunction.FFA_SUCCESS_64); r.x1 = UInt64(arguments.target)
        r.x2 = arguments.x2; r.x3 = arguments.x3
        arguments.rest.encode(into: &r)
    }
}

extension PartitionInfoRegisters {
    /// The answer as received (FFA_SUCCESS_64's results).
    public init(decoding arguments: SuccessArguments) { self.arguments = arguments }

    public var last: Int { Int(arguments.x2 & 0xFFFF) }
    public var current: Int { Int((arguments.x2 >> 16) & 0xFFFF) }
    public var tag: UInt16 { UInt16(truncatingIfNeeded: arguments.x2 >> 32) }
    /// The descriptor size field (0: 24, what older SPMCs send).
    public var descriptorSize: Int { Int(arguments.x2 >> 48) }

    /// Descriptor `k` of this reply, `size` bytes each from x3: its first three registers;
    /// nil past x17.
    public func descriptor(_ k: Int, size: Int) -> PartitionInfo? {
        let each = size / 8, base = 3 + k * each
        guard each >= 3, base + 2 <= 17 else { return nil }
        return PartitionInfo(registerTriple: (register(base), register(base + 1), register(base + 2)))
    }

    /// Descriptor `k` of the answer `r` as received (FFA_SUCCESS_64's registers), as
    /// `descriptor(_:size:)` reads it from the decoded answer: no copy of the answer is made.
    public static func descriptor(_ k: Int, size: Int, of r: borrowing Registers) -> PartitionInfo? {
        let each = size / 8, base = 3 + k * each
        guard each >= 3, base + 2 <= 17 else { return nil }
        var copy = copy r  // one local the three loads read, not a copy per subscript
        return withUnsafeBytes(of: &copy) { w in
            PartitionInfo(registerTriple: (w.load(fromByteOffset: base &* 8, as: UInt64.self),
                                           w.load(fromByteOffset: (base &+ 1) &* 8, as: UInt64.self),
                                           w.load(fromByteOffset: (base &+ 2) &* 8, as: UInt64.self)))
        }
    }

    /// x`n` (3...17) of the answer, read where it lies: `rest` is x4...x17, 14 consecutive words.
    func register(_ n: Int) -> UInt64 {
        if n == 3 { return arguments.x3 }
        var rest = arguments.rest  // a local the optimiser keeps in place of the field
        return withUnsafeBytes(of: &rest) { $0.load(fromByteOffset: (n - 4) &* 8, as: UInt64.self) }
    }
}
