/// The EL3 part of GICv3 set-up (GICv3 architecture spec IHI 0069; TF-A does the same for its
/// platforms): affinity routing on for both security states, every SPI, SGI and PPI Group 1
/// Non-secure, this CPU's redistributor awake, Group 1 NS enabled at the distributor.
/// The CPU-interface system registers are the caller's (Monitor/GIC.swift).
public struct GICv3Setup<A: GICAccess> {
    public var access: A
    public let distributor: UInt64
    public let redistributors: UInt64    // first frame of the redistributor region

    // Distributor registers (offsets from GICD).
    static var GICD_CTLR: UInt64 { 0x0000 }
    static var GICD_TYPER: UInt64 { 0x0004 }
    static var GICD_IGROUPR: UInt64 { 0x0080 }
    static var GICD_IPRIORITYR: UInt64 { 0x0400 }
    static var GICD_ICFGR: UInt64 { 0x0C00 }
    static var GICD_IGRPMODR: UInt64 { 0x0D00 }
    // Extended SPIs (GICv3.1, INTIDs 4096 and up), when GICD_TYPER.ESPI says they exist.
    static var GICD_IGROUPRE: UInt64 { 0x1000 }
    static var GICD_IPRIORITYRE: UInt64 { 0x2000 }
    static var GICD_ICFGRE: UInt64 { 0x3000 }
    static var GICD_IGRPMODRE: UInt64 { 0x3400 }
    // GICD_CTLR bits in the Secure view.
    public static var ctlrEnableGrp0: UInt32 { 1 << 0 }
    public static var ctlrEnableGrp1NS: UInt32 { 1 << 1 }
    public static var ctlrEnableGrp1S: UInt32 { 1 << 2 }
    public static var ctlrAREs: UInt32 { 1 << 4 }
    public static var ctlrAREns: UInt32 { 1 << 5 }
    public static var ctlrRWP: UInt32 { 1 << 31 }

    // Redistributor: RD_base frame, then the SGI_base frame 64 KiB above it.
    static var GICR_CTLR: UInt64 { 0x0000 }
    static var GICR_TYPER: UInt64 { 0x0008 }
    static var GICR_WAKER: UInt64 { 0x0014 }
    static var sgiFrame: UInt64 { 0x1_0000 }
    static var GICR_IGROUPR0: UInt64 { sgiFrame + 0x0080 }
    static var GICR_ICENABLER0: UInt64 { sgiFrame + 0x0180 }
    static var GICR_IPRIORITYR: UInt64 { sgiFrame + 0x0400 }
    static var GICR_ICFGR1: UInt64 { sgiFrame + 0x0C04 }
    static var GICR_IGRPMODR0: UInt64 { sgiFrame + 0x0D00 }
    public static var wakerProcessorSleep: UInt32 { 1 << 1 }
    public static var wakerChildrenAsleep: UInt32 { 1 << 2 }
    static var typerLast: UInt64 { 1 << 4 }
    static var typerVLPIS: UInt64 { 1 << 1 }
    static var maxRedistributors: Int { 512 }

    public init(access: A, distributor: UInt64, redistributors: UInt64) {
        self.access = access
        self.distributor = distributor
        self.redistributors = redistributors
    }

    /// Number of interrupt IDs the distributor implements (GICD_TYPER.ITLinesNumber), at most 1020.
    public static func interruptLines(typer: UInt32) -> Int {
        min(32 * (Int(typer & 0x1F) + 1), 1020)
    }

    /// Number of extended SPIs (GICD_TYPER.ESPI, bit 8; ESPI_range, bits 31:27), 0 without them.
    public static func extendedSPIs(typer: UInt32) -> Int {
        typer & (1 << 8) == 0 ? 0 : 32 * (Int(typer >> 27) + 1)
    }

    /// An MPIDR's affinity as GICR_TYPER bits 63:32 hold it (Aff3.Aff2.Aff1.Aff0).
    public static func affinity(mpidr: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: (mpidr >> 32 & 0xFF) << 24 | mpidr & 0xFF_FFFF)
    }

    /// Distributor, then the redistributor of the CPU with `mpidr`. Returns that redistributor's
    /// RD_base address.
    public mutating func run(mpidr: UInt64) throws(GICSetupError) -> UInt64 {
        try configureDistributor()
        let rd = try findRedistributor(mpidr: mpidr)
        try wake(rd)
        configureSGIsAndPPIs(rd)
        return rd
    }

    public mutating func configureDistributor() throws(GICSetupError) {
        let d = distributor
        let ctlr = access.read32(d + Self.GICD_CTLR)
        // Groups off before the routing mode changes (the GIC may raise an SError otherwise).
        access.write32(d + Self.GICD_CTLR, ctlr & ~(Self.ctlrEnableGrp0 | Self.ctlrEnableGrp1NS | Self.ctlrEnableGrp1S))
        try waitForDistributorWrite()
        access.write32(d + Self.GICD_CTLR, (ctlr & ~(Self.ctlrEnableGrp0 | Self.ctlrEnableGrp1NS | Self.ctlrEnableGrp1S))
                       | Self.ctlrAREs | Self.ctlrAREns)
        try waitForDistributorWrite()
        let lines = Self.interruptLines(typer: access.read32(d + Self.GICD_TYPER))
        // SPIs (32 and up); the first register of each bank is the banked SGI/PPI copy, which the
        // redistributor owns under affinity routing.
        access.fill(bank: d + Self.GICD_IGROUPR, bits: 1, from: 32, to: lines, GICDefaults.allNonSecure)
        access.fill(bank: d + Self.GICD_IGRPMODR, bits: 1, from: 32, to: lines, 0)
        access.fill(bank: d + Self.GICD_IPRIORITYR, bits: 8, from: 32, to: lines, GICDefaults.priorities)
        access.fill(bank: d + Self.GICD_ICFGR, bits: 2, from: 32, to: lines, GICDefaults.levelSensitive)
        let extended = Self.extendedSPIs(typer: access.read32(d + Self.GICD_TYPER))
        access.fill(bank: d + Self.GICD_IGROUPRE, bits: 1, from: 0, to: extended, GICDefaults.allNonSecure)
        access.fill(bank: d + Self.GICD_IGRPMODRE, bits: 1, from: 0, to: extended, 0)
        access.fill(bank: d + Self.GICD_IPRIORITYRE, bits: 8, from: 0, to: extended, GICDefaults.priorities)
        access.fill(bank: d + Self.GICD_ICFGRE, bits: 2, from: 0, to: extended, GICDefaults.levelSensitive)
        let routed = access.read32(d + Self.GICD_CTLR) & ~Self.ctlrRWP
        access.write32(d + Self.GICD_CTLR, routed | Self.ctlrEnableGrp1NS)
        try waitForDistributorWrite()
    }

    /// Walks the redistributor frames until GICR_TYPER.Affinity names this CPU (or Last is set).
    public mutating func findRedistributor(mpidr: UInt64) throws(GICSetupError) -> UInt64 {
        let want = Self.affinity(mpidr: mpidr)
        var frame = redistributors
        for _ in 0..<Self.maxRedistributors {
            let lo = UInt64(access.read32(frame + Self.GICR_TYPER))
            let hi = access.read32(frame + Self.GICR_TYPER + 4)
            if hi == want { return frame }
            if lo & Self.typerLast != 0 { break }
            // Two 64 KiB frames per redistributor, four with virtual LPIs (GICv4).
            frame += lo & Self.typerVLPIS != 0 ? 0x4_0000 : 0x2_0000
        }
        throw .redistributorNotFound
    }

    /// Clears GICR_WAKER.ProcessorSleep and waits until ChildrenAsleep reads 0.
    public mutating func wake(_ rd: UInt64) throws(GICSetupError) {
        let waker = access.read32(rd + Self.GICR_WAKER)
        access.write32(rd + Self.GICR_WAKER, waker & ~Self.wakerProcessorSleep)
        for _ in 0..<GICDefaults.pollLimit {
            if access.read32(rd + Self.GICR_WAKER) & Self.wakerChildrenAsleep == 0 { return }
        }
        throw .redistributorStaysAsleep
    }

    /// SGIs and PPIs of this CPU: disabled while their group changes, then Group 1 NS with the
    /// default priority, PPIs level-sensitive. The OS enables the ones it uses.
    public mutating func configureSGIsAndPPIs(_ rd: UInt64) {
        access.write32(rd + Self.GICR_ICENABLER0, 0xFFFF_FFFF)
        access.write32(rd + Self.GICR_IGROUPR0, GICDefaults.allNonSecure)
        access.write32(rd + Self.GICR_IGRPMODR0, 0)
        for i in 0..<8 { access.write32(rd + Self.GICR_IPRIORITYR + UInt64(i * 4), GICDefaults.priorities) }
        access.write32(rd + Self.GICR_ICFGR1, GICDefaults.levelSensitive)
    }

    mutating func waitForDistributorWrite() throws(GICSetupError) {
        for _ in 0..<GICDefaults.pollLimit {
            if access.read32(distributor + Self.GICD_CTLR) & Self.ctlrRWP == 0 { return }
        }
        throw .registerWriteTimeout
    }
}

/// ICC_SRE_ELx bits (GICv3 §12.2): SRE (system registers), DFB/DIB (no legacy bypass),
/// Enable (lower ELs may use ICC_SRE_ELx of their own).
public enum ICCSRE {
    public static let sre: UInt64 = 1 << 0
    public static let dfb: UInt64 = 1 << 1
    public static let dib: UInt64 = 1 << 2
    public static let enable: UInt64 = 1 << 3
    /// ICC_SRE_EL3 and ICC_SRE_EL2: system registers on, bypass off, lower ELs allowed.
    public static let el3AndEL2: UInt64 = sre | dfb | dib | enable
}
