/// VAR_CHECK_VARIABLE_PROPERTY (EDK2 `MdeModulePkg/Include/Protocol/VarCheck.h`, 24 bytes):
/// Revision at 0 (UINT16), Property at 2 (UINT16), Attributes at 4 (UINT32), MinSize at 8,
/// MaxSize at 16 (UINTN each).
public struct VarCheckVariableProperty: Equatable, Sendable {
    public static let size = 24
    /// VAR_CHECK_VARIABLE_PROPERTY_REVISION
    public static let currentRevision: UInt16 = 0x0001
    /// VAR_CHECK_VARIABLE_PROPERTY_READ_ONLY
    public static let readOnly: UInt16 = 1 << 0

    public var revision: UInt16
    public var property: UInt16
    public var attributes: UInt32
    public var minSize: UInt64
    public var maxSize: UInt64

    public init(revision: UInt16 = VarCheckVariableProperty.currentRevision, property: UInt16,
                attributes: UInt32, minSize: UInt64, maxSize: UInt64) {
        self.revision = revision; self.property = property; self.attributes = attributes
        self.minSize = minSize; self.maxSize = maxSize
    }

    /// All zero: what a GET request carries.
    public static let zero = VarCheckVariableProperty(revision: 0, property: 0, attributes: 0, minSize: 0, maxSize: 0)

    public var isReadOnly: Bool { property & VarCheckVariableProperty.readOnly != 0 }

    func encode(into bytes: inout [UInt8], at offset: Int) {
        bytes.putLE16(revision, at: offset)
        bytes.putLE16(property, at: offset + 2)
        bytes.putLE32(attributes, at: offset + 4)
        bytes.putLE64(minSize, at: offset + 8)
        bytes.putLE64(maxSize, at: offset + 16)
    }

    static func read(_ bytes: [UInt8], at offset: Int) -> VarCheckVariableProperty {
        VarCheckVariableProperty(revision: bytes.le16(at: offset), property: bytes.le16(at: offset + 2),
                                 attributes: bytes.le32(at: offset + 4), minSize: bytes.le64(at: offset + 8),
                                 maxSize: bytes.le64(at: offset + 16))
    }
}

/// SMM_VARIABLE_COMMUNICATE_VAR_CHECK_VARIABLE_PROPERTY (EDK2 `SmmVariableCommon.h`): Guid at 0,
/// NameSize at 16 (UINTN), VariableProperty at 24 (24 bytes), Name at 48. The payload of
/// VAR_CHECK_VARIABLE_PROPERTY_SET (in) and _GET (name in, property out).
public struct VarCheckPropertyMessage: SMMVariablePayload {
    public enum Layout {
        public static let guid = 0
        public static let nameSize = 16
        public static let property = 24
        public static let name = 48
    }

    public var guid: EFIGuid
    public var property: VarCheckVariableProperty
    public var name: [UInt8]

    public init(guid: EFIGuid, name: [UInt8], property: VarCheckVariableProperty = .zero) {
        self.guid = guid; self.name = name; self.property = property
    }

    public var encoded: [UInt8] {
        var out = [UInt8](repeating: 0, count: Layout.name + name.count)
        guid.write(into: &out, at: Layout.guid)
        out.putLE64(UInt64(name.count), at: Layout.nameSize)
        property.encode(into: &out, at: Layout.property)
        out.put(name, at: Layout.name)
        return out
    }

    /// NameSize within the payload, even, ≥ 2, NUL-terminated.
    public init(decoding bytes: [UInt8], at offset: Int, length: Int) throws(MMDecodeError) {
        try checkPayload(bytes, at: offset, length: length, fixed: Layout.name)
        guid = EFIGuid.read(bytes, at: offset + Layout.guid)
        property = VarCheckVariableProperty.read(bytes, at: offset + Layout.property)
        let rawSize = bytes.le64(at: offset + Layout.nameSize)
        guard let size = boundedInt(rawSize, atMost: length - Layout.name) else { throw .sizesBeyondPayload }
        try checkName(bytes, at: offset + Layout.name, size: size)
        name = bytes.bytes(at: offset + Layout.name, count: size)
    }
}
