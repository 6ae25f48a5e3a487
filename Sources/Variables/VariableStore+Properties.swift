import MM

/// A VarCheck property kept as a record of the store's variable tables: the key (guid, normalised
/// name) and the property's bytes as the value. One array type and one lookup (`position`) serve
/// the volatiles, the RAM medium and the properties, not a table type of their own.
extension StoredVariable {
    init(guid: EFIGuid, name: [UInt8], property: VarCheckVariableProperty) {
        self.init(guid: guid, name: name, attributes: 0, data: withUnsafeBytes(of: property) { [UInt8]($0) })
    }

    /// The property of a record made by `init(guid:name:property:)`.
    var property: VarCheckVariableProperty {
        data.withUnsafeBytes { $0.loadUnaligned(as: VarCheckVariableProperty.self) }
    }
}

extension VariableStore {
    /// VAR_CHECK_VARIABLE_PROPERTY_SET (EDK2 `SmmVariableHandler` + `VarCheckLibVariablePropertySet`):
    /// after READY_TO_BOOT or EXIT_BOOT_SERVICE → EFI_ACCESS_DENIED; empty or unterminated name, or
    /// Revision ≠ VAR_CHECK_VARIABLE_PROPERTY_REVISION → EFI_INVALID_PARAMETER; no room in the
    /// property budget → EFI_OUT_OF_RESOURCES. A second set replaces the first.
    public mutating func setProperty(name rawName: [UInt8], guid: EFIGuid,
                                     property: VarCheckVariableProperty) -> EFIStatus {
        guard !readyToBootSignalled && !atRuntime else { return .accessDenied }
        guard let name = UCS2.normalized(rawName), name.count > 2 else { return .invalidParameter }
        guard property.revision == VarCheckVariableProperty.currentRevision else { return .invalidParameter }
        let index = properties.position(guid: guid, name: name)
        if index == nil {
            let cost = name.count + VariableStoreLimits.entryOverhead
            guard cost <= limits.propertyCapacity - propertyUsed else { return .outOfResources }
            propertyUsed += cost
        }
        properties.put(StoredVariable(guid: guid, name: name, property: property), at: index)
        return .success
    }

    /// VAR_CHECK_VARIABLE_PROPERTY_GET: the property, EFI_NOT_FOUND when none was set, and
    /// EFI_INVALID_PARAMETER for an empty or unterminated name.
    public func property(name rawName: [UInt8], guid: EFIGuid) -> (status: EFIStatus, property: VarCheckVariableProperty) {
        guard let name = UCS2.normalized(rawName), name.count > 2 else { return (.invalidParameter, .zero) }
        guard let i = properties.position(guid: guid, name: name) else { return (.notFound, .zero) }
        return (.success, properties[i].property)
    }

    /// The VarCheck rules on a SetVariable (EDK2 `VarCheckLibSetVariableCheck`): read-only →
    /// EFI_WRITE_PROTECTED; unless deleting, attributes other than the property's (when it names
    /// some) or a non-zero size outside [MinSize, MaxSize] → EFI_INVALID_PARAMETER.
    /// EDK2 applies them only after EndOfDxe; we apply them from the moment a property is set,
    /// as Trusted Services does, because U-Boot builds its read-only variables on them and never
    /// signals READY_TO_BOOT.
    func checkProperty(guid: EFIGuid, name: [UInt8], attributes: UInt32, dataCount: Int,
                       deleting: Bool) -> EFIStatus {
        guard let i = properties.position(guid: guid, name: name) else { return .success }
        return Self.check(properties[i].property, attributes: attributes, dataCount: dataCount, deleting: deleting)
    }

    /// The rules of `checkProperty` against the property `p`.
    static func check(_ p: VarCheckVariableProperty, attributes: UInt32, dataCount: Int, deleting: Bool) -> EFIStatus {
        if p.isReadOnly { return .writeProtected }
        if deleting { return .success }
        if p.attributes != 0 && attributes & ~VariableAttributes.appendWrite.rawValue != p.attributes {
            return .invalidParameter
        }
        if dataCount != 0 && (UInt64(dataCount) < p.minSize || UInt64(dataCount) > p.maxSize) {
            return .invalidParameter
        }
        return .success
    }
}
