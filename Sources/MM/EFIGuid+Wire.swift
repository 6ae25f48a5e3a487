extension EFIGuid {
    /// Writes the 16 stored bytes at `offset` (the caller sized `bytes`).
    func write(into bytes: inout [UInt8], at offset: Int) {
        bytes.putLE64(lo, at: offset)
        bytes.putLE64(hi, at: offset + 8)
    }

    /// Reads 16 stored bytes at an offset already checked to fit.
    static func read(_ bytes: [UInt8], at offset: Int) -> EFIGuid {
        EFIGuid(lo: bytes.le64(at: offset), hi: bytes.le64(at: offset + 8))
    }

    /// A total order on GUIDs (by stored bytes), for deterministic enumeration.
    public static func precedes(_ a: EFIGuid, _ b: EFIGuid) -> Bool {
        for i in 0..<16 where a.byte(i) != b.byte(i) { return a.byte(i) < b.byte(i) }
        return false
    }
}
