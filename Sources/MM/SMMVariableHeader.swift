/// SMM_VARIABLE_COMMUNICATE_HEADER (EDK2 `SmmVariableCommon.h`, natural alignment): Function at 0
/// (UINTN), ReturnStatus at 8 (EFI_STATUS), Data at 16. In a whole MM buffer the payload starts
/// at 24 + 16 = 40.
public struct SMMVariableHeader: Equatable, Sendable {
    /// OFFSET_OF(SMM_VARIABLE_COMMUNICATE_HEADER, Data).
    public static let size = 16

    /// The raw function number, kept even when it is not one we know, so it can be echoed.
    public var function: UInt64
    public var returnStatus: EFIStatus

    public init(function: UInt64, returnStatus: EFIStatus) {
        self.function = function; self.returnStatus = returnStatus
    }

    public init(function: SMMVariableFunction, returnStatus: EFIStatus) {
        self.init(function: function.rawValue, returnStatus: returnStatus)
    }

    /// Writes the header at `offset`; `bytes` must already hold 16 bytes there.
    public func encode(into bytes: inout [UInt8], at offset: Int) {
        precondition(fits(offset: offset, length: SMMVariableHeader.size, in: bytes.count))
        bytes.putLE64(function, at: offset)
        bytes.putLE64(returnStatus.rawValue, at: offset + 8)
    }

    /// Reads the header at `offset` of `bytes`.
    public init(decoding bytes: [UInt8], at offset: Int) throws(MMDecodeError) {
        guard fits(offset: offset, length: SMMVariableHeader.size, in: bytes.count) else {
            throw .truncatedVariableHeader
        }
        function = bytes.le64(at: offset)
        returnStatus = EFIStatus(rawValue: bytes.le64(at: offset + 8))
    }
}
