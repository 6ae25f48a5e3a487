import ABI
import Cache
import Hardware
import Platform

@_extern(c, "el2_enter_el1") func el2_enter_el1(_ stack: UInt64, _ arg: UInt64)
@_extern(c, "__stack_el1_top") nonisolated(unsafe) var __stack_el1_top: UInt8

/// When entered at EL2 and asked to (QEMU `-fw_cfg name=opt/swiftfw/el2-stub`), the image keeps
/// a minimal EL2 below itself and runs the shell at EL1, as a guest under a hypervisor would:
/// - "hvc": FF-A and other SMCCC calls made with `hvc` at EL1 are forwarded to EL3 with `smc`;
/// - "setway": additionally HCR_EL2.TSW traps every set/way operation, which the stub records
///   for the self-test to compare with the Cache model.
enum EL2Stub {
    enum Mode { case hvc, setWay }
    nonisolated(unsafe) static var mode = Mode.hvc
    nonisolated(unsafe) static var log: UnsafeMutablePointer<UInt64>? = nil
    nonisolated(unsafe) static var logCount = 0
    static let logCapacity = 1 << 18
    static let HCR_RW: UInt64 = 1 << 31
    static let HCR_TSW: UInt64 = 1 << 22

    /// The mode fw_cfg asks for, read with the MMU off at EL2.
    static func requestedMode() -> Mode? {
        guard let v = FwCfg.file("opt/swiftfw/el2-stub") else { return nil }
        if v.starts(with: [0x68, 0x76, 0x63]) { return .hvc }                       // "hvc"
        if v.starts(with: [0x73, 0x65, 0x74, 0x77, 0x61, 0x79]) { return .setWay }  // "setway"
        return nil
    }

    /// Drops to EL1 at `normal_el1_main` with the EL2 vectors in place; does not return.
    static func enter(_ m: Mode, dtb: UInt64) {
        mode = m
        if m == .setWay {
            log = UnsafeMutablePointer<UInt64>.allocate(capacity: logCapacity)
        }
        hw_write_hcr_el2(HCR_RW | (m == .setWay ? HCR_TSW : 0))
        hw_isb()
        let stack = UInt64(UInt(bitPattern: unsafe UnsafeMutableRawPointer(&__stack_el1_top)))
        el2_enter_el1(stack, dtb)
    }

    /// A synchronous exception from EL1: an `hvc` to forward, or a trapped set/way operation.
    /// Returns false for anything else (the caller prints a crash report).
    static func handleLowerSync(_ frame: ExceptionFrame) -> Bool {
        switch frame.exceptionClass {
        case 0x16:  // HVC from AArch64: forward x0..x17 to EL3 (ELR already points past the hvc)
            var r = Registers()
            for i in 0..<Registers.count { r[i] = frame.x(i) }
            let out = smcCall(r)
            for i in 0..<Registers.count { frame.setX(i, out[i]) }
            return true
        case 0x18:  // trapped system instruction
            guard let trap = SetWayTrap(esr: frame.esr), let log, logCount < logCapacity else { return false }
            let operand = trap.rt == 31 ? 0 : frame.x(trap.rt)
            unsafe log[logCount] = operand | UInt64(trap.instruction.crm) << 56
            logCount += 1
            frame.elr += 4
            return true
        default:
            return false
        }
    }
}

@_cdecl("normal_el1_main")
public func normal_el1_main(_ dtb: UInt64) -> Never {
    boot.shellEL = 1
    enableIdentityMap(el: 1)
    Console.line("normal: shell at EL1 behind the EL2 stub")
    if EL2Stub.mode == .setWay { SetWaySelfTest.run() }
    SystemConduit.select(el2Stub: true)
    FFA.start()
    EFIVariables.start()
    Shell.run()
}
