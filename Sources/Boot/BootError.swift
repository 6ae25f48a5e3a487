import MM

/// Why `booti` refuses to start a kernel. Each case has a one-line message for the console.
public enum BootError: Error, Equatable, Sendable {
    case notAnImage
    case bigEndianImage
    case badImageHeader
    case kernelOutsideRAM
    case kernelOverlaps(BootRegionKind)
    case noRoomForKernel
    case initrdOutsideRAM
    case initrdOverlaps(BootRegionKind)
    case deviceTreeOutsideRAM
    case deviceTreeOverlaps
    case badDeviceTree
    case deviceTreeFull

    /// One literal of NUL-ended messages and an index (MM's `NameList`), not a switch whose
    /// every case materialises its own StaticString.
    public var message: StaticString {
        let i: Int
        switch self {
        case .notAnImage: i = 0
        case .bigEndianImage: i = 1
        case .badImageHeader: i = 2
        case .kernelOutsideRAM: i = 3
        case .noRoomForKernel: i = 4
        case .initrdOutsideRAM: i = 5
        case .deviceTreeOutsideRAM: i = 6
        case .deviceTreeOverlaps: i = 7
        case .badDeviceTree: i = 8
        case .deviceTreeFull: i = 9
        case .kernelOverlaps(let k): i = 10 + k.rawValue
        case .initrdOverlaps(let k): i = 14 + k.rawValue
        }
        return NameList.entry("""
            no arm64 Image header (magic "ARM\\x64" at offset 0x38)\0\
            the Image is built for big-endian; this CPU runs little-endian\0\
            the Image header's text_offset or image_size is out of range\0\
            the kernel would not lie inside RAM\0\
            no 2 MiB-aligned place in RAM holds the kernel\0\
            the initrd is empty or not inside RAM\0\
            the device tree is not inside RAM\0\
            the device tree (and its room for /chosen) overlaps the firmware or reserved memory\0\
            the device tree is malformed\0\
            no room in the device tree for /chosen\0\
            the kernel would overlap the device tree\0\
            the kernel would overlap the firmware\0\
            the kernel would overlap reserved memory\0\
            the kernel would overlap the initrd\0\
            the initrd overlaps the device tree\0\
            the initrd overlaps the firmware\0\
            the initrd overlaps reserved memory\0\
            the initrd overlaps itself
            """, i)
    }
}

/// What else lives in memory at boot, which the kernel and the initrd must not overwrite.
public enum BootRegionKind: Int, Equatable, Sendable {
    case deviceTree, firmware, reserved, initrd
}
