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

    /// A table of `size` bytes with its header written and sealed.
    public static func make(signature: UInt64, size: Int, body: (inout [UInt8]) -> Void) -> [UInt8] {
        var t = [UInt8](repeating: 0, count: size)
        t.put(signature, at: 0)
        t.put(UInt64(revision), at: 8, 4)
        t.put(UInt64(size), at: 12, 4)
        body(&t)
        seal(&t)
        return t
    }

    /// Recomputes the header CRC32 over HeaderSize bytes.
    public static func seal(_ t: inout [UInt8]) {
        t.put(0, at: crcOffset, 4)
        t.put(UInt64(crc(t)), at: crcOffset, 4)
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

/// EFI_SYSTEM_TABLE (UEFI 2.10 §4.3) field offsets; 120 bytes on a 64-bit machine.
public enum EFISystemTable {
    public static let size = 120
    public static let firmwareVendor = 24, firmwareRevision = 32
    public static let consoleInHandle = 40, conIn = 48, consoleOutHandle = 56, conOut = 64
    public static let standardErrorHandle = 72, stdErr = 80
    public static let runtimeServices = 88, bootServices = 96
    public static let numberOfTableEntries = 104, configurationTable = 112

    /// The table with every field given as (offset, value).
    public static func make(_ fields: [(Int, UInt64)]) -> [UInt8] {
        EFITable.make(signature: EFITable.systemSignature, size: size) { t in
            for (offset, value) in fields { t.put(value, at: offset, offset == firmwareRevision ? 4 : 8) }
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
    public static let tableSize = EFITable.headerSize + 8 * allCases.count   // 376

    public static func table(_ function: (EFIBootService) -> UInt64) -> [UInt8] {
        EFITable.make(signature: EFITable.bootServicesSignature, size: tableSize) { t in
            for s in allCases { t.put(function(s), at: s.offset) }
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
