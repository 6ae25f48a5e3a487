import MM
import Variables

extension VariableClient {
    /// GetNextVariableName. `nameSize` is the caller's name buffer in bytes; `name` the previous
    /// name (L"" to start), which must be NUL-terminated within `nameSize` (UEFI 2.8+).
    /// On EFI_BUFFER_TOO_SMALL `nameSize` in the result is the size needed. The one array made
    /// is the name returned (the shell's form of `getNextVariableName(name:guid:)`).
    public mutating func getNextVariableName(nameSize: Int, name: [UInt8], guid: EFIGuid) -> NextVariableNameResult {
        let visible = nameSize < 0 ? 0 : nameSize < name.count ? nameSize : name.count
        guard let size = name.withUnsafeBytes({ UCS2.terminatedSize(UnsafeRawBufferPointer(rebasing: $0[0..<visible])) }) else {
            return NextVariableNameResult(status: .invalidParameter)
        }
        // The caller's buffer as UEFI hands it over: `nameSize` bytes (no more than one message
        // carries), the previous name first.
        var buffer = [UInt8](repeating: 0, count: max(size, min(nameSize, maximumPayload)))
        for i in 0..<size { buffer[i] = name[i] }
        var next = guid
        let r = buffer.withUnsafeMutableBytes { getNextVariableName(name: $0, guid: &next) }
        guard r.status == .success else { return NextVariableNameResult(status: r.status, nameSize: r.nameSize) }
        return NextVariableNameResult(status: .success, guid: next, nameSize: r.nameSize, name: buffer.withUnsafeBytes { [UInt8](UnsafeRawBufferPointer(rebasing: $0[0..<Int(r.nameSize)])) })
    }

    /// GetNextVariableName in the caller's buffer, as UEFI's: `name` (its size is
    /// VariableNameSize) holds the previous name, L"" to start, NUL-terminated within it, and
    /// receives the next; so does `guid`. Returns the status and, on EFI_SUCCESS or
    /// EFI_BUFFER_TOO_SMALL, the name's size (the size needed). Built and read in place in the
    /// transport's buffer: no array is made.
    public mutating func getNextVariableName(name: UnsafeMutableRawBufferPointer, guid: inout EFIGuid) -> (status: EFIStatus, nameSize: UInt64) {
        guard let size = UCS2.terminatedSize(UnsafeRawBufferPointer(name)) else { return (.invalidParameter, 0) }
        guard isInitialized else { return (.notReady, 0) }
        let fixed = GetNextVariableNameLayout.name
        guard fixed + size <= maximumPayload else { return (.invalidParameter, 0) }
        let room = maximumPayload - fixed
        // size ≤ name.count and size ≤ room, so the previous name fits the buffer sent.
        let buffer = name.count < room ? name.count : room
        let previous = guid
        return call(.getNextVariableName, checkedPayload: fixed + buffer, payload: { b in
            let at = MMMessageView.payloadOffset
            b.mmPutGuid(previous, at: at + GetNextVariableNameLayout.guid)
            b.mmPut64(UInt64(buffer), at: at + GetNextVariableNameLayout.nameSize)
            b.mmPut(UnsafeRawBufferPointer(rebasing: name[0..<size]), at: at + fixed)
            // The tail of the buffer zero-filled, as U-Boot sends it.
            UnsafeMutableRawBufferPointer(rebasing: b[(at + fixed + size)..<(at + fixed + buffer)])
                .initializeMemory(as: UInt8.self, repeating: 0)
            return fixed + buffer
        }, decodes: { _ in true }, answer: { status, m in
            guard m.payloadLength > 0 else { return (status == .success || status == .bufferTooSmall ? .deviceError : status, 0) }
            guard let v = try? GetNextVariableNameAnswerView(m) else { return (.deviceError, 0) }
            guard status == .success || status == .bufferTooSmall else { return (status, 0) }
            if status == .bufferTooSmall {
                guard v.nameSize > UInt64(buffer) else { return (.deviceError, 0) }
                return (.bufferTooSmall, v.nameSize)
            }
            guard v.hasName, v.nameSize <= UInt64(buffer) else { return (.deviceError, 0) }
            name.mmPut(UnsafeRawBufferPointer(rebasing: m.raw[v.nameOffset..<(v.nameOffset + Int(v.nameSize))]), at: 0)
            guid = v.guid
            return (.success, v.nameSize)
        }, failed: { ($0, 0) })
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
