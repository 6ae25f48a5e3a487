import MM

extension VariableStore {
    /// QueryVariableInfo (EDK2 `VariableServiceQueryVariableInfo`): attributes 0 →
    /// EFI_INVALID_PARAMETER; AW → EFI_UNSUPPORTED; none of NV/BS/RT/HR/AT/APPEND →
    /// EFI_UNSUPPORTED; NV alone, RT without BS, no RT at runtime, HR without NV →
    /// EFI_INVALID_PARAMETER; AT or HR (not supported here) → EFI_UNSUPPORTED.
    /// The figures are true: NV ones from `P`, volatile ones from the RAM budget; the maximum
    /// variable size shrinks to what the remaining space can still hold.
    public func queryVariableInfo(attributes: UInt32) -> VariableInfoResult {
        let attrs = VariableAttributes(rawValue: attributes)
        guard attributes != 0 else { return VariableInfoResult(status: .invalidParameter) }
        if attrs.contains(.authenticatedWriteAccess) { return VariableInfoResult(status: .unsupported) }
        let relevant = attrs.intersection(VariableStore.knownAttributes)
        if relevant.isEmpty { return VariableInfoResult(status: .unsupported) }
        if relevant == .nonVolatile { return VariableInfoResult(status: .invalidParameter) }
        if attrs.intersection([.bootServiceAccess, .runtimeAccess]) == .runtimeAccess {
            return VariableInfoResult(status: .invalidParameter)
        }
        if atRuntime && !attrs.contains(.runtimeAccess) { return VariableInfoResult(status: .invalidParameter) }
        if attrs.contains(.hardwareErrorRecord) && !attrs.contains(.nonVolatile) {
            return VariableInfoResult(status: .invalidParameter)
        }
        if attrs.contains(.timeBasedAuthenticatedWriteAccess) || attrs.contains(.hardwareErrorRecord) {
            return VariableInfoResult(status: .unsupported)
        }

        let capacity: Int, remaining: Int, overhead: Int, maxSize: Int
        if attrs.contains(.nonVolatile) {
            capacity = persistence.capacity
            remaining = persistence.remaining
            overhead = persistence.footprint(of: StoredVariable(guid: .zero, name: [], attributes: 0, data: []))
            maxSize = persistence.maximumVariableSize
        } else {
            capacity = limits.volatileCapacity
            remaining = limits.volatileCapacity - volatileUsed
            overhead = VariableStoreLimits.entryOverhead
            maxSize = limits.maximumVolatileVariableSize
        }
        let room = remaining > overhead ? remaining - overhead : 0
        return VariableInfoResult(status: .success,
                                  maximumVariableStorageSize: UInt64(clamping: capacity),
                                  remainingVariableStorageSize: UInt64(clamping: remaining),
                                  maximumVariableSize: UInt64(clamping: room < maxSize ? room : maxSize))
    }
}
