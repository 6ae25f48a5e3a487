import MM
import Variables

/// The fallback when no MM partition answers: the partition's variable store run in process over
/// RAM, serving the same MM messages in place (MM's views over the message, as the partition's
/// in-place path reads them). Same messages, same rules; nothing survives a reset. It carries no
/// message codec of its own: no request is decoded into, or answer encoded from, arrays.
public struct VolatileMMTransport: MMTransport {
    public var store: VariableStore<FallbackPersistence>
    public let bufferSize: Int
    /// The GET_PAYLOAD_SIZE answer, as the partition's handler chooses it.
    public let payloadSize: Int

    public init(persistence: InMemoryPersistence = InMemoryPersistence(),
                limits: VariableStoreLimits = VariableStoreLimits(),
                bufferSize: Int = MMVariableService.sharedBufferSize) {
        let size = bufferSize < Self.minimumBufferSize ? Self.minimumBufferSize : bufferSize
        self.store = VariableStore(persistence: FallbackPersistence(persistence), limits: limits)
        self.bufferSize = size
        let nv = persistence.maximumVariableSize, volatile = limits.maximumVolatileVariableSize
        self.payloadSize = MMVariableService.payloadSize(maximumVariableSize: nv > volatile ? nv : volatile, bufferSize: size)
    }

    /// What the handler needs to hold both headers and the least payload U-Boot accepts.
    public static var minimumBufferSize: Int { SMMVariableFrame.payloadOffset + MMVariableService.minimumPayloadSize }

    /// The whole-message form (tests, fakes): the request copied into a buffer, served there.
    public mutating func communicate(_ request: [UInt8]) throws(MMTransportError) -> [UInt8] {
        try MMTransportError.checkRequest(request, bufferSize: bufferSize)
        return try exchange({ b in
            request.withUnsafeBytes { b.mmPut($0, at: 0) }
            return request.count
        }, { [UInt8]($0) })
    }

    /// The request is built in a buffer of `bufferSize` bytes and answered over itself.
    public mutating func exchange<R>(_ build: (UnsafeMutableRawBufferPointer) -> Int,
                                     _ read: (UnsafeRawBufferPointer) -> R) throws(MMTransportError) -> R {
        var message = [UInt8](repeating: 0, count: bufferSize)
        var outcome: Result<R, MMTransportError> = .failure(.malformedRequest)
        message.withUnsafeMutableBytes { buffer in
            let n = build(buffer)
            guard n >= 0, n <= buffer.count else { outcome = .failure(.messageTooLarge); return }
            do throws(MMTransportError) {
                try MMTransportError.checkRequest(UnsafeRawBufferPointer(buffer), count: n, bufferSize: bufferSize)
                let guid = UnsafeRawBufferPointer(buffer).mmGuid(0)
                // The handler reads the request, and writes its answer, within the request's bytes.
                let code = serve(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n]))
                guard code == .success else { throw .mmReturn(UInt32(bitPattern: code.rawValue)) }
                let total = try MMTransportError.checkResponse(UnsafeRawBufferPointer(buffer), requestCount: n, guid: guid)
                outcome = .success(read(UnsafeRawBufferPointer(rebasing: buffer[0..<total])))
            } catch {
                outcome = .failure(error)
            }
        }
        return try outcome.get()
    }

    /// One message where it lies: the answer overwrites the request. A message that is not a
    /// variable-protocol message is refused with an MM return code (nothing written); a payload
    /// that does not decode is answered with the ReturnStatus its fault maps to, as the
    /// partition answers it.
    mutating func serve(_ bytes: UnsafeMutableRawBufferPointer) -> MMReturnCode {
        let m: MMMessageView
        do throws(MMDecodeError) {
            m = try MMMessageView(bytes)
        } catch {
            return error.mmReturnCode
        }
        do throws(MMDecodeError) {
            let (status, length) = try answer(m)
            MMMessageView.writeHeaders(bytes, function: m.function, status: status, payloadLength: length)
        } catch {
            MMMessageView.writeHeaders(bytes, function: m.function, status: error.returnStatus, payloadLength: 0)
        }
        return .success
    }

    /// The answer's ReturnStatus and payload length, its payload written in place.
    mutating func answer(_ m: MMMessageView) throws(MMDecodeError) -> (EFIStatus, Int) {
        let at = MMMessageView.payloadOffset, out = m.bytes
        switch SMMVariableFunction(rawValue: m.function) {
        case .getVariable:
            let v = try AccessVariableView(m, dataMustFit: true)
            let name = UnsafeRawBufferPointer(rebasing: m.raw[v.nameOffset..<(v.nameOffset + v.nameSize)])
            let result = read(name, guid: v.guid, dataSize: v.dataSize)
            guard result.status == .success || result.status == .bufferTooSmall else { return (result.status, 0) }
            if result.status == .success { store.copy(result, to: out, at: v.dataOffset) }
            out.mmPut64(result.dataSize, at: at + AccessVariableLayout.dataSize)
            out.mmPut32(result.attributes, at: at + AccessVariableLayout.attributes)
            let data = result.status == .success ? Int(result.dataSize) : 0
            return (result.status, AccessVariableLayout.name + v.nameSize + data)

        case .setVariable:
            let v = try AccessVariableView(m, dataMustFit: true)
            let name = [UInt8](UnsafeRawBufferPointer(rebasing: m.raw[v.nameOffset..<(v.nameOffset + v.nameSize)]))
            let data = [UInt8](UnsafeRawBufferPointer(rebasing: m.raw[v.dataOffset..<(v.dataOffset + Int(v.dataSize))]))
            return (write(name, guid: v.guid, attributes: v.attributes, data: data), 0)

        case .getNextVariableName:
            let v = try GetNextVariableNameView(m)
            let buffer = UnsafeRawBufferPointer(rebasing: m.raw[v.nameOffset..<(v.nameOffset + v.nameSize)])
            let result = next(after: buffer, guid: v.guid)
            guard result.status == .success || result.status == .bufferTooSmall else { return (result.status, 0) }
            out.mmPut64(result.nameSize, at: at + GetNextVariableNameLayout.nameSize)
            guard result.status == .success, result.name.count <= v.nameSize else {
                return (.bufferTooSmall, GetNextVariableNameLayout.name)
            }
            out.mmPutGuid(result.guid, at: at + GetNextVariableNameLayout.guid)
            result.name.withUnsafeBytes { out.mmPut($0, at: v.nameOffset) }
            return (.success, GetNextVariableNameLayout.name + result.name.count)

        case .queryVariableInfo:
            guard m.payloadLength >= QueryVariableInfoMessage.size else { throw .truncatedPayload }
            let result = query(m.raw.mmLE32(at + 24))
            guard result.status == .success else { return (result.status, 0) }
            out.mmPut64(result.maximumVariableStorageSize, at: at)
            out.mmPut64(result.remainingVariableStorageSize, at: at + 8)
            out.mmPut64(result.maximumVariableSize, at: at + 16)
            out.mmPut32(0, at: at + 28)  // tail padding, as the encoder writes it
            return (.success, QueryVariableInfoMessage.size)

        case .readyToBoot:
            return (store.readyToBoot(), 0)

        case .exitBootService:
            return (store.exitBootServices(), 0)

        case .varCheckVariablePropertySet:
            let (guid, name) = try Self.propertyKey(m)
            let p = VarCheckPropertyMessage.Layout.property + at
            let property = VarCheckVariableProperty(
                revision: UInt16(truncatingIfNeeded: m.raw.mmLE32(p)), property: UInt16(truncatingIfNeeded: m.raw.mmLE32(p) >> 16),
                attributes: m.raw.mmLE32(p + 4), minSize: m.raw.mmLE64(p + 8), maxSize: m.raw.mmLE64(p + 16))
            return (setProperty(name, guid: guid, property), 0)

        case .varCheckVariablePropertyGet:
            let (guid, name) = try Self.propertyKey(m)
            let result = property(name, guid: guid)
            guard result.status == .success else { return (result.status, 0) }
            let p = VarCheckPropertyMessage.Layout.property + at, property = result.property
            out.mmPut32(UInt32(property.revision) | UInt32(property.property) << 16, at: p)
            out.mmPut32(property.attributes, at: p + 4)
            out.mmPut64(property.minSize, at: p + 8)
            out.mmPut64(property.maxSize, at: p + 16)
            return (.success, VarCheckPropertyMessage.Layout.name + name.count)

        case .getPayloadSize:
            guard m.payloadLength >= GetPayloadSizeMessage.size else { throw .truncatedPayload }
            out.mmPut64(UInt64(payloadSize), at: at)
            return (.success, GetPayloadSizeMessage.size)

        default:
            throw .unsupportedFunction(m.function)
        }
    }

    // The store's calls, each out of line and `mutating` (the store by reference, not copied into
    // registers): inlined into `answer`'s one switch they took 700 bytes more.
    @inline(never)
    mutating func read(_ name: UnsafeRawBufferPointer, guid: EFIGuid, dataSize: UInt64) -> InPlaceRead {
        store.getVariable(rawName: name, guid: guid, dataSize: dataSize)
    }

    @inline(never)
    mutating func write(_ name: [UInt8], guid: EFIGuid, attributes: UInt32, data: [UInt8]) -> EFIStatus {
        store.setVariable(name: name, guid: guid, attributes: attributes, data: data)
    }

    @inline(never)
    mutating func next(after name: UnsafeRawBufferPointer, guid: EFIGuid) -> NextVariableNameResult {
        store.nextVariableName(rawNameBuffer: name, guid: guid)
    }

    @inline(never)
    mutating func query(_ attributes: UInt32) -> VariableInfoResult { store.queryVariableInfo(attributes: attributes) }

    @inline(never)
    mutating func setProperty(_ name: [UInt8], guid: EFIGuid, _ property: VarCheckVariableProperty) -> EFIStatus {
        store.setProperty(name: name, guid: guid, property: property)
    }

    @inline(never)
    mutating func property(_ name: [UInt8], guid: EFIGuid) -> (status: EFIStatus, property: VarCheckVariableProperty) {
        store.property(name: name, guid: guid)
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

/// The transport the variable client runs over, chosen at run time: one concrete type, so the
/// image holds one `VariableClient<SelectedMMTransport<…>>` whichever was found. A struct with
/// one of two members set, not an enum: a call mutates the chosen transport in place, where an
/// enum's payload would be copied out and back on every message.
public struct SelectedMMTransport<F: MMTransport>: MMTransport {
    var ffaTransport: F?
    var volatileTransport: VolatileMMTransport?

    public static func ffa(_ t: F) -> SelectedMMTransport { SelectedMMTransport(ffaTransport: t, volatileTransport: nil) }
    public static func volatile(_ t: VolatileMMTransport) -> SelectedMMTransport {
        SelectedMMTransport(ffaTransport: nil, volatileTransport: t)
    }

    public var bufferSize: Int { ffaTransport?.bufferSize ?? volatileTransport?.bufferSize ?? 0 }

    public var isVolatile: Bool { ffaTransport == nil }

    public mutating func communicate(_ request: [UInt8]) throws(MMTransportError) -> [UInt8] {
        if ffaTransport != nil { return try ffaTransport!.communicate(request) }
        return try volatileTransport!.communicate(request)
    }

    public mutating func exchange<R>(_ build: (UnsafeMutableRawBufferPointer) -> Int,
                                     _ read: (UnsafeRawBufferPointer) -> R) throws(MMTransportError) -> R {
        if ffaTransport != nil { return try ffaTransport!.exchange(build, read) }
        return try volatileTransport!.exchange(build, read)
    }
}
