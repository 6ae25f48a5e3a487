/// SMM_VARIABLE_COMMUNICATE_ACCESS_VARIABLE (EDK2 `SmmVariableCommon.h`, natural alignment),
/// the payload of GET_VARIABLE and SET_VARIABLE: Guid at 0, DataSize at 16 (UINTN), NameSize at
/// 24 (UINTN, bytes including the NUL), Attributes at 32 (UINT32), Name at 36, Data right after
/// the name with no padding. The header is OFFSET_OF(Name) = 36 bytes (sizeof would be 40).
public enum AccessVariableLayout {
    public static let guid = 0
    public static let dataSize = 16
    public static let nameSize = 24
    public static let attributes = 32
    public static let name = 36
}

/// The fixed fields and where the name and the data lie, checked: NameSize and DataSize fit in
/// the payload (overflow-proof), and the name is a terminated UCS-2 string.
struct AccessVariableFields {
    var guid: EFIGuid
    var dataSize: UInt64
    var attributes: UInt32
    var name: [UInt8]
    /// Absolute offset of the data area and the bytes the payload has there.
    var dataOffset: Int
    var dataAvailable: Int

    /// `dataMustFit`: DataSize bytes must lie in the payload (requests); otherwise the data area
    /// may be shorter (a response carrying only the size needed).
    init(_ bytes: [UInt8], at offset: Int, length: Int, dataMustFit: Bool) throws(MMDecodeError) {
        try checkPayload(bytes, at: offset, length: length, fixed: AccessVariableLayout.name)
        guid = EFIGuid.read(bytes, at: offset + AccessVariableLayout.guid)
        dataSize = bytes.le64(at: offset + AccessVariableLayout.dataSize)
        attributes = bytes.le32(at: offset + AccessVariableLayout.attributes)
        let rawNameSize = bytes.le64(at: offset + AccessVariableLayout.nameSize)
        let room = length - AccessVariableLayout.name
        guard let nameSize = boundedInt(rawNameSize, atMost: room) else { throw .sizesBeyondPayload }
        dataAvailable = room - nameSize
        if dataMustFit, boundedInt(dataSize, atMost: dataAvailable) == nil { throw .sizesBeyondPayload }
        let nameOffset = offset + AccessVariableLayout.name
        try checkName(bytes, at: nameOffset, size: nameSize)
        name = bytes.bytes(at: nameOffset, count: nameSize)
        dataOffset = nameOffset + nameSize
    }

    static func encode(guid: EFIGuid, dataSize: UInt64, attributes: UInt32, name: [UInt8],
                       data: [UInt8], dataAreaSize: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: AccessVariableLayout.name + name.count + dataAreaSize)
        guid.write(into: &out, at: AccessVariableLayout.guid)
        out.putLE64(dataSize, at: AccessVariableLayout.dataSize)
        out.putLE64(UInt64(name.count), at: AccessVariableLayout.nameSize)
        out.putLE32(attributes, at: AccessVariableLayout.attributes)
        out.put(name, at: AccessVariableLayout.name)
        out.put(data, at: AccessVariableLayout.name + name.count)
        return out
    }
}

/// GET_VARIABLE request: the name to read and the size of the caller's data buffer. The data
/// area (`dataSize` bytes, zero) follows the name so the answer fits in the same buffer.
public struct GetVariableRequest: SMMVariablePayload {
    public var guid: EFIGuid
    /// UCS-2LE with the NUL terminator; NameSize = `name.count`.
    public var name: [UInt8]
    /// DataSize: bytes the caller can take.
    public var dataSize: UInt64

    public init(guid: EFIGuid, name: [UInt8], dataSize: UInt64) {
        self.guid = guid; self.name = name; self.dataSize = dataSize
    }

    public var encoded: [UInt8] {
        precondition(dataSize <= UInt64(Int32.max), "data buffer larger than any MM buffer")
        return AccessVariableFields.encode(guid: guid, dataSize: dataSize, attributes: 0, name: name,
                                           data: [], dataAreaSize: Int(dataSize))
    }

    public init(decoding bytes: [UInt8], at offset: Int, length: Int) throws(MMDecodeError) {
        let f = try AccessVariableFields(bytes, at: offset, length: length, dataMustFit: true)
        guid = f.guid; name = f.name; dataSize = f.dataSize
    }
}

/// GET_VARIABLE answer: Attributes and DataSize filled in; the data follows the name on
/// EFI_SUCCESS. On EFI_BUFFER_TOO_SMALL, DataSize is the size needed and `data` is empty.
public struct GetVariableResponse: SMMVariablePayload {
    public var guid: EFIGuid
    public var name: [UInt8]
    public var attributes: UInt32
    public var dataSize: UInt64
    public var data: [UInt8]

    public init(guid: EFIGuid, name: [UInt8], attributes: UInt32, dataSize: UInt64, data: [UInt8]) {
        self.guid = guid; self.name = name; self.attributes = attributes; self.dataSize = dataSize; self.data = data
    }

    public var encoded: [UInt8] {
        AccessVariableFields.encode(guid: guid, dataSize: dataSize, attributes: attributes, name: name,
                                    data: data, dataAreaSize: data.count)
    }

    /// `data` holds DataSize bytes when they are in the payload, and is empty otherwise (the
    /// EFI_BUFFER_TOO_SMALL form). Trust it only with ReturnStatus = EFI_SUCCESS.
    public init(decoding bytes: [UInt8], at offset: Int, length: Int) throws(MMDecodeError) {
        let f = try AccessVariableFields(bytes, at: offset, length: length, dataMustFit: false)
        guid = f.guid; name = f.name; attributes = f.attributes; dataSize = f.dataSize
        if let count = boundedInt(f.dataSize, atMost: f.dataAvailable) {
            data = bytes.bytes(at: f.dataOffset, count: count)
        } else {
            data = []
        }
    }
}

/// SET_VARIABLE request: DataSize = `data.count` bytes of data right after the name.
public struct SetVariableRequest: SMMVariablePayload {
    public var guid: EFIGuid
    public var name: [UInt8]
    public var attributes: UInt32
    public var data: [UInt8]

    public init(guid: EFIGuid, name: [UInt8], attributes: UInt32, data: [UInt8]) {
        self.guid = guid; self.name = name; self.attributes = attributes; self.data = data
    }

    public var encoded: [UInt8] {
        AccessVariableFields.encode(guid: guid, dataSize: UInt64(data.count), attributes: attributes,
                                    name: name, data: data, dataAreaSize: data.count)
    }

    public init(decoding bytes: [UInt8], at offset: Int, length: Int) throws(MMDecodeError) {
        let f = try AccessVariableFields(bytes, at: offset, length: length, dataMustFit: true)
        guid = f.guid; name = f.name; attributes = f.attributes
        data = bytes.bytes(at: f.dataOffset, count: Int(f.dataSize))  // fits: checked above
    }
}
