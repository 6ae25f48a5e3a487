#!/usr/bin/env python3
"""Checks that normal.elf can relocate itself (Startup/normal_entry.S, docs/boards.md): every
dynamic relocation is relative, packed in .relr.dyn (.rela.dyn, where any other kind would go,
is empty), at an 8-byte-aligned place inside the loaded image (the loop applies nothing else,
and runs with the MMU off, where unaligned stores fault), and
normal.bin starts with an arm64 Image header whose image_size covers the whole footprint."""
import re
import struct
import subprocess
import sys


def main(elf, binary):
    out = subprocess.run(["llvm-readelf", "-S", "-r", "-s", elf], capture_output=True, text=True, check=True).stdout
    symbols = {m.group(2): int(m.group(1), 16) for m in re.finditer(r"^\s*\d+: ([0-9a-f]{16})\s+\d+ \S+\s+\S+\s+\S+\s+\S+ (\S+)$", out, re.M)}
    start, end = symbols["__image_start"], symbols["__image_end"]
    def section(name):
        if f"'{name}'" not in out:
            return []
        text = out.split(f"'{name}'")[1].split("Relocation section")[0].split("Symbol table")[0]
        return re.findall(r"^([0-9a-f]{16})\s+[0-9a-f]+\s+(\S+)", text, re.M)
    relocs = section(".relr.dyn")
    problems = [f"{kind} at {offset} in .rela.dyn" for offset, kind in section(".rela.dyn")]
    problems += [f"{kind} at {offset}" for offset, kind in relocs if kind != "R_AARCH64_RELATIVE"]
    if len(relocs) < 100:
        problems.append(f"only {len(relocs)} relative relocations: .relr.dyn not read?")
    problems += [f"unaligned {offset}" for offset, _ in relocs if int(offset, 16) % 8]
    problems += [f"outside the image {offset}" for offset, _ in relocs if not start <= int(offset, 16) < end]
    with open(binary, "rb") as f:
        header = f.read(64)
    code0, _, text_offset, image_size, flags = struct.unpack_from("<IIQQQ", header, 0)
    magic, = struct.unpack_from("<I", header, 0x38)
    footprint = symbols["__pagetables_end"] - start
    if magic != 0x644D5241 or code0 & 0xFC000000 != 0x14000000 or flags != 0xA or image_size < footprint:
        problems.append(f"bad Image header: code0 {code0:#x} magic {magic:#x} flags {flags:#x} "
                        f"image_size {image_size:#x} < footprint {footprint:#x}?")
    if problems:
        print(f"check-pie: {elf}: " + "; ".join(problems[:10]))
        return 1
    print(f"check-pie: {elf}: OK, {len(relocs)} relative relocations, Image header (text_offset {text_offset:#x}, "
          f"image_size {image_size:#x})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
