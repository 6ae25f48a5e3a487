/// EFI_MM_COMMUNICATE_HEADER (PI 1.7 vol. 4 §5.7; EDK2 `MdePkg/Include/Protocol/MmCommunication.h`,
/// `#pragma pack(1)`): HeaderGuid at 0 (16 bytes), MessageLength at 16 (UINTN, 8 on AArch64),
/// Data at 24. MessageLength counts Data only.
public struct MMCommunicateHeader: Equatable, Sendable {
    /// OFFSET_OF(EFI_MM_COMMUNICATE_HEADER, Data). Not `sizeof` (25, because of `Data[1]`).
    public static let size = 24

    public var headerGuid: EFIGuid
    public var messageLength: UInt64

    public init(headerGuid: EFIGuid, messageLength: UInt64) {
        self.headerGuid = headerGuid; self.messageLength = messageLength
    }

    /// The 24 header bytes.
    public var encoded: [UInt8] {
        var out = [UInt8](repeating: 0, count: MMCommunicateHeader.size)
        encode(into: &out, at: 0)
        return out
    }

    /// Writes the header at `offset`; `bytes` must already hold 24 bytes there.
    public func encode(into bytes: inout [UInt8], at offset: Int) {
        precondition(fits(offset: offset, length: MMCommunicateHeader.size, in: bytes.count))
        headerGuid.write(into: &bytes, at: offset)
        bytes.putLE64(messageLength, at: offset + 16)
    }

    /// Reads the header at the start of `bytes` and checks that 24 + MessageLength bytes are
    /// there. The GUID is not checked here: see `SMMVariableFrame`.
    public init(decoding bytes: [UInt8]) throws(MMDecodeError) {
        guard bytes.count >= MMCommunicateHeader.size else { throw .truncatedCommunicateHeader }
        headerGuid = EFIGuid.read(bytes, at: 0)
        messageLength = bytes.le64(at: 16)
        guard boundedInt(messageLength, atMost: bytes.count - MMCommunicateHeader.size) != nil else {
            throw .messageBeyondBuffer
        }
    }
}
