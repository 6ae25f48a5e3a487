/// Zero-copy access to one whole MM message `[EFI_MM_COMMUNICATE_HEADER]
/// [SMM_VARIABLE_COMMUNICATE_HEADER][payload]` where it lies: fields are loaded and stored at
/// their EDK2 offsets, with no array built. Bounds are checked once, when a view is made; the
/// loads after that stay inside what was checked.
///
/// The partition makes views over its secure copy of the message (one copy, so nothing is read
/// twice from memory the normal world can change); the client over the shared buffer itself.
// One load or store per field, aligned or not: every module that uses these runs with its MMU
// on, where RAM is Normal memory and an unaligned access is one instruction (the modules whose
// code runs with the MMU off are built with strict alignment, docs/image-size.md; none of them
// reads a message).
extension UnsafeRawBufferPointer {
    @inline(__always)
    public func mmLE64(_ at: Int) -> UInt64 { UInt64(littleEndian: loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
    @inline(__always)
    public func mmLE32(_ at: Int) -> UInt32 { UInt32(littleEndian: loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
    /// A GUID as two 64-bit words.
    @inline(__always)
    public func mmGuid(_ at: Int) -> EFIGuid { EFIGuid(lo: mmLE64(at), hi: mmLE64(at + 8)) }
}

extension UnsafeMutableRawBufferPointer {
    @inline(__always)
    public func mmPut64(_ v: UInt64, at: Int) { storeBytes(of: v.littleEndian, toByteOffset: at, as: UInt64.self) }
    @inline(__always)
    public func mmPut32(_ v: UInt32, at: Int) { storeBytes(of: v.littleEndian, toByteOffset: at, as: UInt32.self) }
    @inline(__always)
    public func mmPutGuid(_ g: EFIGuid, at: Int) { mmPut64(g.lo, at: at); mmPut64(g.hi, at: at + 8) }
    /// Copies `source` to `at` (memcpy); the caller checked the range.
    @inline(__always)
    public func mmPut(_ source: UnsafeRawBufferPointer, at: Int) {
        guard let to = baseAddress, let from = source.baseAddress, source.count > 0 else { return }
        (to + at).copyMemory(from: from, byteCount: source.count)
    }
}

/// Word-at-a-time helpers for names in buffers (UCS-2 with a NUL character).
extension UnsafeRawBufferPointer {
    /// Whether the bytes equal `other`'s: 8 bytes a step, aligned or not (as the field accesses
    /// above), then a word and the last bytes.
    public func mmEqual(_ other: UnsafeRawBufferPointer) -> Bool {
        let n = count
        guard n == other.count else { return false }
        guard let a = baseAddress, let b = other.baseAddress else { return true }
        // Wrapping steps: 0 ≤ i ≤ n throughout, so nothing can overflow.
        var i = 0
        while n &- i >= 8 {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i &+= 8
        }
        if n &- i >= 4 {
            if a.loadUnaligned(fromByteOffset: i, as: UInt32.self) != b.loadUnaligned(fromByteOffset: i, as: UInt32.self) { return false }
            i &+= 4
        }
        while i < n {
            if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
            i &+= 1
        }
        return true
    }
}

/// The headers of a whole message, checked: what `SMMVariableFrame` checks, read in place.
public struct MMMessageView {
    public static let payloadOffset = SMMVariableFrame.payloadOffset

    public let bytes: UnsafeMutableRawBufferPointer
    /// The raw function number (echoed in the answer).
    public let function: UInt64
    /// MessageLength − 16: the payload bytes after both headers.
    public let payloadLength: Int

    /// 24 bytes, HeaderGuid = gEfiSmmVariableProtocolGuid, 24 + MessageLength within `bytes`,
    /// MessageLength ≥ 16.
    public init(_ bytes: UnsafeMutableRawBufferPointer) throws(MMDecodeError) {
        let r = UnsafeRawBufferPointer(bytes)
        guard r.count >= MMCommunicateHeader.size else { throw .truncatedCommunicateHeader }
        let guid = r.mmGuid(0)
        let length = r.mmLE64(16)
        guard boundedInt(length, atMost: r.count - MMCommunicateHeader.size) != nil else { throw .messageBeyondBuffer }
        guard guid == .smmVariableProtocol else { throw .unknownHeaderGuid(guid) }
        guard length >= UInt64(SMMVariableHeader.size) else { throw .truncatedVariableHeader }
        self.bytes = bytes
        function = r.mmLE64(MMCommunicateHeader.size)
        payloadLength = Int(length) - SMMVariableHeader.size
    }

    public var raw: UnsafeRawBufferPointer { UnsafeRawBufferPointer(bytes) }

    /// Writes both headers for an answer of `payloadLength` bytes: MessageLength = 16 + that.
    public static func writeHeaders(_ bytes: UnsafeMutableRawBufferPointer, function: UInt64, status: EFIStatus,
                                    payloadLength: Int) {
        bytes.mmPutGuid(.smmVariableProtocol, at: 0)
        bytes.mmPut64(UInt64(SMMVariableHeader.size + payloadLength), at: 16)
        bytes.mmPut64(function, at: MMCommunicateHeader.size)
        bytes.mmPut64(status.rawValue, at: MMCommunicateHeader.size + 8)
    }
}

/// SMM_VARIABLE_COMMUNICATE_ACCESS_VARIABLE in place (see `AccessVariableLayout`): the same
/// checks as `AccessVariableFields`, offsets absolute in the message.
public struct AccessVariableView {
    public let guid: EFIGuid
    public let dataSize: UInt64
    public let attributes: UInt32
    /// Absolute offsets of the name (NameSize bytes, a terminated UCS-2 string) and the data area.
    public let nameOffset: Int
    public let nameSize: Int
    public let dataOffset: Int
    /// Bytes the payload holds after the name.
    public let dataAvailable: Int

    /// `dataMustFit`: DataSize bytes must lie in the payload (requests; and a success answer).
    public init(_ m: MMMessageView, dataMustFit: Bool) throws(MMDecodeError) {
        let r = m.raw, at = MMMessageView.payloadOffset, length = m.payloadLength
        guard length >= AccessVariableLayout.name else { throw .truncatedPayload }
        guid = r.mmGuid(at + AccessVariableLayout.guid)
        dataSize = r.mmLE64(at + AccessVariableLayout.dataSize)
        attributes = r.mmLE32(at + AccessVariableLayout.attributes)
        let room = length - AccessVariableLayout.name
        guard let size = boundedInt(r.mmLE64(at + AccessVariableLayout.nameSize), atMost: room) else {
            throw .sizesBeyondPayload
        }
        dataAvailable = room - size
        if dataMustFit, boundedInt(dataSize, atMost: dataAvailable) == nil { throw .sizesBeyondPayload }
        nameOffset = at + AccessVariableLayout.name
        nameSize = size
        try checkName(r, at: nameOffset, size: size)
        dataOffset = nameOffset + size
    }
}

/// SMM_VARIABLE_COMMUNICATE_GET_NEXT_VARIABLE_NAME in place: GUID, and the name buffer
/// (NameSize bytes, within the payload; its contents are the store's to judge).
public struct GetNextVariableNameView {
    public let guid: EFIGuid
    public let nameOffset: Int
    public let nameSize: Int

    public init(_ m: MMMessageView) throws(MMDecodeError) {
        let r = m.raw, at = MMMessageView.payloadOffset, length = m.payloadLength
        guard length >= GetNextVariableNameLayout.name else { throw .truncatedPayload }
        guid = r.mmGuid(at + GetNextVariableNameLayout.guid)
        guard let size = boundedInt(r.mmLE64(at + GetNextVariableNameLayout.nameSize),
                                    atMost: length - GetNextVariableNameLayout.name) else { throw .sizesBeyondPayload }
        nameOffset = at + GetNextVariableNameLayout.name
        nameSize = size
    }
}

/// GET_NEXT_VARIABLE_NAME's answer in place, checked as `GetNextVariableNameResponse` decodes
/// it: NameSize bytes of name when they are in the payload (a terminated name), none otherwise
/// (the EFI_BUFFER_TOO_SMALL form, NameSize the size needed).
public struct GetNextVariableNameAnswerView {
    public let guid: EFIGuid
    public let nameSize: UInt64
    public let nameOffset: Int
    /// Whether the NameSize bytes of name are in the payload.
    public let hasName: Bool

    public init(_ m: MMMessageView) throws(MMDecodeError) {
        let r = m.raw, at = MMMessageView.payloadOffset, length = m.payloadLength
        guard length >= GetNextVariableNameLayout.name else { throw .truncatedPayload }
        guid = r.mmGuid(at + GetNextVariableNameLayout.guid)
        nameSize = r.mmLE64(at + GetNextVariableNameLayout.nameSize)
        nameOffset = at + GetNextVariableNameLayout.name
        if let size = boundedInt(nameSize, atMost: length - GetNextVariableNameLayout.name) {
            try checkName(r, at: nameOffset, size: size)
            hasName = true
        } else {
            hasName = false
        }
    }
}

/// A name field in place: at least one character, whole characters, NUL last.
func checkName(_ r: UnsafeRawBufferPointer, at offset: Int, size: Int) throws(MMDecodeError) {
    guard size >= 2 else { throw .nameSizeTooSmall }
    guard size % 2 == 0 else { throw .nameSizeOdd }
    guard r[offset + size - 2] == 0, r[offset + size - 1] == 0 else { throw .nameNotTerminated }
}

extension UCS2 {
    /// Byte size of a name up to and including its first NUL character, within `bytes`; nil
    /// when there is none (`terminatedSize` without an array). Aligned words where it can. Out
    /// of line: the client's and the fallback's requests both measure a name.
    @inline(never)
    public static func terminatedSize(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let n = bytes.count & ~1
        var i = 0
        if UInt(bitPattern: base) & 1 == 0 {
            while i < n && UInt(bitPattern: base + i) & 7 != 0 {
                if base.load(fromByteOffset: i, as: UInt16.self) == 0 { return i + 2 }
                i += 2
            }
            // Four characters a step: a zero 16-bit lane stops the step.
            while n - i >= 8 {
                let w = base.load(fromByteOffset: i, as: UInt64.self)
                if (w &- 0x0001_0001_0001_0001) & ~w & 0x8000_8000_8000_8000 != 0 { break }
                i += 8
            }
        }
        while i < n {
            if bytes[i] == 0 && bytes[i + 1] == 0 { return i + 2 }
            i += 2
        }
        return nil
    }
}
