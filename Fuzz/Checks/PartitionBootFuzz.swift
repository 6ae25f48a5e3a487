import DeviceTree
import PartitionBoot

/// Fuzzes what the MM partition reads at its first entry under an FF-A SPMC: the boot
/// information blob and the manifest FDT in it (Sources/PartitionBoot). Run by the DTB target
/// (`DeviceTreeFuzz.check` calls it), on every input. The blob's manifest address is taken as an
/// offset into the input, so one input carries both. `check` answers nil when every promise held.
///
/// Promises: neither parser traps; an accepted blob's descriptors lie inside it; an accepted
/// layout has the properties `PartitionLayout` promises (MM buffer non-empty, the store whole
/// erase blocks, at least two, and neither region wrapping around the address space).
public enum PartitionBootFuzz {
    public static func check(_ data: [UInt8]) -> StaticString? {
        data.withUnsafeBytes { raw -> StaticString? in
            if let info = try? FFABootInfo(raw) {
                guard info.blobSize <= raw.count,
                      info.descriptorCount * FFABootInfo.descriptorSize <= info.blobSize
                else { return "an accepted boot information blob is larger than its bytes" }
                if let m = try? info.manifest(), m.content < UInt64(raw.count),
                   UInt64(m.size) <= UInt64(raw.count) - m.content {
                    let start = Int(m.content)
                    if let broken = manifest(UnsafeRawBufferPointer(rebasing: raw[start..<(start + Int(m.size))])) {
                        return broken
                    }
                }
            }
            return manifest(raw)
        }
    }

    static func manifest(_ bytes: UnsafeRawBufferPointer) -> StaticString? {
        guard let fdt = try? FDT(bytes), let m = try? PartitionManifest(fdt) else { return nil }
        for r in m.memoryRegions + m.deviceRegions where r.pages == 0 || r.size > UInt64.max - r.base {
            return "an accepted manifest region is empty or wraps"
        }
        guard let layout = try? PartitionLayout(manifest: m, imageBase: 0x0E10_0000) else { return nil }
        let block = PartitionLayout.flashBlock
        guard layout.mmBuffer.size > 0, layout.mmBuffer.size <= UInt64.max - layout.mmBuffer.base,
              layout.variableStore.size >= 2 * block, layout.variableStore.size % block == 0,
              layout.variableStore.base % block == 0,
              layout.variableStore.size <= UInt64.max - layout.variableStore.base
        else { return "an accepted layout breaks its promises" }
        return nil
    }
}
