import Board
import MM

/// Sizes of the MM variable service that do not depend on the store type.
public enum MMVariableService {
    /// The shared MM buffer's size (board.h).
    public static let sharedBufferSize = Int(BOARD_MM_BUFFER_SIZE)
    /// The least GET_PAYLOAD_SIZE answer U-Boot accepts: sizeof(smm_variable_access) (40) + 0x20.
    public static let minimumPayloadSize = 72
    /// OFFSET_OF(SMM_VARIABLE_COMMUNICATE_VAR_CHECK_VARIABLE_PROPERTY, Name): the largest fixed
    /// part of any payload.
    public static let largestPayloadHeader = VarCheckPropertyMessage.Layout.name

    /// The GET_PAYLOAD_SIZE answer, chosen as EDK2 does (`mVariableBufferPayloadSize =
    /// GetMaxVariableSize() + OFFSET_OF(VAR_CHECK_VARIABLE_PROPERTY, Name) - header`): room for
    /// the largest variable's name + data after the largest payload header. Our maximum sizes
    /// already count name + data only, so no variable header is subtracted. Raised to the 72 bytes
    /// U-Boot requires, and lowered so that both headers (40 bytes) and the payload fit in a
    /// buffer of `bufferSize` bytes.
    public static func payloadSize(maximumVariableSize: Int, bufferSize: Int) -> Int {
        let room = bufferSize - SMMVariableFrame.payloadOffset
        var size = maximumVariableSize <= room - largestPayloadHeader ? maximumVariableSize + largestPayloadHeader : room
        if size < minimumPayloadSize { size = minimumPayloadSize }
        return size < room ? size : room
    }
}
