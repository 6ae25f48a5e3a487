import MM

/// Non-volatile variables kept in RAM: for tests, and for the normal world's fallback store when
/// no MM partition answers. Each variable costs name + data + `entryOverhead` of `capacity`.
public struct InMemoryPersistence: VariablePersistence {
    public private(set) var variables: [StoredVariable] = []
    public let capacity: Int
    public let maximumVariableSize: Int
    public let entryOverhead: Int
    private var used = 0

    public init(capacity: Int = 0x10000, maximumVariableSize: Int = 0x2000, entryOverhead: Int = 32) {
        self.capacity = capacity
        self.maximumVariableSize = maximumVariableSize
        self.entryOverhead = entryOverhead
    }

    public var remaining: Int { capacity > used ? capacity - used : 0 }

    public func footprint(of variable: StoredVariable) -> Int {
        entryOverhead + variable.name.count + variable.data.count
    }

    public mutating func put(_ variable: StoredVariable) throws(PersistenceError) {
        let index = variables.position(guid: variable.guid, name: variable.name)
        let freed = index.map { footprint(of: variables[$0]) } ?? 0
        let needed = footprint(of: variable)
        guard needed <= capacity - (used - freed) else { throw .full }
        used = used - freed + needed
        variables.put(variable, at: index)
    }

    public mutating func remove(guid: EFIGuid, name: [UInt8]) throws(PersistenceError) {
        guard let i = variables.position(guid: guid, name: name) else { return }
        used -= footprint(of: variables[i])
        variables.remove(at: i)
    }
}
