#!/usr/bin/env python3
"""Packs the secure image and the flash0 image (layout: board.h, docs/boot.md).

secure: monitor at its offset, MM partition at its offset, each within its slot  -> secure.bin
flash:  secure.bin at 0, the BL33 header, the BL33 payload, and the variable store, which is
        kept as it is when the image already exists.
"""
import argparse
import os
import struct
import sys

from board import BOARD

FLASH_SIZE = BOARD.FLASH_SIZE
PARTITION_OFFSET = BOARD.PARTITION_FLASH_OFFSET
BL33_HEADER = BOARD.BL33_HEADER_OFFSET
BL33_PAYLOAD = BOARD.BL33_PAYLOAD_OFFSET
STORE = BOARD.VARSTORE_OFFSET
BL33_MAGIC = BOARD.BL33_MAGIC  # "SWIMBL33"


def fail(msg):
    sys.exit(f"mkflash: {msg}")


def secure(args):
    monitor = open(args.monitor, "rb").read()
    partition = open(args.partition, "rb").read()
    if len(monitor) > BOARD.MONITOR_FLASH_SLOT:
        fail(f"monitor is {len(monitor)} bytes, its slot is {BOARD.MONITOR_FLASH_SLOT}")
    if len(partition) > BOARD.PARTITION_FLASH_SLOT:
        fail(f"partition is {len(partition)} bytes, its slot is {BOARD.PARTITION_FLASH_SLOT}")
    # The header the monitor checks before it copies the image (Startup/partition_entry.S).
    if len(partition) < 24 or struct.unpack_from("<QQ", partition, 8) != (BOARD.PARTITION_MAGIC, len(partition)):
        fail("partition.bin does not start with its header (magic, then its own size)")
    image = b"\0" * BOARD.MONITOR_FLASH_OFFSET + monitor
    image += b"\0" * (PARTITION_OFFSET - len(image)) + partition
    open(args.o, "wb").write(image)


def flash(args):
    sec = open(args.secure, "rb").read()
    bl33 = open(args.bl33, "rb").read()
    if len(sec) > BL33_HEADER:
        fail("secure image overlaps the BL33 header")
    if len(bl33) == 0 or BL33_PAYLOAD + len(bl33) > STORE:
        fail(f"BL33 payload of {len(bl33)} bytes does not fit before the variable store")
    store = b"\xff" * BOARD.VARSTORE_SIZE
    if os.path.exists(args.o) and os.path.getsize(args.o) == FLASH_SIZE:
        with open(args.o, "rb") as f:
            f.seek(STORE)
            store = f.read(BOARD.VARSTORE_SIZE)
    image = bytearray(b"\xff" * FLASH_SIZE)
    image[0:len(sec)] = sec
    image[BL33_HEADER:BL33_HEADER + 16] = struct.pack("<QQ", BL33_MAGIC, len(bl33))
    image[BL33_PAYLOAD:BL33_PAYLOAD + len(bl33)] = bl33
    image[STORE:STORE + BOARD.VARSTORE_SIZE] = store
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
