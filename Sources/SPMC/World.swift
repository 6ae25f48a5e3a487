import ABI

/// Who made a call, or who runs next: the normal world (NS-EL2/EL1) or a secure partition.
public enum World: Equatable, Sendable {
    case normal
    /// A secure partition, by FF-A endpoint ID (e.g. 0x8001 for the MM partition).
    case partition(UInt16)
}

/// What the monitor does after a handler has written its answer into the saved registers: one
/// byte, so that nothing larger travels back up the dispatch path.
public enum MonitorAction: UInt8, Equatable, Sendable {
    /// `eret` into the caller; its saved x0...x17 hold the answer.
    case returnToCaller
    /// Switch to the normal world; its saved registers hold the message delivered to it.
    case switchToNormal
    /// Switch to the partition the SPMC names in `SPMC.running`; its saved registers hold the
    /// message delivered to it.
    case switchToPartition
    /// The calling partition aborted (FFA_ABORT) while it handled a request: switch to the normal
    /// world, whose saved registers hold FFA_ERROR(ABORTED).
    case partitionAborted
    /// The calling partition ended its initialisation (FFA_MSG_WAIT): the monitor goes on booting.
    case partitionInitialised
    /// The calling partition failed or aborted during initialisation: the monitor boots without it.
    case partitionFailed
    /// PSCI SYSTEM_OFF / SYSTEM_RESET from the normal world.
    case systemOff
    case systemReset
}

/// The saved x0...x17 of every world, where the world switch restores them from. Handlers write
/// their answers and the messages they deliver straight into these blocks.
public protocol RegisterBlocks {
    /// The block of `world`; it stays valid for the whole call.
    func registers(of world: World) -> UnsafeMutablePointer<Registers>
}
