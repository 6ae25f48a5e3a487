import MM
import Variables

extension VariableClient {
    /// GetNextVariableName. `nameSize` is the caller's name buffer in bytes; `name` the previous
    /// name (L"" to start), which must be NUL-terminated within `nameSize` (UEFI 2.8+).
    /// On EFI_BUFFER_TOO_SMALL `nameSize` in the result is the size needed. Built and read in
    /// place in the transport's buffer; the one array made is the name returned.
    public mutating func getNextVariableName(nameSize: Int, name: [UInt8], guid: EFIGuid) -> NextVariableNameResult {
        let visible = nameSize < 0 ? 0 : nameSize < name.count ? nameSize : name.count
        guard let size = name.withUnsafeBytes({ UCS2.terminatedSize(UnsafeRawBufferPointer(rebasing: $0[0..<visible])) }) else {
            return NextVariableNameResult(status: .invalidParameter)
        }
        guard isInitialized else { return NextVariableNameResult(status: .notReady) }
        let fixed = GetNextVariableNameLayout.name
        guard fixed + size <= maximumPayload else { return NextVariableNameResult(status: .invalidParameter) }
        let room = maximumPayload - fixed
        // size ≤ nameSize and size ≤ room, so the previous name fits the buffer sent.
        let buffer = nameSize < room ? nameSize : room
        return call(.getNextVariableName, checkedPayload: fixed + buffer, payload: { b in
            let at = MMMessageView.payloadOffset
            b.mmPutGuid(guid, at: at + GetNextVariableNameLayout.guid)
            b.mmPut64(UInt64(buffer), at: at + GetNextVariableNameLayout.nameSize)
            name.withUnsafeBytes { b.mmPut(UnsafeRawBufferPointer(rebasing: $0[0..<size]), at: at + fixed) }
            // The tail of the buffer zero-filled, as U-Boot sends it.
            UnsafeMutableRawBufferPointer(rebasing: b[(at + fixed + size)..<(at + fixed + buffer)])
                .initializeMemory(as: UInt8.self, repeating: 0)
            return fixed + buffer
        }, decodes: { _ in true }, answer: { status, m in
            guard m.payloadLength > 0 else {
                return NextVariableNameResult(status: status == .success || status == .bufferTooSmall ? .deviceError : status)
            }
            guard let v = try? GetNextVariableNameAnswerView(m) else { return NextVariableNameResult(status: .deviceError) }
            guard status == .success || status == .bufferTooSmall else { return NextVariableNameResult(status: status) }
            if status == .bufferTooSmall {
                guard v.nameSize > UInt64(buffer) else { return NextVariableNameResult(status: .deviceError) }
                return NextVariableNameResult(status: .bufferTooSmall, nameSize: v.nameSize)
            }
            guard v.hasName, v.nameSize <= UInt64(buffer) else { return NextVariableNameResult(status: .deviceError) }
            let next = [UInt8](UnsafeRawBufferPointer(rebasing: m.raw[v.nameOffset..<(v.nameOffset + Int(v.nameSize))]))
            return NextVariableNameResult(status: .success, guid: v.guid, nameSize: v.nameSize, name: next)
        }, failed: { NextVariableNameResult(status: $0) })
    }

    /// EXIT_BOOT_SERVICE (function 6): from now on the partition shows only runtime variables.
    public mutating func exitBootServices() -> EFIStatus {
        call(.exitBootService, checkedPayload: 0, payload: { _ in 0 }, decodes: { _ in true },
             answer: { status, _ in status }, failed: { $0 })
    }

    /// READY_TO_BOOT (function 5).
    public mutating func readyToBoot() -> EFIStatus {
        call(.readyToBoot, checkedPayload: 0, payload: { _ in 0 }, decodes: { _ in true },
             answer: { status, _ in status }, failed: { $0 })
    }
}
