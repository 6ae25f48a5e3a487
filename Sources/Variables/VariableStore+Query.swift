import MM

extension VariableStore {
    /// QueryVariableInfo, checked in this order (UEFI 2.10 §8.2.4; EDK2
    /// `VariableServiceQueryVariableInfo`, with U-Boot's stricter bit checks):
    /// attributes 0 → EFI_INVALID_PARAMETER; AW (deprecated) → EFI_UNSUPPORTED; a bit the spec
    /// does not define → EFI_INVALID_PARAMETER; none of NV/BS/RT/HR/AT/ENHANCED (APPEND_WRITE
    /// alone) → EFI_UNSUPPORTED; RT without BS, no RT at runtime, HR without NV, or NV without BS
    /// (NV alone included) → EFI_INVALID_PARAMETER; ENHANCED or HR (not supported here) →
    /// EFI_UNSUPPORTED.
    /// The figures are true: NV ones from `P`, volatile ones from the RAM budget; the maximum
    /// variable size shrinks to what the remaining space can still hold.
    public func queryVariableInfo(attributes: UInt32) -> VariableInfoResult {
        let attrs = VariableAttributes(rawValue: attributes)
        let defined: VariableAttributes = [.nonVolatile, .bootServiceAccess, .runtimeAccess, .hardwareErrorRecord,
                                           .authenticatedWriteAccess, .timeBasedAuthenticatedWriteAccess,
                                           .appendWrite, .enhancedAuthenticatedAccess]
        let selecting: VariableAttributes = [.nonVolatile, .bootServiceAccess, .runtimeAccess, .hardwareErrorRecord,
                                             .timeBasedAuthenticatedWriteAccess, .enhancedAuthenticatedAccess]
        guard attributes != 0 else { return VariableInfoResult(status: .invalidParameter) }
        if attrs.contains(.authenticatedWriteAccess) { return VariableInfoResult(status: .unsupported) }
        if !attrs.subtracting(defined).isEmpty { return VariableInfoResult(status: .invalidParameter) }
        if attrs.isDisjoint(with: selecting) { return VariableInfoResult(status: .unsupported) }
        let invalid = attrs.intersection([.bootServiceAccess, .runtimeAccess]) == .runtimeAccess
            || (atRuntime && !attrs.contains(.runtimeAccess))
            || (attrs.contains(.hardwareErrorRecord) && !attrs.contains(.nonVolatile))
            || (attrs.contains(.nonVolatile) && !attrs.contains(.bootServiceAccess))
        if invalid { return VariableInfoResult(status: .invalidParameter) }
        if !attrs.isDisjoint(with: [.enhancedAuthenticatedAccess, .hardwareErrorRecord]) {
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
