import ABI
import MM

/// Why variables fall back to the volatile store.
public enum VolatileReason: Equatable, Sendable {
    /// No FF-A: no conduit, or the probe said so.
    case noFFA(NoFFAReason)
    /// FF-A works but no partition answers the MM variable UUID.
    case noMMPartition
    /// A partition answers the UUID but does not take direct requests (properties bit 0).
    case partitionTakesNoDirectRequests
    /// FF-A failed otherwise during probe or discovery.
    case ffaError(FFADriverError)

    public var name: StaticString {
        let i: Int
        switch self {
        case .noFFA: i = 0
        case .noMMPartition: i = 1
        case .partitionTakesNoDirectRequests: i = 2
        case .ffaError: i = 3
        }
        return NameList.entry("no FF-A\0no MM partition\0MM partition takes no direct requests\0FF-A discovery failed", i)
    }
}

/// Which transport the variable services use.
public enum VariableTransportChoice: Equatable, Sendable {
    /// FF-A to this MM partition.
    case ffa(partitionID: UInt16)
    /// The in-process volatile store, and why.
    case volatile(VolatileReason)

    /// Decides from what FF-A discovery gave: the result of probing and asking for the MM
    /// variable UUID (`FFADriver.partitions(uuid: .mmVariable, buffers:)`). The first partition
    /// that answers the UUID and takes direct requests wins, as in U-Boot. An SPMC that knows no
    /// such UUID answers INVALID_PARAMETERS: that is "no MM partition", not a fault.
    public static func select(discovery: Result<[PartitionInfo], FFADriverError>) -> VariableTransportChoice {
        switch discovery {
        case .failure(.noFFA(let reason)):
            return .volatile(.noFFA(reason))
        case .failure(.ffa(.invalidParameters)):
            return .volatile(.noMMPartition)
        case .failure(let e):
            return .volatile(.ffaError(e))
        case .success(let partitions):
            var matched = false   // one loop over the list: no filtered list built
            for p in partitions where p.uuid == .mmVariable || p.uuid.isNil {
                if p.properties & PartitionInfo.Property.receivesDirectRequests != 0 { return .ffa(partitionID: p.id) }
                matched = true
            }
            return .volatile(matched ? .partitionTakesNoDirectRequests : .noMMPartition)
        }
    }
}
