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

    public var message: StaticString {
        switch self {
        case .notAnImage: return "no arm64 Image header (magic \"ARM\\x64\" at offset 0x38)"
        case .bigEndianImage: return "the Image is built for big-endian; this CPU runs little-endian"
        case .badImageHeader: return "the Image header's text_offset or image_size is out of range"
        case .kernelOutsideRAM: return "the kernel would not lie inside RAM"
        case .kernelOverlaps(let k): return k.overlapMessage(kernel: true)
        case .noRoomForKernel: return "no 2 MiB-aligned place in RAM holds the kernel"
        case .initrdOutsideRAM: return "the initrd is empty or not inside RAM"
        case .initrdOverlaps(let k): return k.overlapMessage(kernel: false)
        case .deviceTreeOutsideRAM: return "the device tree is not inside RAM"
        case .deviceTreeOverlaps: return "the device tree (and its room for /chosen) overlaps the firmware or reserved memory"
        case .badDeviceTree: return "the device tree is malformed"
        case .deviceTreeFull: return "no room in the device tree for /chosen"
        }
    }
}

/// What else lives in memory at boot, which the kernel and the initrd must not overwrite.
public enum BootRegionKind: Equatable, Sendable {
    case deviceTree, firmware, reserved, initrd

    func overlapMessage(kernel: Bool) -> StaticString {
        switch (kernel, self) {
        case (true, .deviceTree): return "the kernel would overlap the device tree"
        case (true, .firmware): return "the kernel would overlap the firmware"
        case (true, .reserved): return "the kernel would overlap reserved memory"
        case (true, .initrd): return "the kernel would overlap the initrd"
        case (false, .deviceTree): return "the initrd overlaps the device tree"
        case (false, .firmware): return "the initrd overlaps the firmware"
        case (false, .reserved): return "the initrd overlaps reserved memory"
        case (false, .initrd): return "the initrd overlaps itself"
        }
    }
}
