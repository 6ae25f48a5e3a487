#!/usr/bin/env python3
"""Packs the secure image and the 64 MiB flash0 image (layout: docs/boot.md).

secure: monitor at 0 (≤ 512 KiB), MM partition at 512 KiB (≤ 512 KiB)  -> secure.bin
flash:  secure.bin at 0, BL33 header at 1 MiB, BL33 payload at 1 MiB + 4 KiB,
        variable store in the last 1 MiB, kept as it is when the image already exists.
"""
import argparse
import os
import struct
import sys

FLASH_SIZE = 64 << 20
PARTITION_OFFSET = 0x8_0000
SLOT = 0x8_0000
BL33_HEADER = 0x10_0000
BL33_PAYLOAD = 0x10_1000
STORE = FLASH_SIZE - (1 << 20)
BL33_MAGIC = 0x33334C424D495753  # "SWIMBL33"


def fail(msg):
    sys.exit(f"mkflash: {msg}")


def secure(args):
    monitor = open(args.monitor, "rb").read()
    partition = open(args.partition, "rb").read()
    if len(monitor) > SLOT:
        fail(f"monitor is {len(monitor)} bytes, its slot is {SLOT}")
    if len(partition) > SLOT:
        fail(f"partition is {len(partition)} bytes, its slot is {SLOT}")
    image = monitor + b"\0" * (PARTITION_OFFSET - len(monitor)) + partition
    open(args.o, "wb").write(image)


def flash(args):
    sec = open(args.secure, "rb").read()
    bl33 = open(args.bl33, "rb").read()
    if len(sec) > BL33_HEADER:
        fail("secure image overlaps the BL33 header")
    if len(bl33) == 0 or BL33_PAYLOAD + len(bl33) > STORE:
        fail(f"BL33 payload of {len(bl33)} bytes does not fit before the variable store")
    store = b"\xff" * (FLASH_SIZE - STORE)
    if os.path.exists(args.o) and os.path.getsize(args.o) == FLASH_SIZE:
        with open(args.o, "rb") as f:
            f.seek(STORE)
            store = f.read()
    image = bytearray(b"\xff" * FLASH_SIZE)
    image[0:len(sec)] = sec
    image[BL33_HEADER:BL33_HEADER + 16] = struct.pack("<QQ", BL33_MAGIC, len(bl33))
    image[BL33_PAYLOAD:BL33_PAYLOAD + len(bl33)] = bl33
    image[STORE:] = store
    tmp = args.o + ".tmp"
    open(tmp, "wb").write(image)
    os.replace(tmp, args.o)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("secure")
    s.add_argument("--monitor", required=True)
    s.add_argument("--partition", required=True)
    s.add_argument("-o", required=True)
    f = sub.add_parser("flash")
    f.add_argument("--secure", required=True)
    f.add_argument("--bl33", required=True)
    f.add_argument("-o", required=True)
    args = p.parse_args()
    {"secure": secure, "flash": flash}[args.cmd](args)


if __name__ == "__main__":
    main()
