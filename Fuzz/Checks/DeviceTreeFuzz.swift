import DeviceTree

/// Fuzzes the DTB reader and editor, and (PartitionBootFuzz) the MM partition's FF-A boot
/// information and manifest parsers. The input is the blob itself; its last byte also steers the
/// edits (the reader ignores bytes past `totalsize`). `check` answers nil when every promise
/// held, else what broke; reading out of bounds is caught by the address sanitizer.
///
/// Promises: `parseAll` never traps and agrees with `FDT.init` on what it accepts; the cursor
/// walk (`firstChild`/`nextSibling`) reaches exactly the nodes `forEachNode` does; on a tree the
/// editor accepts, every edit (successful or refused) leaves a tree the reader accepts, and a
/// successful `addPSCI` / `addReservedMemory` / `setChosen` / `setProperty` reads back as written.
public enum DeviceTreeFuzz {
    public static func check(_ data: [UInt8]) -> StaticString? {
        if let broken = PartitionBootFuzz.check(data) { return broken }
        let accepted = (try? withFDT(data) { (_: FDT) throws(FDTError) -> Bool in true }) ?? false
        let sum = parseAll(data)
        if !accepted && sum != -1 { return "parseAll accepted a tree FDT.init rejects" }
        guard accepted else { return nil }
        if let broken = (try? withFDT(data) { (fdt: FDT) throws(FDTError) -> StaticString? in walksAgree(fdt) }) ?? nil {
            return broken
        }

        // Room to grow after the bytes given: none, a little, or plenty.
        let control = data.last ?? 0
        let slack = [0, 24, 160, 4096][Int(control & 3)]
        var buffer = data + [UInt8](repeating: 0, count: slack)
        return buffer.withUnsafeMutableBytes { raw -> StaticString? in
            guard var editor = try? FDTEditor(raw) else { return nil }
            guard valid(raw) else { return "FDTEditor.init left an invalid tree" }
            let method: PSCIMethod = control & 4 == 0 ? .smc : .hvc
            if control & 8 == 0 {
                if (try? editor.addPSCI(method: method)) != nil {
                    guard valid(raw) else { return "addPSCI left an invalid tree" }
                    guard editor.fdt.psciMethod() == method else { return "addPSCI does not read back" }
                } else if !valid(raw) {
                    return "a refused addPSCI left an invalid tree"
                }
            }
            if control & 16 == 0 {
                let base: UInt64 = control & 32 == 0 ? 0x4200_0000 : 0x1_0000_0000
                let size: UInt64 = control & 64 == 0 ? 0x20_0000 : 0x1000
                if (try? editor.addReservedMemory(base: base, size: size)) != nil {
                    guard valid(raw) else { return "addReservedMemory left an invalid tree" }
                    guard editor.fdt.reservedMemory().contains(where: { $0.base == base && $0.size == size && $0.noMap })
                    else { return "addReservedMemory does not read back" }
                } else if !valid(raw) {
                    return "a refused addReservedMemory left an invalid tree"
                }
            }
            if control & 128 != 0 {
                // /chosen as booti writes it: bootargs and an initrd, then no initrd.
                let bootargs: [UInt8] = [0x71, 0x75, 0x69, 0x65, 0x74]   // "quiet"
                let initrd = FDTRegion(base: 0x4800_0000, size: 0x1_0000)
                for region in [initrd, nil] as [FDTRegion?] {
                    if (try? editor.setChosen(bootargs: bootargs, initrd: region)) != nil {
                        guard valid(raw) else { return "setChosen left an invalid tree" }
                        // The node setChosen wrote: exactly "chosen" (a "chosen@0" may come first).
                        let chosenName: [UInt8] = [0x63, 0x68, 0x6F, 0x73, 0x65, 0x6E]
                        guard let chosen = try? editor.subnode(named: chosenName, of: editor.fdt.root),
                              let p = editor.fdt.property("bootargs", of: chosen),
                              editor.fdt.value(of: p) == bootargs + [0],
                              (editor.fdt.property("linux,initrd-start", of: chosen) != nil) == (region != nil)
                        else { return "setChosen does not read back" }
                    } else if !valid(raw) {
                        return "a refused setChosen left an invalid tree"
                    }
                }
                // A property on the root, twice: added, then replaced by a longer value.
                let root = editor.fdt.root
                let name: [UInt8] = [0x66, 0x75, 0x7A, 0x7A]   // "fuzz"
                for value in [[UInt8](repeating: 1, count: 3), [UInt8](repeating: 2, count: 9)] {
                    if (try? editor.setProperty(name, to: value, of: root)) != nil {
                        guard valid(raw) else { return "setProperty left an invalid tree" }
                        guard let p = editor.fdt.property(name, of: editor.fdt.root), editor.fdt.value(of: p) == value
                        else { return "setProperty does not read back" }
                    } else if !valid(raw) {
                        return "a refused setProperty left an invalid tree"
                    }
                }
            }
            return nil
        }
    }

    /// Every node `forEachNode` meets is the root or a child its parent's `children(of:)` lists,
    /// in the same order: a query that stops early hides nodes from `node(at:)`.
    static func walksAgree(_ fdt: FDT) -> StaticString? {
        var seen: [FDTNode] = []
        fdt.forEachNode { node, _ in seen.append(node); return true }
        var cursor: [FDTNode] = []
        var pending = [fdt.root]
        while let node = pending.popLast() {  // depth-first, children in document order
            cursor.append(node)
            pending += fdt.children(of: node).reversed()
        }
        return seen == cursor ? nil : "children(of:) and forEachNode disagree"
    }

    /// The reader accepts the tree at the start of `raw`; every query runs over it.
    static func valid(_ raw: UnsafeMutableRawBufferPointer) -> Bool {
        let tree = UnsafeRawBufferPointer(raw)
        _ = parseAll(tree)
        return (try? FDT(tree)) != nil
    }
}
