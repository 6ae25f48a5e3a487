import MM

/// Serving a message where it lies: the partition's secure copy of the MM buffer. The answer is
/// written over the request in the same bytes, and its length returned; the caller copies that
/// many bytes back to the shared buffer. GET_VARIABLE, GET_NEXT_VARIABLE_NAME and
/// QUERY_VARIABLE_INFO build no message array, SET_VARIABLE only the value it stores; the other functions go through the message types
/// (`handle(request:)`).
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
        let function = m.function
        do throws(MMDecodeError) {
            switch SMMVariableFunction(rawValue: function) {
            case .getVariable:
                return (try getVariable(m), .success)
            case .setVariable:
                return (try setVariable(m), .success)
            case .getNextVariableName:
                return (try getNextVariableName(m), .success)
            case .queryVariableInfo:
                guard m.payloadLength >= QueryVariableInfoMessage.size else { throw .truncatedPayload }
                let at = MMMessageView.payloadOffset
                let attributes = m.raw.mmLE32(at + 24)
                let result = store.queryVariableInfo(attributes: attributes)
                guard result.status == .success else { return (answer(m, result.status, 0), .success) }
                m.bytes.mmPut64(result.maximumVariableStorageSize, at: at)
                m.bytes.mmPut64(result.remainingVariableStorageSize, at: at + 8)
                m.bytes.mmPut64(result.maximumVariableSize, at: at + 16)
                m.bytes.mmPut32(0, at: at + 28)  // tail padding, as the encoder writes it
                return (answer(m, .success, QueryVariableInfoMessage.size), .success)
            default:
                return viaMessageTypes(m)
            }
        } catch {
            return (answer(m, error.returnStatus, 0), .success)
        }
    }

    /// GET_VARIABLE: the name is looked up where it is, the data copied after it, and DataSize
    /// and Attributes filled in; GUID and name go back as sent.
    mutating func getVariable(_ m: MMMessageView) throws(MMDecodeError) -> Int {
        let v = try AccessVariableView(m, dataMustFit: true)
        let name = UnsafeRawBufferPointer(rebasing: m.raw[v.nameOffset..<(v.nameOffset + v.nameSize)])
        let bytes = m.bytes
        let result = store.getVariable(rawName: name, guid: v.guid, dataSize: v.dataSize)
        guard result.status == .success || result.status == .bufferTooSmall else { return answer(m, result.status, 0) }
        // Fits: DataSize ≥ the value's size, and DataSize bytes fit after the name.
        if result.status == .success { store.copy(result, to: bytes, at: v.dataOffset) }
        let at = MMMessageView.payloadOffset
        bytes.mmPut64(result.dataSize, at: at + AccessVariableLayout.dataSize)
        bytes.mmPut32(result.attributes, at: at + AccessVariableLayout.attributes)
        let data = result.status == .success ? Int(result.dataSize) : 0
        return answer(m, result.status, AccessVariableLayout.name + v.nameSize + data)
    }

    /// GET_NEXT_VARIABLE_NAME: the previous name read where it lies, the next one written over
    /// it (it fits: the store answers EFI_BUFFER_TOO_SMALL otherwise, with the GUID as sent).
    mutating func getNextVariableName(_ m: MMMessageView) throws(MMDecodeError) -> Int {
        let v = try GetNextVariableNameView(m)
        let buffer = UnsafeRawBufferPointer(rebasing: m.raw[v.nameOffset..<(v.nameOffset + v.nameSize)])
        let result = store.nextVariableName(rawNameBuffer: buffer, guid: v.guid)
        guard result.status == .success || result.status == .bufferTooSmall else { return answer(m, result.status, 0) }
        let at = MMMessageView.payloadOffset
        m.bytes.mmPut64(result.nameSize, at: at + GetNextVariableNameLayout.nameSize)
        guard result.status == .success, result.name.count <= v.nameSize else {
            return answer(m, .bufferTooSmall, GetNextVariableNameLayout.name)
        }
        m.bytes.mmPutGuid(result.guid, at: at + GetNextVariableNameLayout.guid)
        result.name.withUnsafeBytes { m.bytes.mmPut($0, at: v.nameOffset) }
        return answer(m, .success, GetNextVariableNameLayout.name + result.name.count)
    }

    /// SET_VARIABLE: decoded in place. A new value of the same size for a held variable is
    /// written from the message (`replaceValue`: no array); otherwise through arrays of the name
    /// and value.
    mutating func setVariable(_ m: MMMessageView) throws(MMDecodeError) -> Int {
        let v = try AccessVariableView(m, dataMustFit: true)
        let raw = UnsafeRawBufferPointer(rebasing: m.raw[v.nameOffset..<(v.nameOffset + v.nameSize)])
        let size = UCS2.terminatedSize(raw) ?? v.nameSize
        let key = UnsafeRawBufferPointer(rebasing: raw[0..<size])
        let count = Int(v.dataSize)  // fits the payload: checked by the view
        let bytes = UnsafeRawBufferPointer(rebasing: m.raw[v.dataOffset..<(v.dataOffset + count)])
        if let status = store.replaceValue(rawName: key, guid: v.guid, attributes: v.attributes, data: bytes) {
            return answer(m, status, 0)
        }
        let name = [UInt8](key)
        let data = count == 0 ? [] : [UInt8](bytes)
        let status = store.setVariable(name: name, guid: v.guid, attributes: v.attributes, data: data)
        return answer(m, status, 0)
    }

    /// Writes both headers of the answer; returns the answer's whole length.
    func answer(_ m: MMMessageView, _ status: EFIStatus, _ payloadLength: Int) -> Int {
        MMMessageView.writeHeaders(m.bytes, function: m.function, status: status, payloadLength: payloadLength)
        return MMMessageView.payloadOffset + payloadLength
    }

    /// The other functions: decoded into message types from an array of the message.
    mutating func viaMessageTypes(_ m: MMMessageView) -> (length: Int, mmReturn: MMReturnCode) {
        let total = MMMessageView.payloadOffset + m.payloadLength
        let request = [UInt8](UnsafeRawBufferPointer(rebasing: m.raw[0..<total]))
        let (response, code) = handle(request: request)
        response.withUnsafeBytes { m.bytes.mmPut($0, at: 0) }
        return (response.count, code)
    }
}
