#!/usr/bin/env python3
"""`make size`: text, rodata, data and bss of each image, from its ELF section headers."""
import struct
import sys


def sections(path):
    d = open(path, "rb").read()
    shoff, = struct.unpack_from("<Q", d, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 0x3A)
    raw = [struct.unpack_from("<IIQQQQ", d, shoff + i * shentsize) for i in range(shnum)]
    strtab = raw[shstrndx][4]
    for name, stype, flags, _addr, _off, size in raw:
        if flags & 0x2 and size:
            end = d.index(b"\0", strtab + name)
            yield d[strtab + name:end].decode(), stype, flags, size


def main(paths):
    print(f"{'image':<24}{'text':>10}{'rodata':>10}{'data':>10}{'bss':>10}")
    for p in paths:
        t = r = w = b = 0
        for name, stype, flags, size in sections(p):
            if stype == 8:          # NOBITS: bss, stacks, heap, tables
                if name.startswith(".bss"):
                    b += size
            elif flags & 0x4:       # executable
                t += size
            elif flags & 0x1:       # writable
                w += size
            else:
                r += size
        print(f"{p:<24}{t:>10}{r:>10}{w:>10}{b:>10}")


if __name__ == "__main__":
    main(sys.argv[1:])
