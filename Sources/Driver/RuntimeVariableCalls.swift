import MM
import Variables

/// The variable services at the EFI ABI (UEFI 2.10 §8.2): the OS's pointers in, an EFI_STATUS
/// out, over a `VariableClient`. What the runtime services table's entries run after
/// ExitBootServices; every pointer is checked, and no name is read past 1024 characters
/// (GetNextVariableName's past its buffer's VariableNameSize bytes, which it is written into).
/// Names and values are read and written where the caller keeps them: no call allocates.
public enum RuntimeVariableCalls {
    public static let maxNameChars = 1024
    /// The largest data buffer taken from or given to the caller (1 MiB).
    public static let maxDataSize: UInt64 = 0x10_0000

    /// The NUL-terminated UCS-2 name at `p`, with its NUL, where it lies; nil without a NUL in
    /// the first `maxNameChars` characters.
    static func name(_ p: UnsafePointer<UInt16>) -> UnsafeRawBufferPointer? {
        for i in 0..<maxNameChars where unsafe p[i] == 0 { return unsafe UnsafeRawBufferPointer(start: p, count: 2 * i + 2) }
        return nil
    }

    /// The GUID's 16 bytes at `p`, any alignment.
    static func guid(_ p: UnsafeRawPointer) -> EFIGuid {
        unsafe EFIGuid(lo: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                       hi: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    }

    static func clamp(_ v: UInt64) -> Int { v > maxDataSize ? Int(maxDataSize) : Int(v) }

    public static func getVariable<T: MMTransport>(_ c: inout VariableClient<T>, _ namePtr: UnsafePointer<UInt16>?,
                                                   _ guidPtr: UnsafeRawPointer?, _ attributes: UnsafeMutablePointer<UInt32>?,
                                                   _ dataSize: UnsafeMutablePointer<UInt64>?, _ data: UnsafeMutableRawPointer?) -> EFIStatus {
        guard let namePtr, let guidPtr, let dataSize, let name = name(namePtr) else { return .invalidParameter }
        let size = unsafe dataSize.pointee
        guard size == 0 || data != nil else { return .invalidParameter }
        // The value goes straight into the caller's buffer (DataSize bytes, bounded).
        let into = unsafe UnsafeMutableRawBufferPointer(start: data, count: data == nil ? 0 : clamp(size))
        let r = c.getVariable(rawName: name, guid: guid(guidPtr), into: into)
        if r.status == .success || r.status == .bufferTooSmall {
            unsafe dataSize.pointee = r.dataSize
            if let attributes { unsafe attributes.pointee = r.attributes }
        }
        return r.status
    }

    public static func getNextVariableName<T: MMTransport>(_ c: inout VariableClient<T>, _ nameSize: UnsafeMutablePointer<UInt64>?,
                                                           _ namePtr: UnsafeMutablePointer<UInt16>?, _ guidPtr: UnsafeMutableRawPointer?) -> EFIStatus {
        guard let nameSize, let namePtr, let guidPtr else { return .invalidParameter }
        // The caller's buffer itself: the previous name read from it, the next written to it.
        let name = unsafe UnsafeMutableRawBufferPointer(start: namePtr, count: clamp(unsafe nameSize.pointee))
        var next = guid(guidPtr)
        let r = c.getNextVariableName(name: name, guid: &next)
        if r.status == .success || r.status == .bufferTooSmall { unsafe nameSize.pointee = r.nameSize }
        if r.status == .success {
            unsafe guidPtr.storeBytes(of: next.lo.littleEndian, toByteOffset: 0, as: UInt64.self)
            unsafe guidPtr.storeBytes(of: next.hi.littleEndian, toByteOffset: 8, as: UInt64.self)
        }
        return r.status
    }

    public static func setVariable<T: MMTransport>(_ c: inout VariableClient<T>, _ namePtr: UnsafePointer<UInt16>?,
                                                   _ guidPtr: UnsafeRawPointer?, _ attributes: UInt32,
                                                   _ dataSize: UInt64, _ data: UnsafeRawPointer?) -> EFIStatus {
        guard let namePtr, let guidPtr, let name = name(namePtr) else { return .invalidParameter }
        guard dataSize == 0 || data != nil, dataSize <= maxDataSize else { return .invalidParameter }
        // The value read where the caller keeps it.
        let bytes = unsafe UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : Int(dataSize))
        return c.setVariable(rawName: name, guid: guid(guidPtr), attributes: attributes, data: bytes)
    }

    public static func queryVariableInfo<T: MMTransport>(_ c: inout VariableClient<T>, _ attributes: UInt32,
                                                         _ maxStorage: UnsafeMutablePointer<UInt64>?, _ remaining: UnsafeMutablePointer<UInt64>?,
                                                         _ maxSize: UnsafeMutablePointer<UInt64>?) -> EFIStatus {
        guard let maxStorage, let remaining, let maxSize else { return .invalidParameter }
        let r = c.queryVariableInfo(attributes: attributes)
        if r.status == .success {
            unsafe maxStorage.pointee = r.maximumVariableStorageSize
            unsafe remaining.pointee = r.remainingVariableStorageSize
            unsafe maxSize.pointee = r.maximumVariableSize
        }
        return r.status
    }
}
