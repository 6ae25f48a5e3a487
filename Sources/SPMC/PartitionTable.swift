import ABI

/// The partitions' runtime state, one 64-bit word each in a fixed table (no array buffer, so no
/// uniqueness check or copy on a write): the direct-message path finds a partition, checks it
/// and updates it with one compare per table slot, one masked compare and one store (issue 12).
///
/// A word, from bit 0:
/// - 15:0   while it handles a request, the request's sender (0 otherwise);
/// - 31:16  the partition's endpoint ID (fixed at boot);
/// - 39:32  its state: `State` below;
/// - 40, 41 whether it receives FFA_MSG_SEND_DIRECT_REQ / REQ2 (its properties, fixed at boot).
/// So bits 31:0 of a handling partition's word are what w1 of its response must be (sender = its
/// ID, receiver = the request's sender), and an unused slot (ID 0, never a partition's) matches
/// no secure endpoint ID.
///
/// The first `inlineCapacity` partitions have their words inline (the direct-message path serves
/// only those); any further ones, in an array (`SPMC.handle` serves them).
public struct PartitionTable: Sendable {
    public static let inlineCapacity = 8

    public let count: Int
    @usableFromInline var words: InlineArray<8, UInt64>
    var overflow: [UInt64]

    /// Bits 39:32 of a word.
    @usableFromInline enum State {
        static let initialising: UInt64 = 0
        static let waiting: UInt64 = 1
        static let failed: UInt64 = 2
        static let aborted: UInt64 = 3
        /// 4 + the request's width: 4 smc32, 5 smc64, 6 req2.
        static let handling: UInt64 = 4
    }

    @usableFromInline static let originMask: UInt64 = 0xFFFF
    @usableFromInline static let idShift: UInt64 = 16
    @usableFromInline static let stateShift: UInt64 = 32
    @usableFromInline static let stateMask: UInt64 = 0xFF << 32
    @usableFromInline static let receivesRequests: UInt64 = 1 << 40
    @usableFromInline static let receivesRequest2: UInt64 = 1 << 41

    public init(_ partitions: [PartitionInfo]) {
        words = InlineArray(repeating: 0)
        overflow = [UInt64](repeating: 0, count: max(0, partitions.count - PartitionTable.inlineCapacity))
        count = partitions.count
        for i in 0..<count {
            let p = partitions[i]
            var w = UInt64(p.id) << PartitionTable.idShift
            if p.properties & PartitionInfo.Property.receivesDirectRequests != 0 { w |= PartitionTable.receivesRequests }
            if p.properties & PartitionInfo.Property.receivesDirectRequest2 != 0 { w |= PartitionTable.receivesRequest2 }
            self[i] = w
        }
    }

    /// The word of the partition at `index` (0..<count).
    subscript(index: Int) -> UInt64 {
        get { index < PartitionTable.inlineCapacity ? words[index] : overflow[index - PartitionTable.inlineCapacity] }
        set {
            if index < PartitionTable.inlineCapacity { words[index] = newValue }
            else { overflow[index - PartitionTable.inlineCapacity] = newValue }
        }
    }

    /// The index of the partition with endpoint ID `id` (the first, should IDs repeat).
    @inline(__always)
    public func index(of id: UInt16) -> Int? {
        for i in 0..<count where UInt16(truncatingIfNeeded: self[i] >> PartitionTable.idShift) == id { return i }
        return nil
    }

    /// `index(of:)` among the inline words, for the direct-message path: nil also for a partition
    /// past them. For a caller that holds the table in place: the words are read where they are,
    /// not copied first. `id` is a secure endpoint ID (an unused slot's is 0).
    @inline(__always)
    mutating func indexInPlace(ofSecure id: UInt16) -> Int? {
        // The first slot before the loop: the only partition on QEMU virt (the hot path's case).
        if UInt16(truncatingIfNeeded: words[0] >> PartitionTable.idShift) == id { return 0 }
        for i in 1..<PartitionTable.inlineCapacity where UInt16(truncatingIfNeeded: words[i] >> PartitionTable.idShift) == id {
            return i
        }
        return nil
    }

    /// The runtime state of the partition at `index` (0..<count).
    public func runtime(at index: Int) -> PartitionRuntime {
        let w = self[index]
        switch (w & PartitionTable.stateMask) >> PartitionTable.stateShift {
        case State.initialising: return .initialising
        case State.waiting: return .waiting
        case State.failed: return .failed
        case State.aborted: return .aborted
        case let s:
            let origin = UInt16(truncatingIfNeeded: w)
            return .handling(PendingRequest(origin: origin, kind: PartitionTable.kind(s - State.handling)))
        }
    }

    @inline(never)   // one copy, not one per state change in `SPMC.handle` (eight sites)
    public mutating func setRuntime(_ runtime: PartitionRuntime, at index: Int) {
        let fixed = self[index] & ~(PartitionTable.originMask | PartitionTable.stateMask)
        switch runtime {
        case .initialising: self[index] = fixed | State.initialising << PartitionTable.stateShift
        case .waiting: self[index] = fixed | State.waiting << PartitionTable.stateShift
        case .failed: self[index] = fixed | State.failed << PartitionTable.stateShift
        case .aborted: self[index] = fixed | State.aborted << PartitionTable.stateShift
        case .handling(let p): self[index] = fixed | PartitionTable.handling(p.kind) | UInt64(p.origin)
        }
    }

    /// Whether the partition at `index` receives requests of `kind` (its properties).
    public func receives(_ kind: DirectMessageKind, at index: Int) -> Bool {
        self[index] & (kind == .req2 ? PartitionTable.receivesRequest2 : PartitionTable.receivesRequests) != 0
    }

    // MARK: The direct-message path (`SPMC.forwardDirectMessage`)

    /// The state bits of "handling a request of `kind`".
    @usableFromInline @inline(__always)
    static func handling(_ kind: DirectMessageKind) -> UInt64 {
        (State.handling + (kind == .smc32 ? 0 : kind == .smc64 ? 1 : 2)) << stateShift
    }

    static func kind(_ width: UInt64) -> DirectMessageKind { width == 0 ? .smc32 : width == 1 ? .smc64 : .req2 }

    /// A 32- or 64-bit request from the normal world (sender 0) to `receiver`: if the partition
    /// at `index` (an inline one) has ID `receiver`, receives such requests and waits, it now handles the request
    /// and true; else false with nothing changed (`SPMC.checkRequest` then says which check failed).
    @inline(__always)
    public mutating func beginRequest(at index: Int, receiver: UInt16, is64: Bool) -> Bool {
        let w = words[index]
        // origin, ID, state and the REQ property: bits 40:0.
        guard w & 0x1FF_FFFF_FFFF == UInt64(receiver) << PartitionTable.idShift
                                   | State.waiting << PartitionTable.stateShift | PartitionTable.receivesRequests
        else { return false }
        // waiting -> handling(origin 0, kind)
        words[index] = w ^ ((State.waiting << PartitionTable.stateShift) ^ PartitionTable.handling(is64 ? .smc64 : .smc32))
        return true
    }

    /// A 32- or 64-bit response from the partition at `index` (an inline one) whose w1 is `endpoints` (sender in
    /// 31:16, receiver in 15:0): if the sender is its own ID and it handles a request of that width
    /// from the receiver, it now waits and true; else false with nothing changed
    /// (`SPMC.checkResponse` then says why).
    @inline(__always)
    public mutating func endRequest(at index: Int, endpoints: UInt32, is64: Bool) -> Bool {
        let w = words[index]
        // origin, ID and state: bits 39:0.
        guard w & 0xFF_FFFF_FFFF == UInt64(endpoints) | PartitionTable.handling(is64 ? .smc64 : .smc32)
        else { return false }
        words[index] = w ^ UInt64(UInt16(truncatingIfNeeded: endpoints))
                         ^ (PartitionTable.handling(is64 ? .smc64 : .smc32) ^ State.waiting << PartitionTable.stateShift)
        return true
    }
}
