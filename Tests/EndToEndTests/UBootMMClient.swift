import ABI

/// U-Boot's MM variable client over FF-A (CONFIG_FFA_SHARED_MM_BUF_ADDR = 0x4010_0000,
/// _SIZE = 64 KiB, _OFFSET = 0).
struct UBootMMClient {
    var bus: UBootFFABus
    var mmSPID: UInt16 = 0
    var maxPayloadSize = 0
    var maxBufferSize = 0
    /// The raw answer of every MM exchange: the whole communication buffer after the call.
    private(set) var exchanges: [(function: UInt64, request: [UInt8], response: [UInt8], status: UInt64)] = []

    static let sharedAddress = Board.mmBuffer
    static let sharedSize = Board.mmBufferSize
    static let sharedOffset: UInt64 = 0

    /// MM_SP_UUID "33d532ed-e699-0942-c09c-a798d9cd722d" through `uuid_str_to_le_bin`.
    static let mmUUIDWords: (UInt32, UInt32, UInt32, UInt32) = (0x33d5_32ed, 0x0942_e699, 0x722d_c09c, 0xa798_d9cd)
    /// EFI_MM_VARIABLE_GUID as stored in HeaderGuid.
    static let mmVariableGuidBytes: [UInt8] = [0x33, 0xd5, 0x32, 0xed, 0xe6, 0x99, 0x09, 0x42,
                                               0x9c, 0xc0, 0x2d, 0x72, 0xcd, 0xd9, 0x98, 0xa7]

    // Struct sizes on AArch64 (include/mm_communication.h).
    static let MM_COMMUNICATE_HEADER_SIZE = 24        // efi_guid_t + size_t, data[]
    static let MM_VARIABLE_COMMUNICATE_SIZE = 16      // function + ret_status, data[]
    static let MM_VARIABLE_ACCESS_HEADER_SIZE = 40    // sizeof(smm_variable_access): name at 36, padded to 40
    static let MM_VARIABLE_GET_NEXT_HEADER_SIZE = 24  // sizeof(smm_variable_getnext)
    static let SMM_VARIABLE_QUERY_INFO_SIZE = 32      // sizeof(smm_variable_query_info)
    static let VAR_CHECK_PROPERTY_HEADER_SIZE = 48    // sizeof(smm_variable_var_check_property)
    static let payloadOffset = 40                     // comm header + variable header

    static let GET_VARIABLE: UInt64 = 1, GET_NEXT_VARIABLE_NAME: UInt64 = 2, SET_VARIABLE: UInt64 = 3
    static let QUERY_VARIABLE_INFO: UInt64 = 4, EXIT_BOOT_SERVICE: UInt64 = 6
    static let VAR_CHECK_VARIABLE_PROPERTY_SET: UInt64 = 9, VAR_CHECK_VARIABLE_PROPERTY_GET: UInt64 = 10
    static let GET_PAYLOAD_SIZE: UInt64 = 11

    init(bus: UBootFFABus) { self.bus = bus }

    /// `setup_mm_hdr`: a zeroed (calloc) buffer with both headers; nil when it would exceed the
    /// buffer size learnt from GET_PAYLOAD_SIZE (EFI_INVALID_PARAMETER).
    func setupMMHeader(payloadSize: Int, function: UInt64) -> [UInt8]? {
        let total = Self.MM_COMMUNICATE_HEADER_SIZE + Self.MM_VARIABLE_COMMUNICATE_SIZE + payloadSize
        if maxBufferSize != 0 && maxBufferSize < total { return nil }
        var buf = [UInt8](repeating: 0, count: total)
        buf.replaceSubrange(0..<16, with: Self.mmVariableGuidBytes)
        storeLE(UInt64(Self.MM_VARIABLE_COMMUNICATE_SIZE + payloadSize), width: 8, into: &buf, at: 16)
        storeLE(function, width: 8, into: &buf, at: 24)
        return buf
    }

    /// `ffa_discover_mm_sp_id`: the cached partitions the MM UUID names; the first is used.
    mutating func discoverMMSPID() -> Errno {
        if !bus.partitions.contains(where: { $0.uuid.map { $0 == Self.mmUUIDWords } ?? false }) {
            let (e, count) = bus.queryPartitionsInfo(uuid: Self.mmUUIDWords)
            guard e == .ok else { return e }
            guard count > 0 else { return .enodata }
        }
        guard let first = bus.partitions.first(where: { $0.uuid.map { $0 == Self.mmUUIDWords } ?? false }) else {
            return .enodata
        }
        mmSPID = first.id
        return .ok
    }

    /// `ffa_mm_communicate` + `mm_communicate`: copy to the shared buffer, DIRECT_REQ_64 with
    /// x3 = the offset, map x3 (MM return code) to an errno and that to an EFI status, copy
    /// `MessageLength + 24` bytes back, and return the variable header's ReturnStatus.
    mutating func mmCommunicate(_ buf: inout [UInt8]) -> UInt64 {
        let request = buf
        let status = communicate(&buf)
        exchanges.append((loadLE(width: 8, from: request, at: 24), request, buf, status))
        return status
    }

    private mutating func communicate(_ buf: inout [UInt8]) -> UInt64 {
        if mmSPID == 0 && discoverMMSPID() != .ok { return EFIRaw.unsupported }
        let txSize = loadLE(width: 8, from: buf, at: 16) &+ 24
        guard UInt64(buf.count) == txSize, txSize <= UInt64(Self.sharedSize) else { return EFIRaw.invalidParameter }
        bus.ram.write(buf, at: Self.sharedAddress)

        var data: [UInt64] = [Self.sharedOffset, 0, 0, 0, 0]
        var e = bus.syncSendReceive(to: mmSPID, data: &data, is64: true)
        if e == .ok {
            // ffa_notify_mm_sp: sp_event_ret = (int)x3.
            switch Int32(truncatingIfNeeded: data[0]) {
            case 0: e = .ok
            case -1: e = .einval
            case -2: e = .eperm
            case -3: e = .eacces
            case -5: e = .ebusy
            default: e = .eacces
            }
        }
        switch e {
        case .ok:
            guard let header = bus.ram.read(Self.sharedAddress, count: 24) else { return EFIRaw.deviceError }
            let rxSize = loadLE(width: 8, from: header, at: 16) &+ 24
            guard rxSize <= UInt64(buf.count), let back = bus.ram.read(Self.sharedAddress, count: Int(rxSize)) else {
                return EFIRaw.outOfResources
            }
            buf.replaceSubrange(0..<back.count, with: back)
            return loadLE(width: 8, from: buf, at: 32)
        case .einval: return EFIRaw.deviceError
        case .eperm: return EFIRaw.invalidParameter
        case .eacces: return EFIRaw.accessDenied
        case .ebusy: return EFIRaw.outOfResources
        default: return EFIRaw.accessDenied
        }
    }

    /// `get_max_payload` as `efi_init_variables` uses it: at least 40 + 0x20, then minus 2.
    mutating func initVariables() -> (status: UInt64, reported: UInt64) {
        guard var buf = setupMMHeader(payloadSize: 8, function: Self.GET_PAYLOAD_SIZE) else { return (EFIRaw.invalidParameter, 0) }
        let status = mmCommunicate(&buf)
        guard status == EFIRaw.success else { return (status, 0) }
        let size = loadLE(width: 8, from: buf, at: Self.payloadOffset)
        guard size >= UInt64(Self.MM_VARIABLE_ACCESS_HEADER_SIZE + 0x20) else { return (EFIRaw.deviceError, size) }
        maxPayloadSize = Int(size) - 2
        maxBufferSize = Self.MM_COMMUNICATE_HEADER_SIZE + Self.MM_VARIABLE_COMMUNICATE_SIZE + maxPayloadSize
        return (EFIRaw.success, size)
    }

    /// `get_property_int`: VAR_CHECK_VARIABLE_PROPERTY_GET; EFI_NOT_FOUND reads as "no property".
    mutating func getProperty(name: [UInt8], guid: [UInt8]) -> (status: UInt64, property: UInt16) {
        let payload = Self.VAR_CHECK_PROPERTY_HEADER_SIZE + name.count
        guard payload <= maxPayloadSize, var buf = setupMMHeader(payloadSize: payload, function: Self.VAR_CHECK_VARIABLE_PROPERTY_GET) else {
            return (EFIRaw.invalidParameter, 0)
        }
        let p = Self.payloadOffset
        buf.replaceSubrange(p..<(p + 16), with: guid)
        storeLE(UInt64(name.count), width: 8, into: &buf, at: p + 16)
        buf.replaceSubrange((p + 48)..<(p + 48 + name.count), with: name)
        var status = mmCommunicate(&buf)
        if status == EFIRaw.notFound { status = EFIRaw.success; return (status, 0) }
        guard status == EFIRaw.success else { return (status, 0) }
        return (status, UInt16(loadLE(width: 2, from: buf, at: p + 24 + 2)))
    }

    /// `set_property_int`: VAR_CHECK_VARIABLE_PROPERTY_SET, the property at 24, the name at 48.
    mutating func setProperty(name: [UInt8], guid: [UInt8], revision: UInt16, property: UInt16,
                              attributes: UInt32, minSize: UInt64, maxSize: UInt64) -> UInt64 {
        let payload = Self.VAR_CHECK_PROPERTY_HEADER_SIZE + name.count
        guard payload <= maxPayloadSize, var buf = setupMMHeader(payloadSize: payload, function: Self.VAR_CHECK_VARIABLE_PROPERTY_SET) else {
            return EFIRaw.invalidParameter
        }
        let p = Self.payloadOffset
        buf.replaceSubrange(p..<(p + 16), with: guid)
        storeLE(UInt64(name.count), width: 8, into: &buf, at: p + 16)
        storeLE(UInt64(revision), width: 2, into: &buf, at: p + 24)
        storeLE(UInt64(property), width: 2, into: &buf, at: p + 26)
        storeLE(UInt64(attributes), width: 4, into: &buf, at: p + 28)
        storeLE(minSize, width: 8, into: &buf, at: p + 32)
        storeLE(maxSize, width: 8, into: &buf, at: p + 40)
        buf.replaceSubrange((p + 48)..<(p + 48 + name.count), with: name)
        return mmCommunicate(&buf)
    }

    /// The SET_VARIABLE buffer: payload 40 + NameSize + DataSize, the name at 36, the data right
    /// after it (so 4 spare bytes at the end).
    func setVariableMessage(name: [UInt8], guid: [UInt8], attributes: UInt32, data: [UInt8]) -> [UInt8]? {
        let payload = Self.MM_VARIABLE_ACCESS_HEADER_SIZE + name.count + data.count
        guard payload <= maxPayloadSize, var buf = setupMMHeader(payloadSize: payload, function: Self.SET_VARIABLE) else {
            return nil
        }
        let p = Self.payloadOffset
        buf.replaceSubrange(p..<(p + 16), with: guid)
        storeLE(UInt64(data.count), width: 8, into: &buf, at: p + 16)
        storeLE(UInt64(name.count), width: 8, into: &buf, at: p + 24)
        storeLE(UInt64(attributes), width: 4, into: &buf, at: p + 32)
        buf.replaceSubrange((p + 36)..<(p + 36 + name.count), with: name)
        buf.replaceSubrange((p + 36 + name.count)..<(p + 36 + name.count + data.count), with: data)
        return buf
    }

    /// EFI_VARIABLE_READ_ONLY: U-Boot's own attribute bit, never sent to the partition.
    static let EFI_VARIABLE_READ_ONLY: UInt32 = 0x8000_0000

    /// `efi_set_variable_int`: the property check, then SET_VARIABLE; a new read-only variable
    /// then gets its property (MinSize 1, MaxSize its size). With `roCheck` (SetVariable from
    /// callers, `setenv -e`) a read-only property refuses the write here; without it (U-Boot's
    /// own start-up writes) the property is cleared first and set again afterwards.
    mutating func setVariable(name: [UInt8], guid: [UInt8], attributes rawAttributes: UInt32, data: [UInt8],
                              roCheck: Bool = true) -> UInt64 {
        guard name.count > 2 else { return EFIRaw.invalidParameter }
        let readOnly = rawAttributes & Self.EFI_VARIABLE_READ_ONLY != 0
        let attributes = rawAttributes & 0x7F
        guard var buf = setVariableMessage(name: name, guid: guid, attributes: attributes, data: data) else {
            return EFIRaw.invalidParameter
        }
        var (propertyStatus, property) = getProperty(name: name, guid: guid)
        guard propertyStatus == EFIRaw.success else { return propertyStatus }
        if property & 1 != 0 {
            guard !roCheck else { return EFIRaw.writeProtected }
            property &= ~1
            let cleared = setProperty(name: name, guid: guid, revision: 1, property: property, attributes: attributes,
                                      minSize: 1, maxSize: UInt64(data.count))
            guard cleared == EFIRaw.success else { return cleared }
        }
        var status = mmCommunicate(&buf)
        let p = Self.payloadOffset
        if readOnly && property & 1 == 0 {
            let set = setProperty(name: name, guid: guid, revision: 1, property: 1, attributes: attributes,
                                  minSize: 1, maxSize: loadLE(width: 8, from: buf, at: p + 16))
            if status == EFIRaw.success { status = set }
        }
        return status
    }

    /// `efi_get_variable_int` with an attributes pointer: GET_VARIABLE with the data size trimmed
    /// to the payload, then the property (for EFI_VARIABLE_READ_ONLY), also on BUFFER_TOO_SMALL.
    mutating func getVariable(name: [UInt8], guid: [UInt8], dataSize: Int)
        -> (status: UInt64, attributes: UInt32, dataSize: UInt64, data: [UInt8]) {
        guard name.count <= maxPayloadSize - Self.MM_VARIABLE_ACCESS_HEADER_SIZE else { return (EFIRaw.invalidParameter, 0, 0, []) }
        var asked = dataSize
        if name.count + asked > maxPayloadSize - Self.MM_VARIABLE_ACCESS_HEADER_SIZE {
            asked = maxPayloadSize - Self.MM_VARIABLE_ACCESS_HEADER_SIZE - name.count
        }
        let payload = Self.MM_VARIABLE_ACCESS_HEADER_SIZE + name.count + asked
        guard var buf = setupMMHeader(payloadSize: payload, function: Self.GET_VARIABLE) else { return (EFIRaw.invalidParameter, 0, 0, []) }
        let p = Self.payloadOffset
        buf.replaceSubrange(p..<(p + 16), with: guid)
        storeLE(UInt64(asked), width: 8, into: &buf, at: p + 16)
        storeLE(UInt64(name.count), width: 8, into: &buf, at: p + 24)
        buf.replaceSubrange((p + 36)..<(p + 36 + name.count), with: name)
        var status = mmCommunicate(&buf)
        guard status == EFIRaw.success || status == EFIRaw.bufferTooSmall else { return (status, 0, 0, []) }
        let reportedSize = loadLE(width: 8, from: buf, at: p + 16)
        let attributes = UInt32(loadLE(width: 4, from: buf, at: p + 32))
        let reportedName = Int(loadLE(width: 8, from: buf, at: p + 24))
        let snapshot = buf
        let (propertyStatus, property) = getProperty(name: name, guid: guid)
        if propertyStatus != EFIRaw.success { status = propertyStatus }
        let attributesSeen = property & 1 != 0 ? attributes | Self.EFI_VARIABLE_READ_ONLY : attributes
        guard status == EFIRaw.success else { return (status, attributesSeen, reportedSize, []) }
        let start = p + 36 + reportedName
        guard reportedSize <= UInt64(snapshot.count - start) else { return (EFIRaw.deviceError, attributesSeen, reportedSize, []) }
        return (status, attributesSeen, reportedSize, Array(snapshot[start..<(start + Int(reportedSize))]))
    }

    /// `efi_get_next_variable_name_int`: NameSize = the caller's buffer (trimmed to the payload),
    /// the previous name copied in and the rest of the buffer zeroed.
    mutating func getNextVariableName(nameSize: Int, name: [UInt8], guid: [UInt8])
        -> (status: UInt64, nameSize: UInt64, name: [UInt8], guid: [UInt8]) {
        var outSize = nameSize
        let inSize = name.count
        guard outSize >= inSize, inSize <= maxPayloadSize - Self.MM_VARIABLE_GET_NEXT_HEADER_SIZE else {
            return (EFIRaw.invalidParameter, 0, [], guid)
        }
        if outSize > maxPayloadSize - Self.MM_VARIABLE_GET_NEXT_HEADER_SIZE {
            outSize = maxPayloadSize - Self.MM_VARIABLE_GET_NEXT_HEADER_SIZE
        }
        guard var buf = setupMMHeader(payloadSize: Self.MM_VARIABLE_GET_NEXT_HEADER_SIZE + outSize,
                                      function: Self.GET_NEXT_VARIABLE_NAME) else { return (EFIRaw.invalidParameter, 0, [], guid) }
        let p = Self.payloadOffset
        buf.replaceSubrange(p..<(p + 16), with: guid)
        storeLE(UInt64(outSize), width: 8, into: &buf, at: p + 16)
        buf.replaceSubrange((p + 24)..<(p + 24 + inSize), with: name)
        let status = mmCommunicate(&buf)
        guard status == EFIRaw.success || status == EFIRaw.bufferTooSmall else { return (status, 0, [], guid) }
        let reported = loadLE(width: 8, from: buf, at: p + 16)
        guard status == EFIRaw.success else { return (status, reported, [], guid) }
        guard reported <= UInt64(buf.count - (p + 24)) else { return (EFIRaw.deviceError, reported, [], guid) }
        return (status, reported, Array(buf[(p + 24)..<(p + 24 + Int(reported))]), Array(buf[p..<(p + 16)]))
    }

    /// `efi_query_variable_info_int`.
    mutating func queryVariableInfo(attributes: UInt32) -> (status: UInt64, maxStorage: UInt64, remaining: UInt64, maxSize: UInt64) {
        guard var buf = setupMMHeader(payloadSize: Self.SMM_VARIABLE_QUERY_INFO_SIZE, function: Self.QUERY_VARIABLE_INFO) else {
            return (EFIRaw.invalidParameter, 0, 0, 0)
        }
        let p = Self.payloadOffset
        storeLE(UInt64(attributes), width: 4, into: &buf, at: p + 24)
        let status = mmCommunicate(&buf)
        guard status == EFIRaw.success else { return (status, 0, 0, 0) }
        return (status, loadLE(width: 8, from: buf, at: p), loadLE(width: 8, from: buf, at: p + 8),
                loadLE(width: 8, from: buf, at: p + 16))
    }

    /// `efi_variables_boot_exit_notify`: EXIT_BOOT_SERVICE with no payload.
    mutating func exitBootServicesNotify() -> UInt64 {
        guard var buf = setupMMHeader(payloadSize: 0, function: Self.EXIT_BOOT_SERVICE) else { return EFIRaw.notFound }
        return mmCommunicate(&buf)
    }

    /// Every (GUID, name) from L"" to EFI_NOT_FOUND, as `efi_var_collect` walks them; nil on any
    /// other status. Bounded.
    mutating func allVariableNames(bufferSize: Int = 128) -> [(guid: [UInt8], name: [UInt8])]? {
        var found: [(guid: [UInt8], name: [UInt8])] = []
        var name: [UInt8] = [0, 0]
        var guid = [UInt8](repeating: 0, count: 16)
        for _ in 0..<1024 {
            let next = getNextVariableName(nameSize: bufferSize, name: name, guid: guid)
            if next.status == EFIRaw.notFound { return found }
            guard next.status == EFIRaw.success else { return nil }
            found.append((next.guid, next.name))
            name = next.name
            guid = next.guid
        }
        return nil
    }
}
