/// Whether a value has the shape the spec gives a defined variable (the checks of EDK2's
/// VarCheckUefiLib); sizes against the rule's bounds are checked by the caller.
extension DefinedVariable.Content {
    func accepts(_ data: [UInt8]) -> Bool {
        switch self {
        case .any:
            return true
        case .asciiString:
            return data.contains(0)
        case .array(let element):
            return data.count % Int(element) == 0
        case .devicePath:
            return DevicePath.isValid(data, from: 0, count: data.count)
        case .loadOption:
            return DevicePath.isValidLoadOption(data)
        case .keyOption:
            return data.count >= DefinedVariable.keyOptionSize
                && (data.count - DefinedVariable.keyOptionSize) % DefinedVariable.inputKeySize == 0
        }
    }
}

/// EFI_DEVICE_PATH_PROTOCOL walking (UEFI 2.10 §10.3.1): nodes of Type, SubType and a 16-bit
/// little-endian Length that counts the 4-byte header; the path ends with an End Entire node.
enum DevicePath {
    static let endType: UInt8 = 0x7F
    static let endEntireSubType: UInt8 = 0xFF
    static let nodeHeaderSize = 4

    /// Whether `count` bytes at `from` hold whole nodes up to an End Entire node of length 4.
    /// End Instance nodes (multi-instance paths such as ConOut) are walked through.
    static func isValid(_ bytes: [UInt8], from start: Int, count: Int) -> Bool {
        let end = start + count
        var at = start
        while end - at >= nodeHeaderSize {
            let length = Int(bytes[at + 2]) | Int(bytes[at + 3]) << 8
            guard length >= nodeHeaderSize, length <= end - at else { return false }
            if bytes[at] == endType && bytes[at + 1] == endEntireSubType { return length == nodeHeaderSize }
            at += length
        }
        return false
    }

    /// EFI_LOAD_OPTION (UEFI 2.10 §3.1.3): Attributes (UINT32), FilePathListLength (UINT16),
    /// Description (NUL-terminated UCS-2), FilePathList (FilePathListLength bytes of device
    /// paths), then optional data.
    static func isValidLoadOption(_ data: [UInt8]) -> Bool {
        let header = DefinedVariable.loadOptionHeader
        guard data.count >= header else { return false }
        let pathLength = Int(data[4]) | Int(data[5]) << 8
        var at = header
        while true {
            guard at + 1 < data.count else { return false }
            let atNul = data[at] == 0 && data[at + 1] == 0
            at += 2
            if atNul { break }
        }
        guard pathLength >= nodeHeaderSize, pathLength <= data.count - at else { return false }
        return isValid(data, from: at, count: pathLength)
    }
}
