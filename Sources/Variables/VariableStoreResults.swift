import MM

/// GetVariable's answer. On EFI_SUCCESS `data` is the value; on EFI_BUFFER_TOO_SMALL `dataSize`
/// is the size needed and `attributes` is filled in too (UEFI 2.7+); otherwise only `status`.
public struct VariableReadResult: Equatable, Sendable {
    public var status: EFIStatus
    public var attributes: UInt32
    public var dataSize: UInt64
    public var data: [UInt8]

    public init(status: EFIStatus, attributes: UInt32 = 0, dataSize: UInt64 = 0, data: [UInt8] = []) {
        self.status = status; self.attributes = attributes; self.dataSize = dataSize; self.data = data
    }
}

/// GetNextVariableName's answer. On EFI_SUCCESS the next (guid, name), `nameSize` = name size;
/// on EFI_BUFFER_TOO_SMALL `nameSize` is the size needed (guid and name empty/unchanged).
public struct NextVariableNameResult: Equatable, Sendable {
    public var status: EFIStatus
    public var guid: EFIGuid
    public var nameSize: UInt64
    public var name: [UInt8]

    public init(status: EFIStatus, guid: EFIGuid = .zero, nameSize: UInt64 = 0, name: [UInt8] = []) {
        self.status = status; self.guid = guid; self.nameSize = nameSize; self.name = name
    }
}

/// QueryVariableInfo's answer: the figures are meaningful on EFI_SUCCESS only.
public struct VariableInfoResult: Equatable, Sendable {
    public var status: EFIStatus
    public var maximumVariableStorageSize: UInt64
    public var remainingVariableStorageSize: UInt64
    public var maximumVariableSize: UInt64

    public init(status: EFIStatus, maximumVariableStorageSize: UInt64 = 0,
                remainingVariableStorageSize: UInt64 = 0, maximumVariableSize: UInt64 = 0) {
        self.status = status
        self.maximumVariableStorageSize = maximumVariableStorageSize
        self.remainingVariableStorageSize = remainingVariableStorageSize
        self.maximumVariableSize = maximumVariableSize
    }
}
