/// How much RAM the store may spend on what callers send: volatile variables and VarCheck
/// properties are bounded in bytes, so no sequence of requests can exhaust the partition's heap.
public struct VariableStoreLimits: Equatable, Sendable {
    /// Bytes for all volatile variables, each counted as name + data + `entryOverhead`
    /// (QueryVariableInfo MaximumVariableStorageSize for volatile attributes).
    public var volatileCapacity: Int
    /// Largest name + data of one volatile variable (QueryVariableInfo MaximumVariableSize).
    public var maximumVolatileVariableSize: Int
    /// Bytes for all VarCheck property entries, each counted as name + `entryOverhead`.
    public var propertyCapacity: Int

    /// Bookkeeping counted per entry (about a VARIABLE_HEADER).
    public static let entryOverhead = 32

    public init(volatileCapacity: Int = 0x8000, maximumVolatileVariableSize: Int = 0x2000,
                propertyCapacity: Int = 0x1000) {
        self.volatileCapacity = volatileCapacity
        self.maximumVolatileVariableSize = maximumVolatileVariableSize
        self.propertyCapacity = propertyCapacity
    }
}
