import MM
import Variables

extension VariableClient {
    /// GetVariable. `name` is UCS-2LE up to its first NUL; `dataSize` is the caller's buffer.
    /// A buffer larger than the payload allows is trimmed (the partition then answers
    /// EFI_BUFFER_TOO_SMALL with the size needed, and the attributes, UEFI 2.7+).
    public mutating func getVariable(name: [UInt8], guid: EFIGuid, dataSize: Int) -> VariableReadResult {
        guard let wireName = UCS2.normalized(name), dataSize >= 0 else { return VariableReadResult(status: .invalidParameter) }
        let fixed = AccessVariableLayout.name + wireName.count
        guard isInitialized else { return VariableReadResult(status: .notReady) }
        guard fixed <= maximumPayload else { return VariableReadResult(status: .invalidParameter) }
        let room = maximumPayload - fixed
        let asked = dataSize < room ? dataSize : room
        let request = GetVariableRequest(guid: guid, name: wireName, dataSize: UInt64(asked))
        let reply = exchange(.getVariable(request), checkedPayload: fixed + asked)
        guard case .answered(let response) = reply else { return VariableReadResult(status: reply.status) }
        let status = response.status
        guard status == .success || status == .bufferTooSmall else { return VariableReadResult(status: status) }
        guard case .variable(let v) = response.payload else { return VariableReadResult(status: .deviceError) }
        if status == .bufferTooSmall {
            // The size needed must exceed what we offered, or the answer makes no sense.
            guard v.dataSize > UInt64(asked) else { return VariableReadResult(status: .deviceError) }
            return VariableReadResult(status: .bufferTooSmall, attributes: v.attributes, dataSize: v.dataSize)
        }
        guard v.dataSize == UInt64(v.data.count), v.data.count <= asked else { return VariableReadResult(status: .deviceError) }
        return VariableReadResult(status: .success, attributes: v.attributes, dataSize: v.dataSize, data: v.data)
    }

    /// SetVariable. An empty name is EFI_INVALID_PARAMETER, as is a name and data the payload
    /// cannot carry (checked before anything is sent).
    public mutating func setVariable(name: [UInt8], guid: EFIGuid, attributes: UInt32, data: [UInt8]) -> EFIStatus {
        guard let wireName = UCS2.normalized(name), wireName.count > 2 else { return .invalidParameter }
        let payload = AccessVariableLayout.name + wireName.count + data.count
        let request = SetVariableRequest(guid: guid, name: wireName, attributes: attributes, data: data)
        return exchange(.setVariable(request), checkedPayload: payload).status
    }

    /// GetNextVariableName. `nameSize` is the caller's name buffer in bytes; `name` the previous
    /// name (L"" to start), which must be NUL-terminated within `nameSize` (UEFI 2.8+).
    /// On EFI_BUFFER_TOO_SMALL `nameSize` in the result is the size needed.
    public mutating func getNextVariableName(nameSize: Int, name: [UInt8], guid: EFIGuid) -> NextVariableNameResult {
        let visible = nameSize < name.count ? Array(name.prefix(nameSize < 0 ? 0 : nameSize)) : name
        guard let previous = UCS2.normalized(visible) else { return NextVariableNameResult(status: .invalidParameter) }
        guard isInitialized else { return NextVariableNameResult(status: .notReady) }
        let fixed = GetNextVariableNameLayout.name
        guard fixed + previous.count <= maximumPayload else { return NextVariableNameResult(status: .invalidParameter) }
        let room = maximumPayload - fixed
        let buffer = nameSize < room ? nameSize : room
        let request = GetNextVariableNameRequest(guid: guid, previousName: previous, nameBufferSize: buffer)
        let reply = exchange(.getNextVariableName(request), checkedPayload: fixed + buffer)
        guard case .answered(let response) = reply else { return NextVariableNameResult(status: reply.status) }
        let status = response.status
        guard status == .success || status == .bufferTooSmall else { return NextVariableNameResult(status: status) }
        guard case .nextVariableName(let next) = response.payload else { return NextVariableNameResult(status: .deviceError) }
        if status == .bufferTooSmall {
            guard next.nameSize > UInt64(buffer) else { return NextVariableNameResult(status: .deviceError) }
            return NextVariableNameResult(status: .bufferTooSmall, nameSize: next.nameSize)
        }
        guard next.nameSize == UInt64(next.name.count), next.name.count <= buffer, UCS2.isWellFormed(next.name) else {
            return NextVariableNameResult(status: .deviceError)
        }
        return NextVariableNameResult(status: .success, guid: next.guid, nameSize: next.nameSize, name: next.name)
    }

    /// QueryVariableInfo for the variables with `attributes`.
    public mutating func queryVariableInfo(attributes: UInt32) -> VariableInfoResult {
        let reply = exchange(.queryVariableInfo(QueryVariableInfoMessage(attributes: attributes)),
                             checkedPayload: QueryVariableInfoMessage.size)
        guard case .answered(let response) = reply else { return VariableInfoResult(status: reply.status) }
        guard response.status == .success else { return VariableInfoResult(status: response.status) }
        guard case .variableInfo(let info) = response.payload else { return VariableInfoResult(status: .deviceError) }
        return VariableInfoResult(status: .success, maximumVariableStorageSize: info.maximumVariableStorageSize,
                                  remainingVariableStorageSize: info.remainingVariableStorageSize,
                                  maximumVariableSize: info.maximumVariableSize)
    }

    /// EXIT_BOOT_SERVICE (function 6): from now on the partition shows only runtime variables.
    public mutating func exitBootServices() -> EFIStatus {
        exchange(.exitBootService, checkedPayload: 0).status
    }

    /// READY_TO_BOOT (function 5).
    public mutating func readyToBoot() -> EFIStatus {
        exchange(.readyToBoot, checkedPayload: 0).status
    }
}
