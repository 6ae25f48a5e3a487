import ABI
import MM

/// What an MM message must bring back.
enum HostileMMExpect {
    /// A transport fault: this MM return code (FFA_ERROR for the address form), buffer untouched.
    case refused(MMReturnCode)
    /// Accepted: ReturnStatus = this status and no payload (MessageLength 16).
    case status(EFIStatus)
    /// Accepted with a payload: these exact bytes from the start of the message.
    case response([UInt8])
}

/// MM messages in the shared buffer: built by byte offsets (EDK2 layouts, see Sources/MM), then
/// broken on purpose.
enum HostileMessage {
    static let bufferSize = 0x1_0000
    static let header = 24
    static let functionGetVariable: UInt64 = 1
    static let functionSetVariable: UInt64 = 3
    static let functionGetPayloadSize: UInt64 = 11
    static let guid = EFIGuid(0x4853_4f54, 0x494c, 0x4545, (0x8d, 0x1a, 0x6b, 0x3c, 0x2e, 0x90, 0x47, 0x51))

    static func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }

    static func put64(_ v: UInt64, into b: inout [UInt8], at o: Int) {
        for i in 0..<8 where o + i < b.count { b[o + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
    }

    static func read64(_ b: [UInt8], at o: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 where o + i < b.count { v |= UInt64(b[o + i]) << (8 * UInt64(i)) }
        return v
    }

    /// EFI_MM_COMMUNICATE_HEADER (GUID, MessageLength) and SMM_VARIABLE_COMMUNICATE_HEADER
    /// (Function, ReturnStatus = EFI_NOT_READY), then `payload`.
    static func frame(guid: EFIGuid = .smmVariableProtocol, length: UInt64? = nil, function: UInt64,
                      status: EFIStatus = .notReady, payload: [UInt8]) -> [UInt8] {
        guid.bytes + le64(length ?? UInt64(16 + payload.count)) + le64(function) + le64(status.rawValue) + payload
    }

    /// SMM_VARIABLE_COMMUNICATE_ACCESS_VARIABLE: Guid 0, DataSize 16, NameSize 24, Attributes 32,
    /// Name 36, Data after the name.
    static func access(dataSize: UInt64, nameSize: UInt64? = nil, attributes: UInt32 = 0,
                       name: [UInt8], data: [UInt8]) -> [UInt8] {
        guid.bytes + le64(dataSize) + le64(nameSize ?? UInt64(name.count)) + le32(attributes) + name + data
    }

    /// SMM_VARIABLE_COMMUNICATE_VAR_CHECK_VARIABLE_PROPERTY: Guid 0, NameSize 16, property 24,
    /// Name 48.
    static func property(nameSize: UInt64? = nil, name: [UInt8]) -> [UInt8] {
        guid.bytes + le64(nameSize ?? UInt64(name.count)) + [UInt8](repeating: 0, count: 24) + name
    }

    static let keepName = UCS2.fromASCII("HostileKeep")
    static let missingName = UCS2.fromASCII("HostileMissing")
    static let badName = UCS2.fromASCII("HostileBad")

    /// A GET_VARIABLE answer: the request's name, the attributes, DataSize, the data.
    static func getVariableAnswer(name: [UInt8], attributes: UInt32, dataSize: UInt64, data: [UInt8],
                                  status: EFIStatus) -> [UInt8] {
        frame(function: functionGetVariable, status: status,
              payload: access(dataSize: dataSize, attributes: attributes, name: name, data: data))
    }
}

extension HostileRun {
    /// Writes `message` at `offset` (cut at the end of the buffer), rings the doorbell with x3 =
    /// the offset or, for `address`, the physical address, and checks the answer and the buffer.
    mutating func mm(_ label: StaticString, _ message: [UInt8], at offset: Int, address: Bool = false,
                     expect: HostileMMExpect) {
        let room = HostileMessage.bufferSize - offset
        guard offset >= 0, room > 0 else { return }
        let written = message.count <= room ? message : Array(message.prefix(room))
        var shared = NSSharedBuffer()
        var cache = VACache()
        shared.write(written, at: offset)
        cache.cleanToPoC(offset: offset, length: written.count)

        let x3 = address ? NSSharedBuffer.base + UInt64(offset) : UInt64(offset)
        let request = Interface.msgSendDirectReq(DirectMessage(sender: 0, receiver: HostileModel.partition, is64: true, x3)).registers
        let want: Registers
        switch expect {
        case .refused(let code) where address:
            want = .ffaError(code == .noMemory ? .noMemory : .invalidParameters)
        case .refused(let code):
            want = HostileModel.mmAnswer(code)
        case .status, .response:
            want = address ? HostileModel.mmAnswer(.success).withX3(0) : HostileModel.mmAnswer(.success)
        }
        let got = call(request)
        guard tally.compare(label, request: request, got: got, want: want) else { return }

        switch expect {
        case .refused:
            cache.invalidate(offset: offset, length: written.count)
            if shared.read(at: offset, count: written.count) != written { tally.fail(label) }
        case .status(let status):
            tally.record(efi: status)
            var answer = Array(written.prefix(40))
            HostileMessage.put64(16, into: &answer, at: 16)
            HostileMessage.put64(status.rawValue, into: &answer, at: 32)
            cache.invalidate(offset: offset, length: 40)
            if shared.read(at: offset, count: 40) != answer { tally.fail(label) }
        case .response(let bytes):
            tally.record(efi: EFIStatus(rawValue: HostileMessage.read64(bytes, at: 32)))
            cache.invalidate(offset: offset, length: bytes.count)
            if shared.read(at: offset, count: bytes.count) != bytes { tally.fail(label) }
        }
    }

    /// Where a message of `count` bytes may start: anywhere it fits, often at 0, sometimes odd.
    mutating func offset(for count: Int) -> Int {
        let last = HostileMessage.bufferSize - count
        guard last > 0 else { return 0 }
        switch rng.below(4) {
        case 0: return 0
        case 1: return Int(rng.below(UInt64(last + 1)))
        case 2: return Int(rng.below(UInt64(last / 8 + 1))) * 8
        default: return last
        }
    }

    /// x3 that is neither an offset in the buffer nor an address in it.
    mutating func mmOutsideBuffer() {
        let size = UInt64(HostileMessage.bufferSize), base = NSSharedBuffer.base
        let picks: [UInt64] = [size, size + rng.below(0x1000), base - 1, base + size, base + size + rng.below(0x10000),
                               0xAAAA_AAAA, UInt64.max, 1 << 63, rng.next() | 1 << 40, base - size]
        var r = Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64), UInt64(HostileModel.partition), 0,
                          picks[rng.index(picks.count)])
        for i in 4...7 { r[i] = rng.chance(percent: 50) ? 0 : rng.next() }
        issue("MM x3 outside the buffer", r)
    }

    /// The header itself would run past the end of the buffer.
    mutating func mmHeaderPastEnd() {
        let offset = HostileMessage.bufferSize - 1 - Int(rng.below(UInt64(HostileMessage.header - 1)))
        mm("MM header past the end", [], at: offset, address: rng.chance(percent: 50), expect: .refused(.invalidParameter))
    }

    /// MessageLength reaching past the buffer, up to values that overflow when added.
    mutating func mmLengthPastBuffer() {
        let offset = Int(rng.below(UInt64(HostileMessage.bufferSize - HostileMessage.header + 1)))
        let limit = UInt64(HostileMessage.bufferSize - offset - HostileMessage.header)
        let lengths: [UInt64] = [limit + 1, limit + 1 + rng.below(0x10000), UInt64.max, UInt64.max - 23,
                                 UInt64.max - UInt64(HostileMessage.header) + 1, 1 << 63, 0x1_0000, rng.next() | 1 << 32]
        let length = lengths[rng.index(lengths.count)]
        guard length > limit else { return }
        let message = HostileMessage.frame(length: length, function: 1 + rng.below(11), payload: rng.bytes(Int(rng.below(32))))
        mm("MM MessageLength past the buffer", message, at: offset, address: rng.chance(percent: 30),
           expect: .refused(.invalidParameter))
    }

    mutating func mmUnknownGuid() {
        var guid = EFIGuid(lo: rng.next(), hi: rng.next())
        if rng.chance(percent: 50) { guid = EFIGuid(lo: EFIGuid.smmVariableProtocol.lo ^ 1 << rng.below(64), hi: EFIGuid.smmVariableProtocol.hi) }
        let payload = rng.bytes(Int(rng.below(64)))
        let message = HostileMessage.frame(guid: guid, function: 1 + rng.below(11), payload: payload)
        mm("MM unknown header GUID", message, at: offset(for: message.count), address: rng.chance(percent: 20),
           expect: .refused(.notSupported))
    }

    /// MessageLength < 16: no SMM_VARIABLE_COMMUNICATE_HEADER.
    mutating func mmNoVariableHeader() {
        let length = rng.below(16)
        let message = HostileMessage.frame(length: length, function: rng.next(), payload: [])
        mm("MM message without a variable header", message, at: offset(for: message.count), expect: .refused(.denied))
    }

    /// Function numbers the partition does not serve: EFI_UNSUPPORTED in ReturnStatus.
    mutating func mmUnknownFunction() {
        let functions: [UInt64] = [0, 7, 8, 12, 13, 14, 15 + rng.below(1000), rng.next() | 1 << 32, UInt64.max]
        let message = HostileMessage.frame(function: functions[rng.index(functions.count)], payload: rng.bytes(Int(rng.below(64))))
        mm("MM unknown function", message, at: offset(for: message.count), expect: .status(.unsupported))
    }

    /// A payload shorter than its function's fixed part: EFI_ACCESS_DENIED.
    mutating func mmTruncatedPayload() {
        let fixed: [(UInt64, UInt64)] = [(1, 36), (2, 24), (3, 36), (4, 32), (9, 48), (10, 48), (11, 8)]
        let (function, size) = fixed[rng.index(fixed.count)]
        let message = HostileMessage.frame(function: function, payload: rng.bytes(Int(rng.below(size))))
        mm("MM payload shorter than its structure", message, at: offset(for: message.count), expect: .status(.accessDenied))
    }

    /// NameSize odd, zero, one, past the payload, huge; or the name not terminated.
    mutating func mmBadName() {
        let functions: [UInt64] = [1, 3, 9, 10]
        let function = functions[rng.index(functions.count)]
        var name = HostileMessage.keepName
        let count = UInt64(name.count)
        var nameSize: UInt64? = nil
        switch rng.below(8) {
        case 0: nameSize = count - 1
        case 1: nameSize = rng.below(2)
        case 2: nameSize = count + 2 + 2 * rng.below(100)
        case 3: nameSize = UInt64.max - 2 * rng.below(8)
        case 4: nameSize = 1 << 63
        case 5: nameSize = UInt64.max
        case 6: name[name.count - 2] = UInt8(1 + rng.below(255))               // no terminator
        default: name[name.count - 1] = UInt8(1 + rng.below(255))
        }
        let payload = function == 9 || function == 10
            ? HostileMessage.property(nameSize: nameSize, name: name)
            : HostileMessage.access(dataSize: 0, nameSize: nameSize, attributes: 7, name: name, data: [])
        let message = HostileMessage.frame(function: function, payload: payload)
        mm("MM bad NameSize or unterminated name", message, at: offset(for: message.count), expect: .status(.accessDenied))
    }

    /// GET_NEXT_VARIABLE_NAME: NameSize past the payload or huge (the message is malformed), no
    /// NUL in the name buffer, or a previous name that does not exist (the store refuses both).
    mutating func mmBadNext() {
        var name = HostileMessage.missingName + [UInt8](repeating: 0, count: 2 * Int(rng.below(8)))
        var nameSize = UInt64(name.count)
        let status: EFIStatus
        switch rng.below(4) {
        case 0: nameSize += 1 + rng.below(0x1_0000); status = .accessDenied
        case 1: nameSize = UInt64.max - rng.below(8); status = .accessDenied
        case 2:
            name = (0..<(2 + 2 * Int(rng.below(16)))).map { _ in UInt8(1 + rng.below(255)) }
            nameSize = UInt64(name.count); status = .invalidParameter
        default: status = .invalidParameter
        }
        let payload = HostileMessage.guid.bytes + HostileMessage.le64(nameSize) + name
        let message = HostileMessage.frame(function: 2, payload: payload)
        mm("MM GetNextVariableName, bad name", message, at: offset(for: message.count), expect: .status(status))
    }

    /// DataSize past the payload, up to sizes that overflow when added to NameSize.
    mutating func mmDataSizeOverflow() {
        let function = rng.chance(percent: 50) ? HostileMessage.functionGetVariable : HostileMessage.functionSetVariable
        let data = rng.bytes(Int(rng.below(16)))
        let sizes: [UInt64] = [UInt64(data.count) + 1 + rng.below(100), UInt64.max - rng.below(64), 1 << 63,
                               UInt64.max - UInt64(HostileMessage.keepName.count) + 1]
        let payload = HostileMessage.access(dataSize: sizes[rng.index(sizes.count)], attributes: 7,
                                            name: HostileMessage.keepName, data: data)
        let message = HostileMessage.frame(function: function, payload: payload)
        mm("MM DataSize past the payload", message, at: offset(for: message.count), expect: .status(.accessDenied))
    }

    /// SetVariable requests the store must refuse (attributes, deleting nothing): the store is
    /// never changed by them.
    mutating func mmRefusedSet() {
        let cases: [(UInt32, Bool, EFIStatus)] = [(4, true, .invalidParameter), (1, true, .invalidParameter),
                                                  (0x107, true, .invalidParameter), (0xF, true, .invalidParameter),
                                                  (0x17, true, .invalidParameter), (7, false, .notFound),
                                                  (0x8000_0007, true, .invalidParameter)]
        let (attributes, withData, status) = cases[rng.index(cases.count)]
        let data = withData ? rng.bytes(1 + Int(rng.below(16))) : []
        let message = HostileMessage.frame(function: HostileMessage.functionSetVariable,
                                           payload: HostileMessage.access(dataSize: UInt64(data.count), attributes: attributes,
                                                                          name: HostileMessage.badName, data: data))
        mm("MM SetVariable the store refuses", message, at: offset(for: message.count), expect: .status(status))
    }

    /// GetVariable of the variable set before the attack: too small, enough, or a missing name.
    mutating func mmStoreRead(keep: [UInt8]) {
        let name = rng.chance(percent: 20) ? HostileMessage.missingName : HostileMessage.keepName
        let dataSize = rng.chance(percent: 30) ? rng.below(UInt64(keep.count)) : UInt64(keep.count) + rng.below(32)
        let message = HostileMessage.frame(function: HostileMessage.functionGetVariable,
                                           payload: HostileMessage.access(dataSize: dataSize, name: name,
                                                                          data: [UInt8](repeating: 0, count: Int(dataSize))))
        let at = offset(for: message.count), address = rng.chance(percent: 20)
        if name == HostileMessage.missingName {
            mm("MM GetVariable of a missing name", message, at: at, address: address, expect: .status(.notFound))
        } else if dataSize < UInt64(keep.count) {
            mm("MM GetVariable with a small buffer", message, at: at, address: address,
               expect: .response(HostileMessage.getVariableAnswer(name: name, attributes: 7, dataSize: UInt64(keep.count),
                                                                  data: [], status: .bufferTooSmall)))
        } else {
            mm("MM GetVariable", message, at: at, address: address,
               expect: .response(HostileMessage.getVariableAnswer(name: name, attributes: 7, dataSize: UInt64(keep.count),
                                                                  data: keep, status: .success)))
        }
    }

    /// The same bytes sent, rewritten, and sent again: each call sees what the buffer holds at
    /// the doorbell (the partition copies it once).
    mutating func mmRewrite(keep: [UInt8]) {
        let good = HostileMessage.frame(function: HostileMessage.functionGetVariable,
                                        payload: HostileMessage.access(dataSize: UInt64(keep.count), name: HostileMessage.keepName,
                                                                       data: [UInt8](repeating: 0, count: keep.count)))
        let answer = HostileMessage.getVariableAnswer(name: HostileMessage.keepName, attributes: 7,
                                                      dataSize: UInt64(keep.count), data: keep, status: .success)
        let at = offset(for: good.count)
        var broken = good
        broken[HostileMessage.header + 16 + 36 + HostileMessage.keepName.count - 1] = 0x41
        var tooLong = good
        HostileMessage.put64(UInt64(HostileMessage.bufferSize), into: &tooLong, at: 16)
        mm("MM message before rewriting", good, at: at, expect: .response(answer))
        mm("MM message with its terminator overwritten", broken, at: at, expect: .status(.accessDenied))
        mm("MM message with its length overwritten", tooLong, at: at, expect: .refused(.invalidParameter))
        mm("MM message written back", good, at: at, expect: .response(answer))
    }

    /// GET_PAYLOAD_SIZE anywhere in the buffer, by offset or by address: always the same size.
    mutating func mmPayloadSize() {
        let message = HostileMessage.frame(function: HostileMessage.functionGetPayloadSize, payload: HostileMessage.le64(0))
        mm("MM GET_PAYLOAD_SIZE", message, at: offset(for: message.count), address: rng.chance(percent: 40),
           expect: .response(HostileMessage.frame(function: HostileMessage.functionGetPayloadSize, status: .success,
                                                  payload: HostileMessage.le64(payloadSize))))
    }

    /// An MM message sent with the 32-bit request or REQ2: refused the MM way, buffer untouched.
    mutating func mmOtherWidths() {
        let function = rng.chance(percent: 50) ? FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32 : FFAFunction.FFA_MSG_SEND_DIRECT_REQ2
        issue("MM message by another request width", Registers(UInt64(function), UInt64(HostileModel.partition), 0, 0))
    }
}

extension Registers {
    func withX3(_ v: UInt64) -> Registers { var r = self; r.x3 = v; return r }
}
