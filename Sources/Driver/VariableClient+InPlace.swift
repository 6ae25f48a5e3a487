import MM
import Variables

/// The variable services built and read in place (MM's views): the request is written into the
/// transport's buffer, the answer read where it arrives. The local checks, in order: initialised
/// (else EFI_NOT_READY), the payload limit (EFI_INVALID_PARAMETER), the buffer
/// (EFI_BAD_BUFFER_SIZE); a malformed answer is EFI_DEVICE_ERROR.
extension VariableClient {
    /// One call: `payload` writes the payload at `MMMessageView.payloadOffset` and returns its
    /// length (`checkedPayload` is the size the limits are checked against); `answer` gets the
    /// checked response (function echoed, payload decodable by `decodes`).
    mutating func call<R>(_ function: SMMVariableFunction, checkedPayload: Int,
                          payload: (UnsafeMutableRawBufferPointer) -> Int,
                          decodes: (MMMessageView) -> Bool,
                          answer: (EFIStatus, MMMessageView) -> R, failed: (EFIStatus) -> R) -> R {
        guard isInitialized else { return failed(.notReady) }
        guard checkedPayload <= maximumPayload else { return failed(.invalidParameter) }
        return send(function, checkedPayload: checkedPayload, payload: payload, decodes: decodes, answer: answer, failed: failed)
    }

    /// `call` without the payload limit (GET_PAYLOAD_SIZE, which sets it): the message must fit
    /// the buffer (else EFI_BAD_BUFFER_SIZE); a transport fault is the status it maps to, an
    /// answer with another function or an undecodable payload EFI_DEVICE_ERROR.
    mutating func send<R>(_ function: SMMVariableFunction, checkedPayload: Int = 0,
                          payload: (UnsafeMutableRawBufferPointer) -> Int,
                          decodes: (MMMessageView) -> Bool,
                          answer: (EFIStatus, MMMessageView) -> R, failed: (EFIStatus) -> R) -> R {
        var outcome: R? = nil
        let fault = roundTrip(function, checkedPayload: checkedPayload, payload: payload, decodes: decodes,
                              answer: { outcome = answer($0, $1) })
        if let outcome { return outcome }
        return failed(fault)
    }

    /// The round trip itself, one copy for every result type: `answer` runs on a checked
    /// response; otherwise the status of the failure comes back.
    @inline(never)
    mutating func roundTrip(_ function: SMMVariableFunction, checkedPayload: Int,
                            payload: (UnsafeMutableRawBufferPointer) -> Int,
                            decodes: (MMMessageView) -> Bool,
                            answer: (EFIStatus, MMMessageView) -> Void) -> EFIStatus {
        guard MMMessageView.payloadOffset + checkedPayload <= transport.bufferSize else { return .badBufferSize }
        var answered = false
        do throws(MMTransportError) {
            try transport.exchange({ buffer in
                let n = payload(buffer)
                MMMessageView.writeHeaders(buffer, function: function.rawValue,
                                           status: SMMVariableRequest.unansweredStatus, payloadLength: n)
                return MMMessageView.payloadOffset + n
            }, { response in
                guard let m = try? MMMessageView(UnsafeMutableRawBufferPointer(mutating: response)),
                      m.function == function.rawValue, m.payloadLength == 0 || decodes(m) else { return }
                answer(EFIStatus(rawValue: m.raw.mmLE64(MMCommunicateHeader.size + 8)), m)
                answered = true
            })
        } catch {
            return EFIStatus(error)
        }
        return answered ? .success : .deviceError
    }

    /// GetVariable into `data` (the caller's buffer; its size is DataSize): no array is built.
    /// On EFI_SUCCESS the first `dataSize` bytes of `data` hold the value; `result.data` is empty.
    public mutating func getVariable(name: [UInt8], guid: EFIGuid, into data: UnsafeMutableRawBufferPointer) -> VariableReadResult {
        name.withUnsafeBytes { getVariable(rawName: $0, guid: guid, into: data) }
    }

    /// The same with the name in a buffer (the runtime service's caller's).
    public mutating func getVariable(rawName name: UnsafeRawBufferPointer, guid: EFIGuid,
                                     into data: UnsafeMutableRawBufferPointer) -> VariableReadResult {
        guard let size = UCS2.terminatedSize(name) else { return VariableReadResult(status: .invalidParameter) }
        let fixed = AccessVariableLayout.name + size
        guard isInitialized else { return VariableReadResult(status: .notReady) }
        guard fixed <= maximumPayload else { return VariableReadResult(status: .invalidParameter) }
        let room = maximumPayload - fixed
        let asked = data.count < room ? data.count : room
        return call(.getVariable, checkedPayload: fixed + asked, payload: { b in
            let at = MMMessageView.payloadOffset
            b.mmPutGuid(guid, at: at + AccessVariableLayout.guid)
            b.mmPut64(UInt64(asked), at: at + AccessVariableLayout.dataSize)
            b.mmPut64(UInt64(size), at: at + AccessVariableLayout.nameSize)
            b.mmPut32(0, at: at + AccessVariableLayout.attributes)
            b.mmPut(UnsafeRawBufferPointer(rebasing: name[0..<size]), at: at + AccessVariableLayout.name)
            return fixed + asked
        }, decodes: { _ in true }, answer: { status, m in
            // The payload is decoded once, here: a malformed one is EFI_DEVICE_ERROR whatever
            // the status, an empty one only for a status that carries no payload.
            guard m.payloadLength > 0 else {
                return VariableReadResult(status: status == .success || status == .bufferTooSmall ? .deviceError : status)
            }
            guard let v = try? AccessVariableView(m, dataMustFit: false) else { return VariableReadResult(status: .deviceError) }
            guard status == .success || status == .bufferTooSmall else { return VariableReadResult(status: status) }
            if status == .bufferTooSmall {
                // The size needed must exceed what we offered, or the answer makes no sense.
                guard v.dataSize > UInt64(asked) else { return VariableReadResult(status: .deviceError) }
                return VariableReadResult(status: .bufferTooSmall, attributes: v.attributes, dataSize: v.dataSize)
            }
            guard v.dataSize <= UInt64(v.dataAvailable), v.dataSize <= UInt64(asked) else {
                return VariableReadResult(status: .deviceError)
            }
            let n = Int(v.dataSize)
            data.mmPut(UnsafeRawBufferPointer(rebasing: m.raw[v.dataOffset..<(v.dataOffset + n)]), at: 0)
            return VariableReadResult(status: .success, attributes: v.attributes, dataSize: v.dataSize)
        }, failed: { VariableReadResult(status: $0) })
    }

    /// GetVariable. `name` is UCS-2LE up to its first NUL; `dataSize` is the caller's buffer.
    /// A buffer larger than the payload allows is trimmed (the partition then answers
    /// EFI_BUFFER_TOO_SMALL with the size needed, and the attributes, UEFI 2.7+).
    public mutating func getVariable(name: [UInt8], guid: EFIGuid, dataSize: Int) -> VariableReadResult {
        guard dataSize >= 0 else { return VariableReadResult(status: .invalidParameter) }
        let bounded = dataSize < transport.bufferSize ? dataSize : transport.bufferSize
        var data = [UInt8]()
        var result = VariableReadResult(status: .invalidParameter)
        data = [UInt8](unsafeUninitializedCapacity: bounded) { buffer, initialised in
            result = getVariable(name: name, guid: guid, into: UnsafeMutableRawBufferPointer(buffer))
            initialised = result.status == .success ? Int(result.dataSize) : 0
        }
        result.data = data
        return result
    }

    /// SetVariable. An empty name is EFI_INVALID_PARAMETER, as is a name and data the payload
    /// cannot carry (checked before anything is sent).
    public mutating func setVariable(name: [UInt8], guid: EFIGuid, attributes: UInt32, data: [UInt8]) -> EFIStatus {
        data.withUnsafeBytes { setVariable(name: name, guid: guid, attributes: attributes, data: $0) }
    }

    /// SetVariable with the data in the caller's buffer: no array is built.
    public mutating func setVariable(name: [UInt8], guid: EFIGuid, attributes: UInt32, data: UnsafeRawBufferPointer) -> EFIStatus {
        name.withUnsafeBytes { setVariable(rawName: $0, guid: guid, attributes: attributes, data: data) }
    }

    /// The same with the name in a buffer (the runtime service's caller's). One copy for the
    /// shell's and the runtime service's calls (and the entry `make bench`'s profile steps from).
    @inline(never)
    public mutating func setVariable(rawName name: UnsafeRawBufferPointer, guid: EFIGuid, attributes: UInt32,
                                     data: UnsafeRawBufferPointer) -> EFIStatus {
        guard let size = UCS2.terminatedSize(name), size > 2 else { return .invalidParameter }
        let payload = AccessVariableLayout.name + size + data.count
        return call(.setVariable, checkedPayload: payload, payload: { b in
            let at = MMMessageView.payloadOffset
            b.mmPutGuid(guid, at: at + AccessVariableLayout.guid)
            b.mmPut64(UInt64(data.count), at: at + AccessVariableLayout.dataSize)
            b.mmPut64(UInt64(size), at: at + AccessVariableLayout.nameSize)
            b.mmPut32(attributes, at: at + AccessVariableLayout.attributes)
            b.mmPut(UnsafeRawBufferPointer(rebasing: name[0..<size]), at: at + AccessVariableLayout.name)
            b.mmPut(data, at: at + AccessVariableLayout.name + size)
            return payload
        }, decodes: { _ in true }, answer: { status, _ in status }, failed: { $0 })
    }

    /// QueryVariableInfo for the variables with `attributes`. One copy for the shell's and the
    /// runtime service's calls.
    @inline(never)
    public mutating func queryVariableInfo(attributes: UInt32) -> VariableInfoResult {
        call(.queryVariableInfo, checkedPayload: QueryVariableInfoMessage.size, payload: { b in
            let at = MMMessageView.payloadOffset
            for i in stride(from: 0, to: QueryVariableInfoMessage.size, by: 8) { b.mmPut64(0, at: at + i) }
            b.mmPut32(attributes, at: at + 24)
            return QueryVariableInfoMessage.size
        }, decodes: { $0.payloadLength >= QueryVariableInfoMessage.size }, answer: { status, m in
            guard status == .success else { return VariableInfoResult(status: status) }
            guard m.payloadLength >= QueryVariableInfoMessage.size else { return VariableInfoResult(status: .deviceError) }
            let at = MMMessageView.payloadOffset
            return VariableInfoResult(status: .success, maximumVariableStorageSize: m.raw.mmLE64(at),
                                      remainingVariableStorageSize: m.raw.mmLE64(at + 8),
                                      maximumVariableSize: m.raw.mmLE64(at + 16))
        }, failed: { VariableInfoResult(status: $0) })
    }
}
