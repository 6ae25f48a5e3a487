import MM
import Variables

/// EFI_TABLE_HEADER (UEFI 2.10 §4.2): Signature u64, Revision u32, HeaderSize u32, CRC32 u32,
/// Reserved u32. The CRC32 covers HeaderSize bytes with the CRC field zero.
public enum EFITable {
    /// UEFI 2.10.
    public static let revision: UInt32 = 2 << 16 | 100
    public static let systemSignature: UInt64 = 0x5453_5953_2049_4249        // "IBI SYST"
    public static let bootServicesSignature: UInt64 = 0x5652_4553_544F_4F42  // "BOOTSERV"
    public static let runtimeServicesSignature: UInt64 = 0x5652_4553_544E_5552 // "RUNTSERV"
    public static let headerSize = 24
    public static let crcOffset = 16

    /// The table of `t.count` bytes at `t`: its header, then `body`'s fields, then the header's
    /// CRC. Written in place (the tables live in the block an EFI application is handed);
    /// what `body` does not write is left as it is.
    public static func write(_ t: UnsafeMutableRawBufferPointer, signature: UInt64, body: (UnsafeMutableRawBufferPointer) -> Void) {
        unsafe t.storeBytes(of: signature, toByteOffset: 0, as: UInt64.self)
        unsafe t.storeBytes(of: revision, toByteOffset: 8, as: UInt32.self)
        unsafe t.storeBytes(of: UInt32(t.count), toByteOffset: 12, as: UInt32.self)
        unsafe t.storeBytes(of: 0, toByteOffset: 20, as: UInt32.self)   // Reserved (the CRC at 16: seal)
        body(t)
        seal(t)
    }

    /// Recomputes the header CRC32 over HeaderSize bytes (at most the table's), in place.
    public static func seal(_ t: UnsafeMutableRawBufferPointer) {
        unsafe t.storeBytes(of: 0, toByteOffset: crcOffset, as: UInt32.self)
        let covered = min(Int(unsafe t.load(fromByteOffset: 12, as: UInt32.self)), t.count)
        let crc = VariableLogCRC32.checksum(UnsafeRawBufferPointer(rebasing: t[0..<covered]))
        unsafe t.storeBytes(of: crc, toByteOffset: crcOffset, as: UInt32.self)
    }

    static func crc(_ t: [UInt8]) -> UInt32 {
        VariableLogCRC32.checksum(t, from: 0, to: min(Int(t.le(12, 4)), t.count))
    }

    /// Whether the header's size is in bounds and its CRC32 matches (what an OS checks).
    public static func isValid(_ t: [UInt8]) -> Bool {
        guard t.count >= headerSize, Int(t.le(12, 4)) <= t.count else { return false }
        var copy = t
        copy.put(0, at: crcOffset, 4)
        return UInt32(t.le(crcOffset, 4)) == crc(copy)
    }
}

/// EFI_SYSTEM_TABLE (UEFI 2.10 §4.3): 120 bytes on a 64-bit machine, its fields in this order
/// after the header (FirmwareRevision a u32 and 4 bytes of padding; the rest 64-bit).
public struct EFISystemTable: Sendable {
    public static let size = 120
    public var firmwareVendor: UInt64 = 0
    public var firmwareRevision: UInt32 = 0
    public var consoleInHandle: UInt64 = 0, conIn: UInt64 = 0
    public var consoleOutHandle: UInt64 = 0, conOut: UInt64 = 0
    public var standardErrorHandle: UInt64 = 0, stdErr: UInt64 = 0
    public var runtimeServices: UInt64 = 0, bootServices: UInt64 = 0
    public var numberOfTableEntries: UInt64 = 0, configurationTable: UInt64 = 0

    public init() {}

    /// The table at `t` (`size` bytes), sealed.
    public func write(to t: UnsafeMutableRawBufferPointer) {
        EFITable.write(t, signature: EFITable.systemSignature) { t in
            func field(_ n: Int, _ value: UInt64) {   // the n-th 8-byte slot after the header
                unsafe t.storeBytes(of: value, toByteOffset: EFITable.headerSize + 8 * n, as: UInt64.self)
            }
            field(0, firmwareVendor); field(1, UInt64(firmwareRevision))
            field(2, consoleInHandle); field(3, conIn); field(4, consoleOutHandle); field(5, conOut)
            field(6, standardErrorHandle); field(7, stdErr); field(8, runtimeServices); field(9, bootServices)
            field(10, numberOfTableEntries); field(11, configurationTable)
        }
    }
}

/// EFI_BOOT_SERVICES (UEFI 2.10 §4.4): the header, then one function pointer per service in
/// this order.
public enum EFIBootService: Int, CaseIterable, Sendable {
    case raiseTPL, restoreTPL, allocatePages, freePages, getMemoryMap, allocatePool, freePool
    case createEvent, setTimer, waitForEvent, signalEvent, closeEvent, checkEvent
    case installProtocolInterface, reinstallProtocolInterface, uninstallProtocolInterface
    case handleProtocol, reserved, registerProtocolNotify, locateHandle, locateDevicePath
    case installConfigurationTable, loadImage, startImage, exit, unloadImage, exitBootServices
    case getNextMonotonicCount, stall, setWatchdogTimer, connectController, disconnectController
    case openProtocol, closeProtocol, openProtocolInformation, protocolsPerHandle
    case locateHandleBuffer, locateProtocol, installMultipleProtocolInterfaces
    case uninstallMultipleProtocolInterfaces, calculateCrc32, copyMem, setMem, createEventEx

    public var offset: Int { EFITable.headerSize + 8 * rawValue }
    public static let count = 44
    public static let tableSize = EFITable.headerSize + 8 * count   // 376

    /// The table at `t` (`tableSize` bytes), sealed: every service's slot `unsupported` but
    /// those `serve` hands to its argument with their function. The served ones are stored one
    /// by one: no table of every service's function (most of them `unsupported`) in the image.
    public static func write(to t: UnsafeMutableRawBufferPointer, unsupported: UInt64,
                             _ serve: ((EFIBootService, UInt64) -> Void) -> Void) {
        EFITable.write(t, signature: EFITable.bootServicesSignature) { t in
            for i in 0..<count { unsafe t.storeBytes(of: unsupported, toByteOffset: EFITable.headerSize + 8 * i, as: UInt64.self) }
            serve { s, f in unsafe t.storeBytes(of: f, toByteOffset: s.offset, as: UInt64.self) }
        }
    }
}

/// EFI_RUNTIME_SERVICES (UEFI 2.10 §4.5) slots, and the EFI_RT_PROPERTIES_TABLE bit of each
/// (§4.6.2: RuntimeServicesSupported), which follows a different order.
public enum EFIRuntimeService: Int, CaseIterable, Sendable {
    case getTime, setTime, getWakeupTime, setWakeupTime, setVirtualAddressMap, convertPointer
    case getVariable, getNextVariableName, setVariable, getNextHighMonotonicCount, resetSystem
    case updateCapsule, queryCapsuleCapabilities, queryVariableInfo

    public var offset: Int { EFITable.headerSize + 8 * rawValue }
    public static let tableSize = EFITable.headerSize + 8 * allCases.count   // 136

    public var propertyBit: UInt32 {
        switch self {
        case .getTime: 0x1
        case .setTime: 0x2
        case .getWakeupTime: 0x4
        case .setWakeupTime: 0x8
        case .getVariable: 0x10
        case .getNextVariableName: 0x20
        case .setVariable: 0x40
        case .setVirtualAddressMap: 0x80
        case .convertPointer: 0x100
        case .getNextHighMonotonicCount: 0x200
        case .resetSystem: 0x400
        case .updateCapsule: 0x800
        case .queryCapsuleCapabilities: 0x1000
        case .queryVariableInfo: 0x2000
        }
    }

    /// What this firmware serves at run time. SetVirtualAddressMap and ConvertPointer are not
    /// among them: the runtime code and data hold absolute addresses (tables, heap pointers,
    /// the MM buffer), so Linux keeps a 1:1 map (docs/uefi.md).
    public static let offered: [EFIRuntimeService] = [.getVariable, .getNextVariableName, .setVariable,
                                                      .queryVariableInfo, .resetSystem]

    public static func propertiesMask(_ services: [EFIRuntimeService]) -> UInt32 {
        services.reduce(0) { $0 | $1.propertyBit }
    }
}
