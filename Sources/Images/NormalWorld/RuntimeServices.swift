import ABI
import Driver
import MM
import Platform
import Variables

/// The UEFI runtime variable services (UEFI 2.10 §8.2), C-callable with EFIAPI (AAPCS64) and
/// linked into the runtime region (Linker/normal.ld): after ExitBootServices they are the only
/// firmware code that still executes. Every pointer from the caller is checked.
enum RuntimeServices {
    static let maxNameChars = 1024

    /// The NUL-terminated UCS-2 name at `p` as bytes with the NUL; nil without a NUL in bounds.
    static func name(_ p: UnsafePointer<UInt16>) -> [UInt8]? {
        var out: [UInt8] = []
        for i in 0..<maxNameChars {
            let c = unsafe p[i]
            out.append(UInt8(truncatingIfNeeded: c)); out.append(UInt8(truncatingIfNeeded: c >> 8))
            if c == 0 { return out }
        }
        return nil
    }

    static func guid(_ p: UnsafeRawPointer) -> EFIGuid {
        var lo: UInt64 = 0, hi: UInt64 = 0
        for i in 0..<8 { lo |= UInt64(unsafe p.load(fromByteOffset: i, as: UInt8.self)) << (8 * UInt64(i)) }
        for i in 0..<8 { hi |= UInt64(unsafe p.load(fromByteOffset: 8 + i, as: UInt8.self)) << (8 * UInt64(i)) }
        return EFIGuid(lo: lo, hi: hi)
    }

    static func clamp(_ v: UInt64) -> Int { v > 0x10_0000 ? 0x10_0000 : Int(v) }

    static func getVariable(_ namePtr: UnsafePointer<UInt16>?, _ guidPtr: UnsafeRawPointer?,
                            _ attributes: UnsafeMutablePointer<UInt32>?, _ dataSize: UnsafeMutablePointer<UInt64>?,
                            _ data: UnsafeMutableRawPointer?) -> UInt64 {
        guard let namePtr, let guidPtr, let dataSize, let name = name(namePtr) else { return EFIStatus.invalidParameter.rawValue }
        let size = unsafe dataSize.pointee
        guard size == 0 || data != nil else { return EFIStatus.invalidParameter.rawValue }
        guard var c = EFIVariables.client else { return EFIStatus.notReady.rawValue }
        let r = c.getVariable(name: name, guid: guid(guidPtr), dataSize: clamp(size))
        EFIVariables.client = c
        if r.status == .success || r.status == .bufferTooSmall {
            unsafe dataSize.pointee = r.dataSize
            if let attributes { unsafe attributes.pointee = r.attributes }
        }
        if r.status == .success, let data, UInt64(r.data.count) <= size {
            for i in r.data.indices { unsafe data.storeBytes(of: r.data[i], toByteOffset: i, as: UInt8.self) }
        }
        return r.status.rawValue
    }

    static func getNextVariableName(_ nameSize: UnsafeMutablePointer<UInt64>?, _ namePtr: UnsafeMutablePointer<UInt16>?,
                                    _ guidPtr: UnsafeMutableRawPointer?) -> UInt64 {
        guard let nameSize, let namePtr, let guidPtr, let name = name(namePtr) else { return EFIStatus.invalidParameter.rawValue }
        guard var c = EFIVariables.client else { return EFIStatus.notReady.rawValue }
        let r = c.getNextVariableName(nameSize: clamp(unsafe nameSize.pointee), name: name, guid: guid(guidPtr))
        EFIVariables.client = c
        if r.status == .success || r.status == .bufferTooSmall { unsafe nameSize.pointee = r.nameSize }
        if r.status == .success {
            for i in 0..<(r.name.count / 2) {
                unsafe namePtr[i] = UInt16(r.name[2 * i]) | UInt16(r.name[2 * i + 1]) << 8
            }
            for i in 0..<16 { unsafe guidPtr.storeBytes(of: r.guid.byte(i), toByteOffset: i, as: UInt8.self) }
        }
        return r.status.rawValue
    }

    static func setVariable(_ namePtr: UnsafePointer<UInt16>?, _ guidPtr: UnsafeRawPointer?, _ attributes: UInt32,
                            _ dataSize: UInt64, _ data: UnsafeRawPointer?) -> UInt64 {
        guard let namePtr, let guidPtr, let name = name(namePtr) else { return EFIStatus.invalidParameter.rawValue }
        guard dataSize == 0 || data != nil, dataSize <= 0x10_0000 else { return EFIStatus.invalidParameter.rawValue }
        var bytes = [UInt8](repeating: 0, count: Int(dataSize))
        if let data { for i in bytes.indices { bytes[i] = unsafe data.load(fromByteOffset: i, as: UInt8.self) } }
        guard var c = EFIVariables.client else { return EFIStatus.notReady.rawValue }
        let status = c.setVariable(name: name, guid: guid(guidPtr), attributes: attributes, data: bytes)
        EFIVariables.client = c
        return status.rawValue
    }

    static func queryVariableInfo(_ attributes: UInt32, _ maxStorage: UnsafeMutablePointer<UInt64>?,
                                  _ remaining: UnsafeMutablePointer<UInt64>?, _ maxSize: UnsafeMutablePointer<UInt64>?) -> UInt64 {
        guard let maxStorage, let remaining, let maxSize else { return EFIStatus.invalidParameter.rawValue }
        guard var c = EFIVariables.client else { return EFIStatus.notReady.rawValue }
        let r = c.queryVariableInfo(attributes: attributes)
        EFIVariables.client = c
        if r.status == .success {
            unsafe maxStorage.pointee = r.maximumVariableStorageSize
            unsafe remaining.pointee = r.remainingVariableStorageSize
            unsafe maxSize.pointee = r.maximumVariableSize
        }
        return r.status.rawValue
    }
}

@_cdecl("efi_runtime_get_variable")
public func efi_runtime_get_variable(_ name: UnsafePointer<UInt16>?, _ guid: UnsafeRawPointer?, _ attributes: UnsafeMutablePointer<UInt32>?,
                                     _ dataSize: UnsafeMutablePointer<UInt64>?, _ data: UnsafeMutableRawPointer?) -> UInt64 {
    RuntimeServices.getVariable(name, guid, attributes, dataSize, data)
}

@_cdecl("efi_runtime_get_next_variable_name")
public func efi_runtime_get_next_variable_name(_ nameSize: UnsafeMutablePointer<UInt64>?, _ name: UnsafeMutablePointer<UInt16>?,
                                               _ guid: UnsafeMutableRawPointer?) -> UInt64 {
    RuntimeServices.getNextVariableName(nameSize, name, guid)
}

@_cdecl("efi_runtime_set_variable")
public func efi_runtime_set_variable(_ name: UnsafePointer<UInt16>?, _ guid: UnsafeRawPointer?, _ attributes: UInt32,
                                     _ dataSize: UInt64, _ data: UnsafeRawPointer?) -> UInt64 {
    RuntimeServices.setVariable(name, guid, attributes, dataSize, data)
}

@_cdecl("efi_runtime_query_variable_info")
public func efi_runtime_query_variable_info(_ attributes: UInt32, _ maxStorage: UnsafeMutablePointer<UInt64>?,
                                            _ remaining: UnsafeMutablePointer<UInt64>?, _ maxSize: UnsafeMutablePointer<UInt64>?) -> UInt64 {
    RuntimeServices.queryVariableInfo(attributes, maxStorage, remaining, maxSize)
}

/// Every runtime service this firmware does not offer (the RT properties table says so too).
@_cdecl("efi_runtime_unsupported")
public func efi_runtime_unsupported() -> UInt64 { EFIStatus.unsupported.rawValue }

extension RuntimeServices {
    /// The PSCI conduit, copied from the device tree at ExitBootServices (a plain Bool: the
    /// runtime path reads no boot-time state that needs initialising).
    nonisolated(unsafe) static var psciHVC = false

    /// ResetSystem (UEFI 2.10 §8.5.1) through PSCI: EfiResetShutdown is SYSTEM_OFF, the
    /// others SYSTEM_RESET. PSCI does not return; should it, the caller is held here.
    static func resetSystem(_ type: UInt32) -> Never {
        let r = Registers(type == 2 ? 0x8400_0008 : 0x8400_0009)
        _ = psciHVC ? hvcCall(r) : smcCall(r)
        while true {}
    }
}

@_cdecl("efi_runtime_reset_system")
public func efi_runtime_reset_system(_ type: UInt32, _ status: UInt64, _ dataSize: UInt64, _ data: UnsafeRawPointer?) {
    RuntimeServices.resetSystem(type)
}
