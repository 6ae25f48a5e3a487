/// The interrupt controller a DTB describes (Linux bindings arm,gic-v3 and arm,gic).
public struct FDTInterruptController: Equatable, Sendable {
    public enum Kind: Equatable, Sendable { case gicV3, gicV2 }
    public var kind: Kind
    public var distributor: UInt64
    /// GICv3: the first redistributor region; GICv2: the CPU interface.
    public var second: UInt64
}

extension FDT {
    /// The first enabled GIC node with at least two `reg` entries.
    public func interruptController() -> FDTInterruptController? {
        if let n = firstNode(compatible: "arm,gic-v3", enabledOnly: true), let r = reg(of: n), r.count >= 2 {
            return FDTInterruptController(kind: .gicV3, distributor: r[0].base, second: r[1].base)
        }
        for name: StaticString in ["arm,cortex-a15-gic", "arm,gic-400", "arm,cortex-a9-gic"] {
            if let n = firstNode(compatible: name, enabledOnly: true), let r = reg(of: n), r.count >= 2 {
                return FDTInterruptController(kind: .gicV2, distributor: r[0].base, second: r[1].base)
            }
        }
        return nil
    }
}
