import DeviceTree
import Testing
@testable import Boot

private let ram1G = [FDTRegion(base: 0x4000_0000, size: 0x4000_0000)]
private let ram4G = [FDTRegion(base: 0x4000_0000, size: 0x1_0000_0000)]
/// QEMU virt with our firmware: the DTB slot, the MM buffer, the normal image at 0x6000_0000.
private let virt: [BootOccupant] = [
    BootOccupant(.deviceTree, FDTRegion(base: 0x4000_0000, size: 0x10_0000)),
    BootOccupant(.reserved, FDTRegion(base: 0x4010_0000, size: 0x1_0000)),
    BootOccupant(.firmware, FDTRegion(base: 0x6000_0000, size: 0x70_0000)),
]
private let debian = ImageHeader(textOffset: 0, imageSize: 0x201_0000, flags: 0xA)
private let pinned = ImageHeader(textOffset: 0x8_0000, imageSize: 0x100_0000, flags: 0x2)

@Suite struct BootPlanTests {
    @Test func anImageWhoseSizeRunsPastRAMIsRefusedBeforeItIsRead() {
        let huge = ImageHeader(textOffset: 0, imageSize: 0x100_0000, flags: 0x2)   // not "anywhere": placed low, read from high
        #expect(throws: BootError.kernelOutsideRAM) {
            try BootPlan.place(image: 0x7F80_0000, header: huge, initrd: nil, occupied: virt, memory: ram1G)
        }
    }

    @Test func aDeviceTreeOverTheFirmwareOrReservedMemoryIsRefused() throws {
        #expect(throws: BootError.deviceTreeOverlaps) {
            try BootPlan.checkDeviceTree(FDTRegion(base: 0x6010_0000, size: 0x1_0000), occupied: virt)
        }
        #expect(throws: BootError.deviceTreeOverlaps) {
            try BootPlan.checkDeviceTree(FDTRegion(base: 0x400F_0000, size: 0x2_0000), occupied: virt)
        }
        try BootPlan.checkDeviceTree(FDTRegion(base: 0x4000_0000, size: 0x10_0000), occupied: virt)
        try BootPlan.checkDeviceTree(FDTRegion(base: 0x4800_0000, size: 0x10_0000), occupied: virt)
    }

    @Test func anAlignedKernelStaysWhereQfwPutIt() throws {
        let p = try BootPlan.place(image: 0x4040_0000, header: debian, initrd: FDTRegion(base: 0x4400_0000, size: 0x1C_3478),
                                   occupied: virt, memory: ram1G)
        #expect(!p.moves)
        #expect(p.load == 0x4040_0000)
        #expect(p.base == 0x4040_0000)
    }

    @Test func anUnalignedKernelMovesUpToTheNext2MiBPlusTextOffset() throws {
        let p = try BootPlan.place(image: 0x4050_1000, header: debian, initrd: nil, occupied: virt, memory: ram1G)
        #expect(p.moves)
        #expect(p.base == 0x4060_0000)
        #expect(p.load == 0x4060_0000)
        let q = try BootPlan.place(image: 0x4050_1000, header: ImageHeader(textOffset: 0x8_0000, imageSize: 0x100_0000, flags: 0xA),
                                   initrd: nil, occupied: virt, memory: ram1G)
        #expect(q.base == 0x4060_0000)
        #expect(q.load == 0x4068_0000)
    }

    @Test func aKernelThatMayNotGoAnywhereGoesToTheLowestFreeBoundary() throws {
        // Bit 3 clear: as close to the base of DRAM as possible, past the DTB slot and MM buffer.
        let p = try BootPlan.place(image: 0x4800_0000, header: pinned, initrd: nil, occupied: virt, memory: ram1G)
        #expect(p.base == 0x4020_0000)
        #expect(p.load == 0x4028_0000)
        #expect(p.moves)
        // An initrd in the way pushes it further.
        let q = try BootPlan.place(image: 0x4800_0000, header: pinned, initrd: FDTRegion(base: 0x4030_0000, size: 0x1000),
                                   occupied: virt, memory: ram1G)
        #expect(q.base == 0x4040_0000)
    }

    @Test func refusesAKernelOverTheDeviceTree() {
        #expect(throws: BootError.kernelOverlaps(.deviceTree)) {
            try BootPlan.place(image: 0x4000_0000, header: debian, initrd: nil, occupied: virt, memory: ram1G)
        }
    }

    @Test func refusesAKernelOverTheFirmware() {
        #expect(throws: BootError.kernelOverlaps(.firmware)) {
            try BootPlan.place(image: 0x5F00_0000, header: debian, initrd: nil, occupied: virt, memory: ram1G)
        }
    }

    @Test func refusesAKernelOverTheInitrdOrReservedMemory() {
        #expect(throws: BootError.kernelOverlaps(.initrd)) {
            try BootPlan.place(image: 0x4040_0000, header: debian, initrd: FDTRegion(base: 0x4200_0000, size: 0x1000),
                               occupied: virt, memory: ram1G)
        }
        let reserved = virt + [BootOccupant(.reserved, FDTRegion(base: 0x4100_0000, size: 0x1000))]
        #expect(throws: BootError.kernelOverlaps(.reserved)) {
            try BootPlan.place(image: 0x4040_0000, header: debian, initrd: nil, occupied: reserved, memory: ram1G)
        }
    }

    @Test func refusesAKernelRunningPastRAM() {
        #expect(throws: BootError.kernelOutsideRAM) {
            try BootPlan.place(image: 0x7F00_0000, header: debian, initrd: nil, occupied: virt, memory: ram1G)
        }
        #expect(throws: BootError.kernelOutsideRAM) {
            try BootPlan.place(image: 0x1000, header: debian, initrd: nil, occupied: virt, memory: ram1G)
        }
        #expect(throws: BootError.kernelOutsideRAM) {
            try BootPlan.place(image: UInt64.max - 0x1000, header: debian, initrd: nil, occupied: virt, memory: ram1G)
        }
    }

    @Test func aKernelAbove4GiBWorksWithMoreRAM() throws {
        let p = try BootPlan.place(image: 0x1_2000_0000, header: debian, initrd: FDTRegion(base: 0x1_3000_0000, size: 0x100_0000),
                                   occupied: virt, memory: ram4G)
        #expect(p.load == 0x1_2000_0000)
        #expect(throws: BootError.kernelOutsideRAM) {
            try BootPlan.place(image: 0x1_2000_0000, header: debian, initrd: nil, occupied: virt, memory: ram1G)
        }
    }

    @Test func refusesAnInitrdOutsideRAMOrOverOthers() {
        for bad in [FDTRegion(base: 0x3FFF_F000, size: 0x2000), FDTRegion(base: 0x7FFF_F000, size: 0x2000),
                    FDTRegion(base: 0x4400_0000, size: 0), FDTRegion(base: UInt64.max - 1, size: 0x10),
                    FDTRegion(base: 0x0900_0000, size: 0x1000)] {
            #expect(throws: BootError.initrdOutsideRAM) {
                try BootPlan.place(image: 0x4040_0000, header: debian, initrd: bad, occupied: virt, memory: ram1G)
            }
        }
        #expect(throws: BootError.initrdOverlaps(.deviceTree)) {
            try BootPlan.place(image: 0x4040_0000, header: debian, initrd: FDTRegion(base: 0x400F_0000, size: 0x2_0000),
                               occupied: virt, memory: ram1G)
        }
        #expect(throws: BootError.initrdOverlaps(.firmware)) {
            try BootPlan.place(image: 0x4040_0000, header: debian, initrd: FDTRegion(base: 0x6010_0000, size: 0x1000),
                               occupied: virt, memory: ram1G)
        }
    }

    @Test func noRoomAnywhereIsSaid() {
        let small = [FDTRegion(base: 0x4000_0000, size: 0x100_0000)]
        #expect(throws: BootError.noRoomForKernel) {
            try BootPlan.place(image: 0x4000_0000, header: pinned, initrd: nil, occupied: virt, memory: small)
        }
    }

    @Test func secondMemoryRangeIsUsedWhenTheFirstIsFull() throws {
        let two = [FDTRegion(base: 0x4000_0000, size: 0x40_0000), FDTRegion(base: 0x8000_0000, size: 0x4000_0000)]
        let p = try BootPlan.place(image: 0x8800_0000, header: pinned, initrd: nil, occupied: virt, memory: two)
        #expect(p.base == 0x8000_0000)
    }

    @Test func everyMessageIsDistinct() {
        let all: [BootError] = [.notAnImage, .bigEndianImage, .badImageHeader, .kernelOutsideRAM, .noRoomForKernel,
                                .initrdOutsideRAM, .deviceTreeOutsideRAM, .badDeviceTree, .deviceTreeFull]
            + [BootRegionKind.deviceTree, .firmware, .reserved, .initrd].flatMap { [BootError.kernelOverlaps($0), .initrdOverlaps($0)] }
        let texts = Set(all.map { "\($0.message)" })
        #expect(texts.count == all.count)
    }

    /// The messages are entries of one literal (NameList): each error has its own whole text.
    @Test func everyMessageIsItsOwnText() {
        let expected: [(BootError, String)] = [
            (.notAnImage, "no arm64 Image header (magic \"ARM\\x64\" at offset 0x38)"),
            (.bigEndianImage, "the Image is built for big-endian; this CPU runs little-endian"),
            (.badImageHeader, "the Image header's text_offset or image_size is out of range"),
            (.kernelOutsideRAM, "the kernel would not lie inside RAM"),
            (.noRoomForKernel, "no 2 MiB-aligned place in RAM holds the kernel"),
            (.initrdOutsideRAM, "the initrd is empty or not inside RAM"),
            (.deviceTreeOutsideRAM, "the device tree is not inside RAM"),
            (.deviceTreeOverlaps, "the device tree (and its room for /chosen) overlaps the firmware or reserved memory"),
            (.badDeviceTree, "the device tree is malformed"),
            (.deviceTreeFull, "no room in the device tree for /chosen"),
            (.kernelOverlaps(.deviceTree), "the kernel would overlap the device tree"),
            (.kernelOverlaps(.firmware), "the kernel would overlap the firmware"),
            (.kernelOverlaps(.reserved), "the kernel would overlap reserved memory"),
            (.kernelOverlaps(.initrd), "the kernel would overlap the initrd"),
            (.initrdOverlaps(.deviceTree), "the initrd overlaps the device tree"),
            (.initrdOverlaps(.firmware), "the initrd overlaps the firmware"),
            (.initrdOverlaps(.reserved), "the initrd overlaps reserved memory"),
            (.initrdOverlaps(.initrd), "the initrd overlaps itself"),
        ]
        for (error, text) in expected { #expect("\(error.message)" == text, "\(error)") }
    }

    @Test func deviceTreeRoomUsesSlackOrAddsUBootsPad() {
        #expect(BootPlan.deviceTreeRoom(totalSize: 0x10_0000, used: 0x1400) == 0x10_0000)
        #expect(BootPlan.deviceTreeRoom(totalSize: 0x1400, used: 0x1400) == 0x4400)
        #expect(BootPlan.deviceTreeRoom(totalSize: 0x1401, used: 0x1401) == 0x4408)
    }

    @Test func overlapAndInRAMEdges() {
        #expect(!BootPlan.overlaps(FDTRegion(base: 0, size: 0x1000), FDTRegion(base: 0x1000, size: 0x1000)))
        #expect(BootPlan.overlaps(FDTRegion(base: 0, size: 0x1001), FDTRegion(base: 0x1000, size: 0x1000)))
        #expect(!BootPlan.overlaps(FDTRegion(base: 0, size: 0), FDTRegion(base: 0, size: 0x1000)))
        #expect(BootPlan.inRAM(FDTRegion(base: 0x7FFF_F000, size: 0x1000), ram1G))
        #expect(!BootPlan.inRAM(FDTRegion(base: 0x7FFF_F000, size: 0x1001), ram1G))
    }
}
