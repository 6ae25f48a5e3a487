import MM

/// EFI_VARIABLE_AUTHENTICATION_2 (UEFI 2.10 §8.2.2): TimeStamp (EFI_TIME, 16 bytes), then
/// AuthInfo, a WIN_CERTIFICATE_UEFI_GUID (dwLength u32, wRevision u16 = 0x0200,
/// wCertificateType u16 = WIN_CERT_TYPE_EFI_GUID 0x0EF1, CertType = EFI_CERT_TYPE_PKCS7_GUID,
/// CertData: DER SignedData), then the variable's new data.
struct AuthenticationDescriptor: Equatable {
    var timestamp: [UInt8]
    var signedData: [UInt8]
    var payload: [UInt8]

    /// EFI_CERT_TYPE_PKCS7_GUID {0x4aafd29d, 0x68df, 0x49ee, {0x8a,0xa9,0x34,0x7d,0x37,0x56,0x65,0xa7}}
    static let pkcs7Guid = EFIGuid(0x4aaf_d29d, 0x68df, 0x49ee, (0x8a, 0xa9, 0x34, 0x7d, 0x37, 0x56, 0x65, 0xa7))
    static let timeSize = 16
    static let certificateHeaderSize = 24  // WIN_CERTIFICATE (8) + CertType (16)

    enum Failure: Error { case tooShort, malformed }

    /// Refused (`tooShort`: EFI_INVALID_PARAMETER, `malformed`: EFI_SECURITY_VIOLATION, as EDK2)
    /// when the sizes do not fit the data, the header is not the PKCS#7 one, or the time has a
    /// non-zero Pad1, Nanosecond, TimeZone, Daylight or Pad2.
    init(parsing data: [UInt8]) throws(Failure) {
        let header = AuthenticationDescriptor.timeSize + AuthenticationDescriptor.certificateHeaderSize
        guard data.count >= header else { throw .tooShort }
        let length = Int(SignatureList.le32(data, 16))
        let revision = UInt16(data[20]) | UInt16(data[21]) << 8
        let certType = UInt16(data[22]) | UInt16(data[23]) << 8
        guard length >= AuthenticationDescriptor.certificateHeaderSize, length <= data.count - 16 else { throw .tooShort }
        guard revision == 0x0200, certType == 0x0ef1,
              EFIGuid(bytes: data, at: 24) == AuthenticationDescriptor.pkcs7Guid else { throw .malformed }
        timestamp = [UInt8](data[0..<16])
        for i in 7..<16 where timestamp[i] != 0 { throw .malformed }  // Pad1 through Pad2
        signedData = [UInt8](data[header..<(16 + length)])
        payload = [UInt8](data[(16 + length)...])
    }

    /// Whether EFI_TIME `a` is later than `b` (year, month, day, hour, minute, second).
    static func isLater(_ a: [UInt8], than b: [UInt8]) -> Bool {
        let yearA = UInt16(a[0]) | UInt16(a[1]) << 8, yearB = UInt16(b[0]) | UInt16(b[1]) << 8
        if yearA != yearB { return yearA > yearB }
        for i in 2...6 where a[i] != b[i] { return a[i] > b[i] }
        return false
    }
}
