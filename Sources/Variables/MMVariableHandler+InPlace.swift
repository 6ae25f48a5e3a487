import MM

/// Serving a message where it lies: the partition's secure copy of the MM buffer. The answer is
/// written over the request in the same bytes, and its length returned; the caller copies that
/// many bytes back to the shared buffer. Every function is served in place
/// (`VariableStore.answer`): no message is decoded into, or answered from, the message types
/// (`handle(request:)` is the host's array path, which the tests hold this one to).
extension MMVariableHandler {
    /// `message`: from the message's start to the end of the buffer it came in. Transport faults
    /// give length 0 and a non-zero MM return code, as `handle(request:)`.
    @inline(never)   // every request passes here: a proof test faults the partition at it
    public mutating func handle(message: UnsafeMutableRawBufferPointer) -> (length: Int, mmReturn: MMReturnCode) {
        let m: MMMessageView
        do throws(MMDecodeError) {
            m = try MMMessageView(message)
        } catch {
            return (0, error.mmReturnCode)
        }
        var status = EFIStatus.success, length = 0
        do throws(MMDecodeError) {
            (status, length) = try store.answer(m, payloadSize: payloadSize)
        } catch {
            status = error.returnStatus
        }
        MMMessageView.writeHeaders(message, function: m.function, status: status, payloadLength: length)
        return (MMMessageView.payloadOffset + length, .success)
    }
}

extension VariableStore {
    /// One MM message of the variable protocol served where it lies (the partition's handler and
    /// the normal world's volatile fallback): its payload read and the answer's payload written
    /// in place; returns the answer's ReturnStatus and payload length (the caller writes both
    /// headers). A payload that does not decode throws the fault the array decoder
    /// (`SMMVariableRequest`) reports for it. `payloadSize`: the GET_PAYLOAD_SIZE answer.
    /// GET_VARIABLE, GET_NEXT_VARIABLE_NAME and QUERY_VARIABLE_INFO build no array; SET_VARIABLE
    /// none for a same-size update of a held value (`replaceValue`), otherwise the name and value.
    public mutating func answer(_ m: MMMessageView, payloadSize: Int) throws(MMDecodeError) -> (EFIStatus, Int) {
        let at = MMMessageView.payloadOffset, out = m.bytes
        switch SMMVariableFunction(rawValue: m.function) {
        case .getVariable:
            // The name is looked up where it is, the data copied after it, and DataSize and
            // Attributes filled in; GUID and name go back as sent.
            let v = try AccessVariableView(m, dataMustFit: true)
            let name = UnsafeRawBufferPointer(rebasing: m.raw[v.nameOffset..<(v.nameOffset + v.nameSize)])
            let result = getVariable(rawName: name, guid: v.guid, dataSize: v.dataSize)
            guard result.status == .success || result.status == .bufferTooSmall else { return (result.status, 0) }
            // Fits: DataSize ≥ the value's size, and DataSize bytes fit after the name.
            if result.status == .success { copy(result, to: out, at: v.dataOffset) }
            out.mmPut64(result.dataSize, at: at + AccessVariableLayout.dataSize)
            out.mmPut32(result.attributes, at: at + AccessVariableLayout.attributes)
            let data = result.status == .success ? Int(result.dataSize) : 0
            return (result.status, AccessVariableLayout.name + v.nameSize + data)

        case .setVariable:
            let v = try AccessVariableView(m, dataMustFit: true)
            var key = UnsafeRawBufferPointer(rebasing: m.raw[v.nameOffset..<(v.nameOffset + v.nameSize)])
            let count = Int(v.dataSize)  // fits the payload: checked by the view
            let bytes = UnsafeRawBufferPointer(rebasing: m.raw[v.dataOffset..<(v.dataOffset + count)])
            if P.replacesValuesInPlace {
                // A new value of the same size for a held variable: written from the message.
                key = UnsafeRawBufferPointer(rebasing: key[0..<(UCS2.terminatedSize(key) ?? v.nameSize)])
                if let status = replaceValue(rawName: key, guid: v.guid, attributes: v.attributes, data: bytes) {
                    return (status, 0)
                }
            }
            let data = count == 0 ? [] : [UInt8](bytes)
            return (setVariable(name: [UInt8](key), guid: v.guid, attributes: v.attributes, data: data), 0)

        case .getNextVariableName:
            // The previous name read where it lies, the next one copied over it from the store
            // or the medium (it fits: the store answers EFI_BUFFER_TOO_SMALL otherwise, with the
            // GUID as sent). No array is built.
            let v = try GetNextVariableNameView(m)
            let buffer = UnsafeRawBufferPointer(rebasing: m.raw[v.nameOffset..<(v.nameOffset + v.nameSize)])
            let next = nextKey(rawNameBuffer: buffer, guid: v.guid)
            guard next.status == .success || next.status == .bufferTooSmall else { return (next.status, 0) }
            out.mmPut64(next.nameSize, at: at + GetNextVariableNameLayout.nameSize)
            guard next.status == .success, let name = next.name else {
                return (.bufferTooSmall, GetNextVariableNameLayout.name)
            }
            out.mmPutGuid(next.guid, at: at + GetNextVariableNameLayout.guid)
            copyName(name, to: out, at: v.nameOffset)
            return (.success, GetNextVariableNameLayout.name + Int(next.nameSize))

        case .queryVariableInfo:
            guard m.payloadLength >= QueryVariableInfoMessage.size else { throw .truncatedPayload }
            let result = queryVariableInfo(attributes: m.raw.mmLE32(at + 24))
            guard result.status == .success else { return (result.status, 0) }
            out.mmPut64(result.maximumVariableStorageSize, at: at)
            out.mmPut64(result.remainingVariableStorageSize, at: at + 8)
            out.mmPut64(result.maximumVariableSize, at: at + 16)
            out.mmPut32(0, at: at + 28)  // tail padding, as the encoder writes it
            return (.success, QueryVariableInfoMessage.size)

        case .readyToBoot:
            return (readyToBoot(), 0)

        case .exitBootService:
            return (exitBootServices(), 0)

        case .varCheckVariablePropertySet:
            let (guid, name) = try Self.propertyKey(m)
            let p = VarCheckPropertyMessage.Layout.property + at, word = m.raw.mmLE32(p)
            let property = VarCheckVariableProperty(
                revision: UInt16(truncatingIfNeeded: word), property: UInt16(truncatingIfNeeded: word >> 16),
                attributes: m.raw.mmLE32(p + 4), minSize: m.raw.mmLE64(p + 8), maxSize: m.raw.mmLE64(p + 16))
            return (setProperty(name: name, guid: guid, property: property), 0)

        case .varCheckVariablePropertyGet:
            let (guid, name) = try Self.propertyKey(m)
            let result = property(name: name, guid: guid)
            guard result.status == .success else { return (result.status, 0) }
            let p = VarCheckPropertyMessage.Layout.property + at, found = result.property
            out.mmPut32(UInt32(found.revision) | UInt32(found.property) << 16, at: p)
            out.mmPut32(found.attributes, at: p + 4)
            out.mmPut64(found.minSize, at: p + 8)
            out.mmPut64(found.maxSize, at: p + 16)
            return (.success, VarCheckPropertyMessage.Layout.name + name.count)

        case .getPayloadSize:
            guard m.payloadLength >= GetPayloadSizeMessage.size else { throw .truncatedPayload }
            out.mmPut64(UInt64(payloadSize), at: at)
            return (.success, GetPayloadSizeMessage.size)

        default:
            throw .unsupportedFunction(m.function)
        }
    }

    /// The GUID and name of SMM_VARIABLE_COMMUNICATE_VAR_CHECK_VARIABLE_PROPERTY, checked as
    /// `VarCheckPropertyMessage` decodes them: NameSize within the payload, a terminated name.
    static func propertyKey(_ m: MMMessageView) throws(MMDecodeError) -> (EFIGuid, [UInt8]) {
        let at = MMMessageView.payloadOffset, layout = VarCheckPropertyMessage.Layout.self
        guard m.payloadLength >= layout.name else { throw .truncatedPayload }
        let size = m.raw.mmLE64(at + layout.nameSize)
        guard size <= UInt64(m.payloadLength - layout.name) else { throw .sizesBeyondPayload }
        let offset = at + layout.name, n = Int(size)
        guard n >= 2 else { throw .nameSizeTooSmall }
        guard n % 2 == 0 else { throw .nameSizeOdd }
        guard m.raw[offset + n - 2] == 0, m.raw[offset + n - 1] == 0 else { throw .nameNotTerminated }
        return (m.raw.mmGuid(at + layout.guid), [UInt8](UnsafeRawBufferPointer(rebasing: m.raw[offset..<(offset + n)])))
    }
}
