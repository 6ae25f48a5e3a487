import MM
import Variables

extension VariableClient {
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

    /// EXIT_BOOT_SERVICE (function 6): from now on the partition shows only runtime variables.
    public mutating func exitBootServices() -> EFIStatus {
        exchange(.exitBootService, checkedPayload: 0).status
    }

    /// READY_TO_BOOT (function 5).
    public mutating func readyToBoot() -> EFIStatus {
        exchange(.readyToBoot, checkedPayload: 0).status
    }
}
