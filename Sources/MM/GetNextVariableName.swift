/// SMM_VARIABLE_COMMUNICATE_GET_NEXT_VARIABLE_NAME (EDK2 `SmmVariableCommon.h`): Guid at 0,
/// NameSize at 16 (UINTN), Name at 24. In: the previous name in a buffer of NameSize bytes;
/// out: the next name and its size, or the size needed.
public enum GetNextVariableNameLayout {
    public static let guid = 0
    public static let nameSize = 16
    public static let name = 24
}

/// GET_NEXT_VARIABLE_NAME request: the previous (GUID, name), the name inside a buffer of
/// NameSize = `nameBuffer.count` bytes. The name is checked by the store (UEFI: no NUL within
/// NameSize is EFI_INVALID_PARAMETER), not here.
public struct GetNextVariableNameRequest: SMMVariablePayload {
    public var guid: EFIGuid
    public var nameBuffer: [UInt8]

    public init(guid: EFIGuid, nameBuffer: [UInt8]) {
        self.guid = guid; self.nameBuffer = nameBuffer
    }

    /// `previousName` zero-padded to `nameBufferSize` bytes (U-Boot zero-fills the tail too);
    /// a name longer than the buffer is sent whole.
    public init(guid: EFIGuid, previousName: [UInt8], nameBufferSize: Int) {
        var buffer = previousName
        if nameBufferSize > buffer.count {
            buffer.append(contentsOf: [UInt8](repeating: 0, count: nameBufferSize - buffer.count))
        }
        self.init(guid: guid, nameBuffer: buffer)
    }

    /// The start of an enumeration: L"" in a buffer of `nameBufferSize` bytes, any GUID.
    public static func first(nameBufferSize: Int) -> GetNextVariableNameRequest {
        GetNextVariableNameRequest(guid: .zero, previousName: [0, 0], nameBufferSize: nameBufferSize)
    }

    public var encoded: [UInt8] {
        var out = [UInt8](repeating: 0, count: GetNextVariableNameLayout.name + nameBuffer.count)
        guid.write(into: &out, at: GetNextVariableNameLayout.guid)
        out.putLE64(UInt64(nameBuffer.count), at: GetNextVariableNameLayout.nameSize)
        out.put(nameBuffer, at: GetNextVariableNameLayout.name)
        return out
    }

    public init(decoding bytes: [UInt8], at offset: Int, length: Int) throws(MMDecodeError) {
        try checkPayload(bytes, at: offset, length: length, fixed: GetNextVariableNameLayout.name)
        guid = EFIGuid.read(bytes, at: offset + GetNextVariableNameLayout.guid)
        let rawSize = bytes.le64(at: offset + GetNextVariableNameLayout.nameSize)
        guard let size = boundedInt(rawSize, atMost: length - GetNextVariableNameLayout.name) else {
            throw .sizesBeyondPayload
        }
        nameBuffer = bytes.bytes(at: offset + GetNextVariableNameLayout.name, count: size)
    }
}

/// GET_NEXT_VARIABLE_NAME answer. On EFI_SUCCESS: the next GUID and name, NameSize =
/// `name.count`. On EFI_BUFFER_TOO_SMALL: NameSize = the size needed and `name` is empty.
public struct GetNextVariableNameResponse: SMMVariablePayload {
    public var guid: EFIGuid
    public var nameSize: UInt64
    public var name: [UInt8]

    public init(guid: EFIGuid, nameSize: UInt64, name: [UInt8]) {
        self.guid = guid; self.nameSize = nameSize; self.name = name
    }

    public var encoded: [UInt8] {
        var out = [UInt8](repeating: 0, count: GetNextVariableNameLayout.name + name.count)
        guid.write(into: &out, at: GetNextVariableNameLayout.guid)
        out.putLE64(nameSize, at: GetNextVariableNameLayout.nameSize)
        out.put(name, at: GetNextVariableNameLayout.name)
        return out
    }

    /// `name` holds NameSize bytes, checked to be a terminated name, when they are in the
    /// payload; it is empty otherwise (the EFI_BUFFER_TOO_SMALL form).
    public init(decoding bytes: [UInt8], at offset: Int, length: Int) throws(MMDecodeError) {
        try checkPayload(bytes, at: offset, length: length, fixed: GetNextVariableNameLayout.name)
        guid = EFIGuid.read(bytes, at: offset + GetNextVariableNameLayout.guid)
        nameSize = bytes.le64(at: offset + GetNextVariableNameLayout.nameSize)
        if let size = boundedInt(nameSize, atMost: length - GetNextVariableNameLayout.name) {
            try checkName(bytes, at: offset + GetNextVariableNameLayout.name, size: size)
            name = bytes.bytes(at: offset + GetNextVariableNameLayout.name, count: size)
        } else {
            name = []
        }
    }
}
