#!/usr/bin/env python3
"""Builds TF-A (PLAT=qemu, EL3 SPMC) with our MM partition as its one secure partition, and packs
the 64 MiB flash image QEMU boots (docs/tfa.md).

flash: TF-A's BL1 at 0, its FIP at 0x4_0000, our variable store in the last MiB (board.h's BOARD_VARSTORE_OFFSET),
kept as it is when the image already exists. Nothing is downloaded: TF-A comes from --tfa-src.
"""
import argparse
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "qemu"))
from board import BOARD, HEADER  # noqa: E402  the QEMU virt addresses (Sources/Board/include/board.h)

FLASH_SIZE = BOARD.FLASH_SIZE
FIP_OFFSET = 0x4_0000        # TF-A's PLAT_QEMU_FIP_BASE
STORE = BOARD.VARSTORE_OFFSET
BL1_MAX = FIP_OFFSET         # BL1 is read from flash0 below the FIP


def fail(msg):
    sys.exit(f"make tfa: {msg}")


def tfa_version(src):
    r = subprocess.run(["git", "-C", src, "describe", "--tags", "--always", "--dirty"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return r.stdout.strip() or "unknown (not a git checkout)"


def check_source(src):
    if not src:
        fail("TFA_SRC is not set. Give a checkout of TF-A (github.com/ARM-software/arm-trusted-firmware,"
             " tested: v2.15+ commit 6a164dda): make tfa TFA_SRC=<dir>. Nothing is downloaded.")
    if not os.path.isfile(os.path.join(src, "Makefile")) or \
            not os.path.isdir(os.path.join(src, "plat", "qemu", "qemu")) or \
            not os.path.isdir(os.path.join(src, "services", "std_svc", "spm", "el3_spmc")):
        fail(f"TFA_SRC={src} is not a TF-A checkout with the qemu platform and the EL3 SPMC")


def preprocess(dts, output):
    """`dts` run through the C preprocessor, as TF-A and Linux treat .dts files: the manifest
    takes its addresses from board.h (`#include "board.h"`)."""
    r = subprocess.run(["clang", "-E", "-P", "-undef", "-nostdinc", "-x", "assembler-with-cpp",
                        "-I", os.path.dirname(HEADER), "-o", output, dts],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        fail(f"preprocessing {dts} failed:\n{r.stdout}")
    return output


def build_tfa(args, out):
    cross = os.environ.get("CROSS_COMPILE", "aarch64-linux-gnu-")
    if shutil.which(cross + "gcc") is None:
        fail(f"{cross}gcc not found (Debian: apt-get install gcc-aarch64-linux-gnu), or set CROSS_COMPILE")
    if shutil.which("dtc") is None:
        fail("dtc not found (Debian: apt-get install device-tree-compiler)")
    cmd = ["make", "-C", args.tfa_src, f"-j{os.cpu_count() or 1}",
           f"CROSS_COMPILE={cross}", "PLAT=qemu", "SPD=spmd", "SPMC_AT_EL3=1",
           "SPMD_SPM_AT_SEL2=0", "CTX_INCLUDE_EL2_REGS=0", "QEMU_USE_GIC_DRIVER=QEMU_GICV3",
           f"BL32={os.path.abspath(args.partition)}", f"BL33={os.path.abspath(args.bl33)}",
           f"QEMU_TOS_FW_CONFIG_DTS={os.path.abspath(preprocess(args.manifest, os.path.join(out, 'mm_partition.dts')))}",
           f"BUILD_BASE={os.path.abspath(os.path.join(out, 'tf-a'))}"]
    if args.debug:
        cmd += ["DEBUG=1", "LOG_LEVEL=40"]
    cmd += ["all", "fip"]
    print(f"  TF-A    {tfa_version(args.tfa_src)} (PLAT=qemu SPD=spmd SPMC_AT_EL3=1{' DEBUG=1' if args.debug else ''})",
          flush=True)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log = os.path.join(out, "tf-a-build.log")
    with open(log, "w") as f:
        f.write(" ".join(cmd) + "\n" + r.stdout)
    if r.returncode != 0:
        print(r.stdout[-4000:])
        fail(f"TF-A's build failed (full log: {log})")
    plat = os.path.join(out, "tf-a", "qemu", "debug" if args.debug else "release")
    return os.path.join(plat, "bl1.bin"), os.path.join(plat, "fip.bin"), \
        os.path.join(plat, "tools", "fiptool", "fiptool")


def pack(bl1_path, fip_path, output):
    bl1 = open(bl1_path, "rb").read()
    fip = open(fip_path, "rb").read()
    if len(bl1) > BL1_MAX:
        fail(f"BL1 is {len(bl1)} bytes; it must end before the FIP at {FIP_OFFSET:#x}")
    end = FIP_OFFSET + len(fip)
    if end > STORE:
        fail(f"the FIP ends at {end:#x}, past the variable store at {STORE:#x}")
    store = b"\xff" * (FLASH_SIZE - STORE)
    if os.path.exists(output) and os.path.getsize(output) == FLASH_SIZE:
        with open(output, "rb") as f:
            f.seek(STORE)
            store = f.read()
    image = bytearray(b"\xff" * FLASH_SIZE)
    image[0:len(bl1)] = bl1
    image[FIP_OFFSET:end] = fip
    image[STORE:] = store
    tmp = output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(image)
    os.replace(tmp, output)
    print(f"  FLASH   {output}: BL1 {len(bl1)} bytes, FIP {len(fip)} bytes at {FIP_OFFSET:#x}..{end:#x}, "
          f"{STORE - end:#x} bytes free before the store at {STORE:#x}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tfa-src", default=os.environ.get("TFA_SRC", ""))
    p.add_argument("--partition", required=True, help="BL32: the MM partition's flat image")
    p.add_argument("--manifest", required=True, help="the partition's FF-A manifest (DTS)")
    p.add_argument("--bl33", required=True, help="BL33 TF-A is built with")
    p.add_argument("--swap-bl33", help="another BL33, put into a copy of the FIP with fiptool")
    p.add_argument("--swap-manifest", help="another manifest (DTS), put into a copy of the FIP with fiptool")
    p.add_argument("--debug", action="store_true", help="TF-A DEBUG=1 LOG_LEVEL=40")
    p.add_argument("--out", required=True, help="build folder (TF-A's own build goes in OUT/tf-a)")
    p.add_argument("-o", required=True, help="the flash image to write")
    args = p.parse_args()
    check_source(args.tfa_src)
    os.makedirs(args.out, exist_ok=True)
    bl1, fip, fiptool = build_tfa(args, args.out)
    swaps = []
    if args.swap_bl33:
        swaps += ["--nt-fw", args.swap_bl33]
    if args.swap_manifest:
        dtb = args.o + ".manifest.dtb"
        source = preprocess(args.swap_manifest, args.o + ".manifest.dts")
        r = subprocess.run(["dtc", "-I", "dts", "-O", "dtb", "-o", dtb, source],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            fail(f"dtc {args.swap_manifest} failed:\n{r.stdout}")
        swaps += ["--tos-fw-config", dtb]
    if swaps:
        swapped = args.o + ".fip"
        shutil.copyfile(fip, swapped)
        r = subprocess.run([fiptool, "update"] + swaps + [swapped],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            fail(f"fiptool update {' '.join(swaps)} failed:\n{r.stdout}")
        fip = swapped
    pack(bl1, fip, args.o)
    for scratch in (args.o + ".fip", args.o + ".manifest.dts", args.o + ".manifest.dtb"):
        if os.path.exists(scratch):
            os.remove(scratch)


if __name__ == "__main__":
    main()
