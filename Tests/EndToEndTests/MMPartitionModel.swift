import ABI
import MM
import Variables

/// The MM partition's message loop as Sources/Images/MMPartition/Messages.swift runs it at S-EL1,
/// over the modelled non-secure RAM instead of its own mapping of the buffer; the doorbell itself
/// is the real Variables.MMDoorbell.
///
/// `answer` takes what the partition's last SMC returned (the next message) and gives the
/// registers of its next SMC. Doorbell conventions (docs/mm-protocol.md): x3 = offset into the 64 KiB
/// buffer (U-Boot, Trusted Services), answered with x3 = MM return code; or x3 = the message's
/// physical address (EDK2), answered with x3 = 0 and transport faults as FFA_ERROR.
struct MMPartitionModel<P: VariablePersistence> {
    var handler: MMVariableHandler<P>
    let ram: NonSecureRAM
    let bufferBase: UInt64 = Board.mmBuffer
    let bufferSize = Board.mmBufferSize
    /// Every message the partition took in, with the MM return code it gave.
    private(set) var served: [(x3: UInt64, edk2: Bool, code: MMReturnCode)] = []
    /// The next request faults, and the partition's vectors call FFA_ABORT instead of answering.
    var faultsOnNextRequest = false

    init(handler: MMVariableHandler<P>, ram: NonSecureRAM) {
        self.handler = handler
        self.ram = ram
    }

    /// The partition's first SMC, at the end of its initialisation.
    static var initialised: Registers { Registers(UInt64(FFAFunction.FFA_MSG_WAIT)) }

    mutating func answer(_ r: Registers) -> Registers {
        let sender = UInt64(r.w(1) >> 16)
        let endpoints = UInt64(Endpoint.mmPartition) << 16 | sender
        if faultsOnNextRequest {
            faultsOnNextRequest = false
            return Registers(UInt64(FFAFunction.FFA_ABORT_32))
        }
        switch r.w(0) {
        case FFAFunction.FFA_MSG_SEND_DIRECT_REQ_64:
            let (code, edk2) = communicate(x3: r.x3)
            if edk2 && code != .success { return .ffaError(code == .noMemory ? .noMemory : .invalidParameters) }
            return Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_64), endpoints, 0,
                             edk2 ? 0 : code.register)
        case FFAFunction.FFA_MSG_SEND_DIRECT_REQ_32:
            // MM messages need 64-bit offsets; like smm-gateway, 32-bit requests are refused.
            return Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_RESP_32), endpoints, 0,
                             MMReturnCode.notSupported.register)
        case FFAFunction.FFA_MSG_SEND_DIRECT_REQ2:
            return Registers(UInt64(FFAFunction.FFA_MSG_SEND_DIRECT_RESP2), endpoints)
        default:
            return .ffaError(.aborted)
        }
    }

    /// The message named by x3: MessageLength read once and bounded, the whole message copied
    /// once, the handler run on the copy, the response written back over it.
    mutating func communicate(x3: UInt64) -> (MMReturnCode, Bool) {
        let (code, edk2) = serve(x3: x3)
        served.append((x3, edk2, code))
        return (code, edk2)
    }

    private mutating func serve(x3: UInt64) -> (MMReturnCode, Bool) {
        var window = RAMWindow(ram: ram, base: bufferBase)
        let r = MMDoorbell.serve(x3: x3, bufferBase: bufferBase, bufferSize: bufferSize, window: &window, handler: &handler)
        return (r.code, r.physicalAddressForm)
    }
}

/// The modelled non-secure RAM seen through the partition's buffer mapping.
struct RAMWindow: MMSharedWindow {
    let ram: NonSecureRAM
    let base: UInt64
    mutating func read(_ offset: Int, count: Int) -> [UInt8] { ram.read(base + UInt64(offset), count: count) ?? [] }
    mutating func write(_ bytes: [UInt8], at offset: Int) { _ = ram.write(bytes, at: base + UInt64(offset)) }
}
