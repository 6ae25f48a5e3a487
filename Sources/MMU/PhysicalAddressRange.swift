/// ID_AA64MMFR0_EL1.PARange (bits 3:0) and the TCR_ELx PS/IPS value that goes with it.
public enum PhysicalAddressRange {
    /// The physical address size in bits PARange encodes (32 to 52); nil for a reserved value.
    public static func bits(parange: UInt64) -> Int? {
        switch parange & 0xF {
        case 0: return 32
        case 1: return 36
        case 2: return 40
        case 3: return 42
        case 4: return 44
        case 5: return 48
        case 6: return 52
        default: return nil
        }
    }

    /// The TCR PS/IPS field for our tables: the CPU's range, capped at 48 bits (52-bit output
    /// addresses need FEAT_LPA2 descriptors, which we do not build).
    public static func tcrPS(parange: UInt64) -> UInt64 {
        bits(parange: parange) == nil ? 0 : min(parange & 0xF, 5)
    }

    /// The first address neither the CPU nor our tables can reach: 2^min(PA bits, 48).
    public static func limit(parange: UInt64) -> UInt64 {
        let bits = min(PhysicalAddressRange.bits(parange: parange) ?? 32, 48)
        return 1 << UInt64(bits)
    }
}
