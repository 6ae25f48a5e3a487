import DeviceTree
import PartitionBoot

@_extern(c, "dcache_clean_invalidate_range_poc") func dcache_clean_invalidate_range_poc(_ start: UInt64, _ length: UInt64)

/// What the partition's first entry told it about its map.
enum BootLayout {
    /// x0 = 0 (our monitor): the built-in map.
    case builtIn
    /// x0 is not FF-A boot information this partition can read: the built-in map, said so.
    case notBootInformation(UInt64, UnsafeRawBufferPointer)
    /// The FF-A boot protocol: the map from the manifest in the boot information.
    case manifest(PartitionLayout, bootInfo: UInt64, manifest: UInt64, size: UInt64)
    /// Boot information whose manifest is broken or not ours: the partition refuses to start.
    case refused(UnsafeRawBufferPointer, UnsafeRawBufferPointer?)
}

/// Reads the FF-A boot information at `x0` (FF-A v1.1+ §5.4; TF-A's EL3 SPMC passes it in the
/// register the manifest's `gp-register-num` names, x0 here). Runs under the early map (secure
/// RAM and the image, partition_main), before the partition's own map: each range is cleaned
/// and invalidated to the PoC before it is read. Only secure RAM is read.
func readBootInformation(_ x0: UInt64, imageBase: UInt64) -> BootLayout {
    guard x0 != 0 else { return .builtIn }
    guard inSecureRAM(x0, UInt64(FFABootInfo.headerSize)) else {
        return .notBootInformation(x0, text("x0 is not an address in secure RAM"))
    }
    let size: Int
    do throws(FFABootInfoError) {
        size = try FFABootInfo.blobSize(header: secureBytes(x0, UInt64(FFABootInfo.headerSize)))
    } catch {
        // Before the signature matches, x0 may be anything an SPMC leaves there.
        if error == .badSignature { return .notBootInformation(x0, error.text) }
        return .refused(error.text, nil)
    }
    guard inSecureRAM(x0, UInt64(size)) else { return .refused(text("the boot information runs past secure RAM"), nil) }
    let manifest: FFABootInfoDescriptor
    do throws(FFABootInfoError) {
        manifest = try FFABootInfo(secureBytes(x0, UInt64(size))).manifest()
    } catch {
        return .refused(error.text, nil)
    }
    guard inSecureRAM(manifest.content, UInt64(manifest.size)) else {
        return .refused(text("the manifest is not in secure RAM"), nil)
    }
    do throws(FDTError) {
        let fdt = try FDT(secureBytes(manifest.content, UInt64(manifest.size)))
        do throws(ManifestError) {
            let layout = try PartitionLayout(manifest: try PartitionManifest(fdt), imageBase: imageBase)
            return .manifest(layout, bootInfo: x0, manifest: manifest.content, size: UInt64(manifest.size))
        } catch {
            return .refused(error.text, error.detail)
        }
    } catch {
        return .refused(text("the manifest is not a valid FDT"), nil)
    }
}

/// A literal's bytes, as the errors' texts are kept (`TextLines`).
func text(_ s: StaticString) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)
}

func inSecureRAM(_ base: UInt64, _ size: UInt64) -> Bool {
    base >= PartitionMap.secureRAM.base && size <= PartitionMap.secureRAM.size
        && base - PartitionMap.secureRAM.base <= PartitionMap.secureRAM.size - size
}

/// `size` bytes of secure RAM at `base` (checked by the caller), made coherent for MMU-off reads.
func secureBytes(_ base: UInt64, _ size: UInt64) -> UnsafeRawBufferPointer {
    dcache_clean_invalidate_range_poc(base, size)
    // Safety: [base, base + size) lies in secure RAM (inSecureRAM), which the early map maps.
    return unsafe UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: UInt(base)), count: Int(size))
}

/// One log line per outcome, through FFA_CONSOLE_LOG.
@inline(never)
func logBootLayout(_ boot: BootLayout) {
    typealias L = ConsoleLog
    switch boot {
    case .builtIn:
        L.line("mm: no FF-A boot information (x0 = 0): built-in map")
    case .notBootInformation(let x0, let why):
        L.write("mm: x0 = "); L.hex(x0); L.write(" ignored ("); L.write(why); L.line("): built-in map")
    case .manifest(let l, let info, let manifest, let size):
        L.write("mm: FF-A boot information at "); L.hex(info); L.write(": manifest at "); L.hex(manifest)
        L.write(", "); L.decimal(size); L.line(" bytes")
        L.write("mm: manifest map: MM buffer "); L.hex(l.mmBuffer.base); L.write(" (")
        L.decimal(l.mmBuffer.size >> 10); L.write(" KiB), variable store "); L.hex(l.variableStore.base)
        L.write(" ("); L.decimal(l.variableStore.size >> 10); L.write(" KiB), secure UART "); L.hex(l.secureUART); L.end()
    case .refused(let why, let detail):
        L.write("mm: refusing the manifest: "); L.write(why)
        if let d = detail { L.write(": "); L.write(d) }
        L.end()
    }
}
