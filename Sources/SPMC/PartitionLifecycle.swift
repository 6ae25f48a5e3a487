import ABI

/// FFA_MSG_WAIT, FFA_ERROR and FFA_ABORT from a partition: the end of its initialisation, or
/// of a request.
extension SPMC {
    /// FFA_MSG_WAIT ends a partition's initialisation: it becomes idle and the monitor goes
    /// on booting. While it handles a request it must answer with a response instead (DENIED,
    /// as TF-A). Its MBZ registers are the codec's to check.
    mutating func messageWait(index: Int) throws(FFAError) -> MonitorAction {
        guard case .initialising = table.runtime(at: index) else { throw .denied }
        table.setRuntime(.waiting, at: index)
        return .partitionInitialised
    }

    /// FFA_ERROR from a partition: during initialisation it failed (marked failed, the monitor
    /// goes on booting); during a request the request is cancelled and the sender gets the
    /// error code (an undefined code becomes ABORTED). Otherwise it is meaningless.
    mutating func partitionError<B: RegisterBlocks>(_ code: FFAError, index: Int,
                                                    blocks: B) throws(FFAError) -> MonitorAction {
        switch table.runtime(at: index) {
        case .initialising:
            table.setRuntime(.failed, at: index)
            return .partitionFailed
        case .handling:
            table.setRuntime(.waiting, at: index)
            unsafe Interface.encodeError(into: &blocks.registers(of: .normal).pointee, code)
            return .switchToNormal
        case .waiting, .failed, .aborted:
            throw .notSupported
        }
    }

    /// The partition at `index` stopped for good: FFA_ABORT (FF-A v1.3), which its exception
    /// vectors call on any fault. Whatever it was doing ends: during initialisation the monitor
    /// goes on booting (as for a failed one); during a request the sender gets
    /// FFA_ERROR(ABORTED). From then on every request to it is ABORTED, as Hafnium answers for
    /// an aborted vCPU.
    mutating func partitionAborted<B: RegisterBlocks>(index: Int, blocks: B) -> MonitorAction {
        let was = table.runtime(at: index)
        table.setRuntime(.aborted, at: index)
        switch was {
        case .initialising:
            return .partitionFailed
        case .handling, .waiting, .failed, .aborted:
            // Only a running partition can call (SPMC.handle refuses the others): a request.
            unsafe Interface.encodeError(into: &blocks.registers(of: .normal).pointee, .aborted)
            return .partitionAborted
        }
    }
}
