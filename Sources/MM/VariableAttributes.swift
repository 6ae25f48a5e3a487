/// Variable attribute bits (UEFI 2.10 §8.2; EDK2 `MdePkg/Include/Uefi/UefiMultiPhase.h`).
public struct VariableAttributes: OptionSet, Equatable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// EFI_VARIABLE_NON_VOLATILE
    public static let nonVolatile = VariableAttributes(rawValue: 0x01)
    /// EFI_VARIABLE_BOOTSERVICE_ACCESS
    public static let bootServiceAccess = VariableAttributes(rawValue: 0x02)
    /// EFI_VARIABLE_RUNTIME_ACCESS
    public static let runtimeAccess = VariableAttributes(rawValue: 0x04)
    /// EFI_VARIABLE_HARDWARE_ERROR_RECORD
    public static let hardwareErrorRecord = VariableAttributes(rawValue: 0x08)
    /// EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS (deprecated)
    public static let authenticatedWriteAccess = VariableAttributes(rawValue: 0x10)
    /// EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS
    public static let timeBasedAuthenticatedWriteAccess = VariableAttributes(rawValue: 0x20)
    /// EFI_VARIABLE_APPEND_WRITE
    public static let appendWrite = VariableAttributes(rawValue: 0x40)
    /// EFI_VARIABLE_ENHANCED_AUTHENTICATED_ACCESS (UEFI 2.8)
    public static let enhancedAuthenticatedAccess = VariableAttributes(rawValue: 0x80)

    /// NV | BS | RT, the only kind a runtime caller may create.
    public static let nonVolatileBootRuntime: VariableAttributes = [.nonVolatile, .bootServiceAccess, .runtimeAccess]
}
