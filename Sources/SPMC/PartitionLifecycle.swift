import ABI

/// FFA_MSG_WAIT and FFA_ERROR from a partition: the end of its initialisation, or of a request.
extension SPMC {
    /// FFA_MSG_WAIT flags (w2, v1.2): bit 0 = keep RX buffer ownership. Other bits MBZ.
    static let msgWaitRetainRxFlag: UInt32 = 1

    /// FFA_MSG_WAIT ends a partition's initialisation: it becomes idle and the monitor goes
    /// on booting. While it handles a request it must answer with a response instead (DENIED,
    /// as TF-A). w1 and w3..w7 MBZ (Hafnium).
    mutating func messageWait(_ r: Registers, index: Int) throws(FFAError) -> Outcome {
        guard r.w(1) == 0, r.w(2) & ~SPMC.msgWaitRetainRxFlag == 0 else { throw .invalidParameters }
        for i in 3...7 where r.w(i) != 0 { throw .invalidParameters }
        guard case .initialising = partitions[index].runtime else { throw .denied }
        partitions[index].runtime = .waiting
        return Outcome(.partitionInitialised(id: partitions[index].info.id, succeeded: true))
    }

    /// FFA_ERROR from a partition: during initialisation it failed (marked failed, the monitor
    /// goes on booting); during a request the request is cancelled and the sender gets the
    /// error code (w2; an undefined code becomes ABORTED). Otherwise it is meaningless.
    mutating func partitionError(_ r: Registers, index: Int) throws(FFAError) -> Outcome {
        switch partitions[index].runtime {
        case .initialising:
            partitions[index].runtime = .failed
            return Outcome(.partitionInitialised(id: partitions[index].info.id, succeeded: false))
        case .handling(let pending):
            partitions[index].runtime = .waiting
            let code = FFAError(code: r.w(2)) ?? .aborted
            return .resume(pending.origin == Endpoint.normalWorld ? .normal : .partition(pending.origin),
                           partitions[index].request.delivering(.ffaError(code)))
        case .waiting, .failed, .aborted:
            throw .notSupported
        }
    }

    /// The partition at `index` stopped for good: FFA_ABORT (FF-A v1.3), which its exception
    /// vectors call on any fault. Whatever it was doing ends: during initialisation the monitor goes on
    /// booting (as for a failed one); during a request the sender gets FFA_ERROR(ABORTED).
    /// From then on every request to it is ABORTED, as Hafnium answers for an aborted vCPU.
    mutating func partitionAborted(index: Int) -> Outcome {
        let was = partitions[index].runtime
        partitions[index].runtime = .aborted
        switch was {
        case .initialising:
            return Outcome(.partitionInitialised(id: partitions[index].info.id, succeeded: false))
        case .handling(let pending):
            return .resume(pending.origin == Endpoint.normalWorld ? .normal : .partition(pending.origin),
                           partitions[index].request.delivering(.ffaError(.aborted)))
        case .waiting, .failed, .aborted:
            // Unreachable: only a running partition can call (SPMC.handle refuses the others).
            return .resume(.normal, .ffaError(.aborted))
        }
    }
}
