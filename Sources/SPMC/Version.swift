import ABI

/// FFA_VERSION (FF-A v1.2 §13.2): w1 = the caller's version, w0 = ours or NOT_SUPPORTED.
extension SPMC {
    /// A requested version this SPMC can serve: the same major version. A caller newer than
    /// us (v1.3) is served with our formats (v1.2).
    static func compatibleVersion(_ requested: FFAVersion) -> FFAVersion? {
        guard requested.major == version.major else { return nil }
        return min(requested, version)
    }

    static let notSupported = Reply.version(SMCCC.NOT_SUPPORTED)

    /// The normal world's FFA_VERSION. The version is per endpoint and is locked by the first
    /// other FF-A call (as TF-A and Hafnium do): after that a request for a different version
    /// is answered with the locked version, or NOT_SUPPORTED if none was ever negotiated.
    mutating func negotiateVersion(_ requested: FFAVersion) -> Reply {
        guard let wanted = SPMC.compatibleVersion(requested) else { return SPMC.notSupported }
        if normalWorld.versionLocked {
            if wanted == normalWorld.version { return .version(SPMC.version.word) }
            return normalWorld.versionNegotiated ? .version(normalWorld.version.word) : SPMC.notSupported
        }
        normalWorld.version = wanted
        normalWorld.versionNegotiated = true
        return .version(SPMC.version.word)
    }

    /// A partition's FFA_VERSION: partitions are built against v1.x and use our formats.
    func partitionVersion(_ requested: FFAVersion) -> Reply {
        SPMC.compatibleVersion(requested) == nil ? SPMC.notSupported : .version(SPMC.version.word)
    }
}
