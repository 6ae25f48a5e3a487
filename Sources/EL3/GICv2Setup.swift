/// The EL3 part of GICv2 set-up (GICv2 architecture spec IHI 0048; TF-A's gicv2 driver does
/// the same): every interrupt Group 1 (Non-secure), both groups enabled at the distributor and
/// the CPU interface, the priority mask open, so the Non-secure side only enables its sources.
public struct GICv2Setup<A: GICAccess> {
    public var access: A
    public let distributor: UInt64
    public let cpuInterface: UInt64

    static var GICD_CTLR: UInt64 { 0x000 }
    static var GICD_TYPER: UInt64 { 0x004 }
    static var GICD_IGROUPR: UInt64 { 0x080 }
    static var GICD_ICENABLER: UInt64 { 0x180 }
    static var GICD_IPRIORITYR: UInt64 { 0x400 }
    static var GICD_ICFGR: UInt64 { 0xC00 }
    static var GICC_CTLR: UInt64 { 0x000 }
    static var GICC_PMR: UInt64 { 0x004 }
    /// GICD_CTLR (Secure view): EnableGrp0, EnableGrp1.
    public static var distributorEnables: UInt32 { 1 << 0 | 1 << 1 }
    /// GICC_CTLR (Secure view): EnableGrp0, EnableGrp1, FIQEn (Group 0 as FIQ) and the four
    /// bypass-disable bits; AckCtl stays 0.
    public static var cpuInterfaceControl: UInt32 { 1 << 0 | 1 << 1 | 1 << 3 | 1 << 5 | 1 << 6 | 1 << 7 | 1 << 8 }
    /// GICC_PMR: every priority passes.
    public static var priorityMaskOpen: UInt32 { 0xFF }

    public init(access: A, distributor: UInt64, cpuInterface: UInt64) {
        self.access = access
        self.distributor = distributor
        self.cpuInterface = cpuInterface
    }

    public mutating func run() {
        let d = distributor
        access.write32(d + Self.GICD_CTLR, 0)
        let lines = GICv3Setup<A>.interruptLines(typer: access.read32(d + Self.GICD_TYPER))
        // Register 0 is the banked SGI/PPI copy of this CPU; the rest are the shared SPIs.
        access.fill(bank: d + Self.GICD_IGROUPR, bits: 1, from: 0, to: lines, GICDefaults.allNonSecure)
        access.write32(d + Self.GICD_ICENABLER, 0xFFFF_0000)   // PPIs off until the OS wants them
        access.fill(bank: d + Self.GICD_IPRIORITYR, bits: 8, from: 0, to: lines, GICDefaults.priorities)
        access.fill(bank: d + Self.GICD_ICFGR, bits: 2, from: 32, to: lines, GICDefaults.levelSensitive)
        access.write32(d + Self.GICD_CTLR, Self.distributorEnables)
        access.write32(cpuInterface + Self.GICC_PMR, Self.priorityMaskOpen)
        access.write32(cpuInterface + Self.GICC_CTLR, Self.cpuInterfaceControl)
    }
}
