import ABI

/// FFA_VERSION (FF-A v1.2 §13.2): w1 = the caller's version, w0 = ours or NOT_SUPPORTED.
extension SPMC {
    /// A requested version this SPMC can serve: bit 31 clear and the same major version. A
    /// caller newer than us (v1.3) is served with our formats (v1.2).
    static func compatibleVersion(_ word: UInt32) -> FFAVersion? {
        guard let requested = FFAVersion(word: word), requested.major == version.major else { return nil }
        return min(requested, version)
    }

    /// The normal world's FFA_VERSION. The version is per endpoint and is locked by the first
    /// other FF-A call (as TF-A and Hafnium do): after that a request for a different version
    /// is answered with the locked version, or NOT_SUPPORTED if none was ever negotiated.
    mutating func negotiateVersion(_ word: UInt32) -> Registers {
        guard let wanted = SPMC.compatibleVersion(word) else {
            return .status(Int32(bitPattern: SMCCC.NOT_SUPPORTED))
        }
        if normalWorld.versionLocked {
            if wanted == normalWorld.version { return Registers(UInt64(SPMC.version.word)) }
            return normalWorld.versionNegotiated
                ? Registers(UInt64(normalWorld.version.word))
                : .status(Int32(bitPattern: SMCCC.NOT_SUPPORTED))
        }
        normalWorld.version = wanted
        normalWorld.versionNegotiated = true
        return Registers(UInt64(SPMC.version.word))
    }

    /// A partition's FFA_VERSION: partitions are built against v1.x and use our formats.
    func partitionVersion(_ word: UInt32) -> Registers {
        SPMC.compatibleVersion(word) == nil
            ? .status(Int32(bitPattern: SMCCC.NOT_SUPPORTED))
            : Registers(UInt64(SPMC.version.word))
    }
}
