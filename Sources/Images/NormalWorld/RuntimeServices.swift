import ABI
import Driver
import MM
import Platform
import Variables

/// The UEFI runtime services (UEFI 2.10 §8), C-callable with EFIAPI (AAPCS64) and linked into
/// the runtime region (Linker/normal.ld): after ExitBootServices they are the only firmware code
/// that still executes. The variable calls are Driver's RuntimeVariableCalls over our client.
enum RuntimeServices {
    /// Runs `body` on the client in place (a copy out and back would copy the transport).
    static func call(_ body: (inout VariableClient<Transport>) -> EFIStatus) -> UInt64 {
        guard let box = unsafe EFIVariables.clientBox else { return EFIStatus.notReady.rawValue }
        return unsafe body(&box.pointee).rawValue
    }

    static func getVariable(_ n: UnsafePointer<UInt16>?, _ g: UnsafeRawPointer?, _ a: UnsafeMutablePointer<UInt32>?,
                            _ size: UnsafeMutablePointer<UInt64>?, _ data: UnsafeMutableRawPointer?) -> UInt64 {
        call { c in RuntimeVariableCalls.getVariable(&c, n, g, a, size, data) }
    }

    static func getNextVariableName(_ size: UnsafeMutablePointer<UInt64>?, _ n: UnsafeMutablePointer<UInt16>?,
                                    _ g: UnsafeMutableRawPointer?) -> UInt64 {
        call { c in RuntimeVariableCalls.getNextVariableName(&c, size, n, g) }
    }

    static func setVariable(_ n: UnsafePointer<UInt16>?, _ g: UnsafeRawPointer?, _ a: UInt32, _ size: UInt64,
                            _ data: UnsafeRawPointer?) -> UInt64 {
        call { c in RuntimeVariableCalls.setVariable(&c, n, g, a, size, data) }
    }

    static func queryVariableInfo(_ a: UInt32, _ maxStorage: UnsafeMutablePointer<UInt64>?,
                                  _ remaining: UnsafeMutablePointer<UInt64>?, _ maxSize: UnsafeMutablePointer<UInt64>?) -> UInt64 {
        call { c in RuntimeVariableCalls.queryVariableInfo(&c, a, maxStorage, remaining, maxSize) }
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
