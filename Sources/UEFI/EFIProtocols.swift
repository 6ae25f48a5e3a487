import MM

/// The protocol and table GUIDs the boot services know (UEFI 2.10; Linux's
/// include/linux/efi.h for the LINUX_EFI_* ones).
public enum EFIProtocol {
    /// EFI_LOADED_IMAGE_PROTOCOL_GUID 5b1b31a1-9562-11d2-8e3f-00a0c969723b.
    public static let loadedImage = EFIGuid(0x5b1b_31a1, 0x9562, 0x11d2, (0x8e, 0x3f, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b))
    /// EFI_DEVICE_PATH_PROTOCOL_GUID 09576e91-6d3f-11d2-8e39-00a0c969723b.
    public static let devicePath = EFIGuid(0x0957_6e91, 0x6d3f, 0x11d2, (0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b))
    /// EFI_LOAD_FILE2_PROTOCOL_GUID 4006c0c1-fcb3-403e-996d-4a6c8724e06d.
    public static let loadFile2 = EFIGuid(0x4006_c0c1, 0xfcb3, 0x403e, (0x99, 0x6d, 0x4a, 0x6c, 0x87, 0x24, 0xe0, 0x6d))
    /// LINUX_EFI_INITRD_MEDIA_GUID 5568e427-68fc-4f3d-ac74-ca555231cc68: the vendor media
    /// device path Linux's stub asks LoadFile2 for.
    public static let linuxInitrdMedia = EFIGuid(0x5568_e427, 0x68fc, 0x4f3d, (0xac, 0x74, 0xca, 0x55, 0x52, 0x31, 0xcc, 0x68))
    /// EFI_DTB_TABLE_GUID b1b621d5-f19c-41a5-830b-d9152c69aae0.
    public static let deviceTreeTable = EFIGuid(0xb1b6_21d5, 0xf19c, 0x41a5, (0x83, 0x0b, 0xd9, 0x15, 0x2c, 0x69, 0xaa, 0xe0))
    /// EFI_RT_PROPERTIES_TABLE_GUID eb66918a-7eef-402a-842e-931d21c38ae9.
    public static let rtPropertiesTable = EFIGuid(0xeb66_918a, 0x7eef, 0x402a, (0x84, 0x2e, 0x93, 0x1d, 0x21, 0xc3, 0x8a, 0xe9))
}

/// Device paths (UEFI 2.10 §10): nodes of Type u8, SubType u8, Length u16, ended by
/// End Entire (0x7F, 0xFF, 4).
public enum EFIDevicePath {
    public static let maxLength = 1024
    public static let endSize = 4
    /// A Vendor-Defined Media node (type 4, subtype 3, 20 bytes) for a GUID, then End.
    public static let vendorMediaSize = 24

    /// The Vendor-Defined Media node for `guid` and End, written at `t` (`vendorMediaSize` bytes)
    /// in place: no array built to be copied.
    public static func writeVendorMedia(_ guid: EFIGuid, to t: UnsafeMutableRawBufferPointer) {
        unsafe t.storeBytes(of: 0x0014_0304, toByteOffset: 0, as: UInt32.self)   // 4, 3, Length 20
        unsafe t.mmPutGuid(guid, at: 4)
        unsafe t.storeBytes(of: 0x0004_FF7F, toByteOffset: 20, as: UInt32.self)  // 0x7F, 0xFF, Length 4
    }

    /// The length of the path in `bytes` up to and including its End node; nil when a node is
    /// shorter than its header or the path runs out of bounds. Node by node: nothing past the
    /// End node is read. `from`: where in `bytes` the path starts (the result counts from there).
    @inline(never)
    public static func length(_ bytes: UnsafeRawBufferPointer, from start: Int = 0) -> Int? {
        var at = start
        while at + 4 <= bytes.count {
            let header = unsafe bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)
            let n = Int(header >> 16)
            guard n >= 4, at + n <= bytes.count else { return nil }
            if header & 0xFFFF == 0xFF7F { return at + n - start }
            at += n
        }
        return nil
    }
}

/// The handle database, as far as an EFI application such as Linux's stub needs it: a few
/// handles, each with its protocols, installed by the firmware (InstallProtocolInterface is
/// not served). Entries sit in a table of fixed capacity that the owner hands in (bootefi: in
/// its block), not an array: no growth code or metadata for an entry type. The value refers
/// to its table: one database per table.
public struct EFIHandles {
    public struct Entry: Equatable, Sendable { public var handle: UInt64; public var guid: EFIGuid; public var interface: UInt64 }
    /// Entries a table holds (bootefi installs three).
    public static let capacity = 8
    let table: UnsafeMutablePointer<Entry>
    public private(set) var count = 0

    /// An empty database over `table` (room for `capacity` entries; its contents are not read).
    public init(table: UnsafeMutablePointer<Entry>) { self.table = table }

    /// Entry `i` (below `count`), in installation order.
    public subscript(i: Int) -> Entry { unsafe table[i] }

    /// False (nothing installed) when the table is full.
    @discardableResult
    @inline(never)
    public mutating func install(_ handle: UInt64, _ guid: EFIGuid, _ interface: UInt64) -> Bool {
        guard count < EFIHandles.capacity else { return false }
        unsafe table[count] = Entry(handle: handle, guid: guid, interface: interface)
        count += 1
        return true
    }

    /// The interface of the first entry with `guid` (LocateProtocol: installation order).
    public func first(_ guid: EFIGuid) -> UInt64? {
        for i in 0..<count where self[i].guid == guid { return self[i].interface }
        return nil
    }

    public func interface(_ handle: UInt64, _ guid: EFIGuid) -> UInt64? {
        for i in 0..<count where self[i].handle == handle && self[i].guid == guid { return self[i].interface }
        return nil
    }

    /// LocateHandle's list, in installation order, each handle once: those with `guid`
    /// (ByProtocol), or all (nil: AllHandles). Each is stored at `out` (8 bytes each, in list
    /// order) unless `out` is nil; the count is returned. No array of handles: a caller counts
    /// first, then writes; one copy of the walk for both.
    @inline(never)
    public func forEachHandle(_ guid: EFIGuid?, into out: UnsafeMutableRawPointer? = nil) -> Int {
        var n = 0
        for i in 0..<count where guid == nil || self[i].guid == guid {
            let h = self[i].handle
            var seen = false
            for k in 0..<i where self[k].handle == h && (guid == nil || self[k].guid == guid) { seen = true }
            if !seen {
                if let out { unsafe out.storeBytes(of: h, toByteOffset: 8 * n, as: UInt64.self) }
                n += 1
            }
        }
        return n
    }

    /// LocateDevicePath: the handle supporting `guid` whose device path (without its End node)
    /// is the longest node-wise prefix of `path`, and how many bytes of `path` it matched. A
    /// handle's device path is its EFI_DEVICE_PATH_PROTOCOL interface: the path itself, read
    /// where it lies (at most `maxLength` bytes, node by node); one without its End node there
    /// is never matched.
    public func locate(_ guid: EFIGuid, path: UnsafeRawBufferPointer) -> (handle: UInt64, matched: Int)? {
        guard let total = EFIDevicePath.length(path) else { return nil }
        var best: (handle: UInt64, matched: Int)? = nil
        for i in 0..<count where self[i].guid == EFIProtocol.devicePath {
            let e = self[i]
            guard interface(e.handle, guid) != nil, let p = UnsafeRawPointer(bitPattern: UInt(e.interface)) else { continue }
            let installed = unsafe UnsafeRawBufferPointer(start: p, count: EFIDevicePath.maxLength)
            guard let length = EFIDevicePath.length(installed) else { continue }
            let n = length &- EFIDevicePath.endSize              // 0 ≤ n < maxLength
            guard n <= total &- EFIDevicePath.endSize else { continue }
            var k = 0                                            // byte by byte within both paths
            while k < n, unsafe p.load(fromByteOffset: k, as: UInt8.self) == path.baseAddress!.load(fromByteOffset: k, as: UInt8.self) {
                k &+= 1
            }
            // A prefix must end on a node boundary of `path`.
            guard k == n, n == 0 || EFIDevicePath.length(path, from: n) != nil else { continue }
            if best == nil || n > best!.matched { best = (e.handle, n) }
        }
        return best
    }
}

/// EFI_CONFIGURATION_TABLE entries (VendorGuid, VendorTable: 24 bytes each) with
/// InstallConfigurationTable's rules (UEFI 2.10 §7.3.22), kept where the system table points:
/// the entries are the table itself, changed in place (no list kept beside it to copy out).
public enum EFIConfigurationTables {
    public static let entrySize = 24

    /// Adds, replaces, or (address 0) removes the table of `guid` among the `count` entries at
    /// `t`, which has room for `t.count / entrySize`; entries keep their order. Wrapping
    /// arithmetic: offsets stay within `t`'s room (0 ≤ count ≤ room), so nothing can overflow.
    @inline(never)
    public static func install(_ guid: EFIGuid, _ address: UInt64, in t: UnsafeMutableRawBufferPointer, count: inout Int) -> EFIStatus {
        guard let base = t.baseAddress else { return .outOfResources }
        var at = 0, end = count &* entrySize
        while at < end, unsafe EFIGuid(lo: base.loadUnaligned(fromByteOffset: at, as: UInt64.self),
                                       hi: base.loadUnaligned(fromByteOffset: at &+ 8, as: UInt64.self)) != guid {
            at &+= entrySize
        }
        if at < end {
            if address != 0 { unsafe base.storeBytes(of: address, toByteOffset: at &+ 16, as: UInt64.self); return .success }
            count &-= 1                                          // the entries after it move down one
            end &-= entrySize
            unsafe (base + at).copyMemory(from: base + (at &+ entrySize), byteCount: end &- at)
            return .success
        }
        guard address != 0 else { return .notFound }
        guard end &+ entrySize <= t.count else { return .outOfResources }
        unsafe base.storeBytes(of: guid.lo, toByteOffset: end, as: UInt64.self)
        unsafe base.storeBytes(of: guid.hi, toByteOffset: end &+ 8, as: UInt64.self)
        unsafe base.storeBytes(of: address, toByteOffset: end &+ 16, as: UInt64.self)
        count &+= 1
        return .success
    }
}
