import Testing
@testable import DeviceTree

@Suite struct InterruptControllerTests {
    @Test func qemuVirtGICv3() throws {
        try withTree(qemuVirtDTB) { fdt in
            #expect(fdt.interruptController() == FDTInterruptController(
                kind: .gicV3, distributor: 0x0800_0000, second: 0x080A_0000))
        }
    }

    @Test func gicV2NamesTheCPUInterface() throws {
        // As QEMU 7.2 `gic-version=2,virtualization=on` writes it: GICD, GICC, GICH, GICV.
        let b = buildFDT(Node("", [("#address-cells", V.u32(2)), ("#size-cells", V.u32(2))], [
            Node("intc@8000000", [("compatible", V.string("arm,cortex-a15-gic")),
                                  ("reg", V.reg(0x800_0000, 0x1_0000) + V.reg(0x801_0000, 0x1_0000)
                                      + V.reg(0x803_0000, 0x1_0000) + V.reg(0x804_0000, 0x1_0000))]),
        ]))
        try withTree(b) { fdt in
            #expect(fdt.interruptController() == FDTInterruptController(
                kind: .gicV2, distributor: 0x0800_0000, second: 0x0801_0000))
        }
    }

    @Test func disabledOrShortNodesAreIgnored() throws {
        let b = buildFDT(Node("", [("#address-cells", V.u32(2)), ("#size-cells", V.u32(2))], [
            Node("intc@0", [("compatible", V.string("arm,gic-v3")), ("status", V.string("disabled")),
                            ("reg", V.reg(0x800_0000, 0x1_0000) + V.reg(0x80a_0000, 0xf6_0000))]),
            Node("intc@1", [("compatible", V.string("arm,gic-400")), ("reg", V.reg(0x800_0000, 0x1000))]),
        ]))
        try withTree(b) { fdt in #expect(fdt.interruptController() == nil) }
    }
}
