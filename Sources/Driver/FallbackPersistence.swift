import MM
import Variables

/// The non-volatile half of the volatile fallback: `InMemoryPersistence`, marked as a medium
/// that takes no authenticated variables. The fallback has no verifier, so its store refuses
/// every time-based authenticated write (EFI_SECURITY_VIOLATION) either way; the mark lets the
/// compiler leave the rules of those writes out of the normal image.
public struct FallbackPersistence: VariablePersistence {
    public static var takesAuthenticatedWrites: Bool { false }

    public var ram: InMemoryPersistence

    public init(_ ram: InMemoryPersistence = InMemoryPersistence()) { self.ram = ram }

    public var variables: [StoredVariable] { ram.variables }
    public var capacity: Int { ram.capacity }
    public var remaining: Int { ram.remaining }
    public var maximumVariableSize: Int { ram.maximumVariableSize }
    public func footprint(of variable: StoredVariable) -> Int { ram.footprint(of: variable) }
    public mutating func put(_ variable: StoredVariable) throws(PersistenceError) { try ram.put(variable) }
    public mutating func remove(guid: EFIGuid, name: [UInt8]) throws(PersistenceError) { try ram.remove(guid: guid, name: name) }
}
