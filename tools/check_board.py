#!/usr/bin/env python3
"""Checks that the QEMU virt board is described in one place (issue 11):

1. No firmware source, linker script, manifest or build tool spells one of the board's own
   addresses (Sources/Board/include/board.h) as a number: each takes it from board.h. Comments
   and the test suites (which type and expect addresses as a user would) are not read.
2. TF-A's manifest of our partition (tfa/mm_partition.dts), preprocessed as tfa/build.py does,
   compiles with dtc and gives the partition exactly board.h's load address, MM buffer,
   variable store and secure UART.

Usage: check_board.py BUILD_DIR"""
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "qemu"))
from board import BOARD, HEADER  # noqa: E402

# Numbers that are also common sizes or masks (1 GiB, 64 MiB, 16 MiB, 1 MiB) say nothing alone.
AMBIGUOUS = {0x4000_0000, 0x0400_0000, 0x0100_0000, 0x0010_0000}
# Where the board's addresses may not be spelt out.
SCANNED = ("Sources/", "Startup/", "Linker/", "tfa/", "qemu/", "tools/", "Makefile")
# Test suites and fixtures: inputs and expected console lines, written as a user types them; the
# fuzzers' seeds model QEMU's own device tree and other boards' shapes.
NOT_SCANNED = re.compile(r"(^|/)(\w*tests?\.py|check_runtime_fixtures/.*|fuzz\.py)$")
HEX = re.compile(r"\b0[xX][0-9A-Fa-f_]+\b")


def addresses():
    named = {}
    for name, value in vars(BOARD).items():
        if not name.startswith("_") and value >= 0x0100_0000 and value not in AMBIGUOUS:
            named.setdefault(value, []).append("BOARD_" + name)
    return named


def without_comments(path, text):
    if path.endswith((".py", ".sh")) or os.path.basename(path) == "Makefile":
        return "\n".join(line.split("#", 1)[0] for line in text.split("\n"))
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return "\n".join(line.split("//", 1)[0] for line in text.split("\n"))


def spelt_out():
    named = addresses()
    files = subprocess.run(["git", "ls-files", *SCANNED], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    found = []
    for path in files:
        if os.path.abspath(os.path.join(ROOT, path)) == HEADER or NOT_SCANNED.search(path):
            continue
        if not path.endswith((".swift", ".c", ".h", ".S", ".inc", ".ld", ".dts", ".py", ".sh")) \
                and os.path.basename(path) != "Makefile":
            continue
        with open(os.path.join(ROOT, path), errors="replace") as f:
            code = without_comments(path, f.read())
        for number, line in ((m.group(0), code.count("\n", 0, m.start()) + 1) for m in HEX.finditer(code)):
            value = int(number.replace("_", ""), 16)
            if value in named:
                found.append(f"{path}:{line}: {number} is {' or '.join(named[value])}: take it from board.h")
    return found


def manifest(build):
    """The manifest's values, read back from the DTB dtc makes of it."""
    if shutil.which("dtc") is None or shutil.which("fdtget") is None:
        subprocess.run(["apt-get", "install", "-y", "-q", "device-tree-compiler"], check=True,
                       stdout=subprocess.DEVNULL)
    import importlib.util   # tfa/build.py, by its path (PyPA's `build` may be installed too)
    spec = importlib.util.spec_from_file_location("tfa_build", os.path.join(ROOT, "tfa", "build.py"))
    tfa_build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tfa_build)
    os.makedirs(build, exist_ok=True)
    dts = tfa_build.preprocess(os.path.join(ROOT, "tfa", "mm_partition.dts"),
                               os.path.join(build, "check-manifest.dts"))
    dtb = os.path.join(build, "check-manifest.dtb")
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb, dts], check=True)

    def get(node, prop):
        out = subprocess.run(["fdtget", "-t", "u", dtb, node, prop], check=True, capture_output=True, text=True)
        cells = [int(c) for c in out.stdout.split()]
        return (cells[0] << 32 | cells[1]) if len(cells) == 2 else cells[0]

    try:
        return {
            "load-address": (get("/", "load-address"), BOARD.PARTITION_BASE),
            "MM buffer": (get("/memory-regions/mm-comm-buffer", "base-address"), BOARD.MM_BUFFER_BASE),
            "MM buffer pages": (get("/memory-regions/mm-comm-buffer", "pages-count"), BOARD.MM_BUFFER_SIZE // 4096),
            "variable store": (get("/device-regions/variable-store", "base-address"),
                               BOARD.FLASH_BASE + BOARD.VARSTORE_OFFSET),
            "variable store pages": (get("/device-regions/variable-store", "pages-count"), BOARD.VARSTORE_SIZE // 4096),
            "secure UART": (get("/device-regions/secure-uart", "base-address"), BOARD.UART1),
        }
    finally:
        os.remove(dts)
        os.remove(dtb)


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    failures = spelt_out()
    for what, (got, want) in manifest(argv[1]).items():
        if got != want:
            failures.append(f"tfa/mm_partition.dts: {what} is {got:#x}, board.h says {want:#x}")
    for f in failures:
        print("check-board: " + f)
    if failures:
        return 1
    print(f"check-board: no board address spelt outside board.h ({len(addresses())} addresses looked for); "
          "TF-A's manifest gives board.h's partition base, MM buffer, variable store and secure UART")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
