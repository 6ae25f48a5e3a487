#!/usr/bin/env python3
"""QEMU tests of our MM partition under TF-A's EL3 SPMC (issue 16, docs/tfa.md).

    TFA_SRC=<TF-A checkout> [UBOOT_BIN=u-boot.bin] python3 qemu/tfa_tests.py [test-name ...]

Runs only when TFA_SRC names a TF-A checkout; otherwise prints "skipped: TFA_SRC not set" and
exits 0 (make test runs it that way). The U-Boot test also needs UBOOT_BIN (docs/uboot.md).
Each test boots private flash images (build/test-tfa-*.img, blank store), never build/tfa/flash.bin.
"""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from board import BOARD  # noqa: E402
from harness import BUILD, ROOT, check, run_suite  # noqa: E402
from uboot_conformance import Console  # noqa: E402

TFA_SRC = os.environ.get("TFA_SRC", "")
UBOOT_BIN = os.environ.get("UBOOT_BIN", "")
MANIFEST = os.path.join(ROOT, "tfa", "mm_partition.dts")
SHELL = "Type 'help' for commands."
PROMPT = re.compile(r"\n=> ")
FAULT = re.compile(r"\*\*\* mm|\*\*\* secure|ASSERT|PANIC|unexpected (exception|trap)")

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def flash(name, bl33=None, manifest=None):
    """A private flash image: TF-A (built by `make tfa`) with a blank store; BL33 or the
    manifest swapped in a copy of the FIP when given."""
    out = os.path.join(BUILD, f"test-tfa-{name}.img")
    for leftover in (out, out + ".fip", out + ".manifest.dtb"):
        if os.path.exists(leftover):
            os.remove(leftover)
    cmd = [sys.executable, os.path.join(ROOT, "tfa", "build.py"), "--tfa-src", TFA_SRC,
           "--partition", os.path.join(BUILD, "partition.bin"), "--manifest", MANIFEST,
           "--bl33", os.path.join(BUILD, "normal.bin"), "--out", os.path.join(BUILD, "tfa"), "-o", out]
    if bl33:
        cmd += ["--swap-bl33", bl33]
    if manifest:
        cmd += ["--swap-manifest", manifest]
    r = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    check(r.returncode == 0, f"tfa/build.py failed:\n{r.stdout[-3000:]}")
    return out


def flash_with_manifest(name, old, new):
    """A private flash image whose partition manifest has the line `old` changed to `new`."""
    edited = os.path.join(BUILD, f"test-tfa-{name}-manifest.dts")
    text = open(MANIFEST).read()
    check(old in text, f"the manifest no longer has {old!r}; update this test")
    with open(edited, "w") as f:
        f.write(text.replace(old, new))
    try:
        return flash(name, manifest=edited)
    finally:
        os.remove(edited)


def shell(image, commands, until_exit=False, timeout=120):
    """Boots `image` with our normal world, types each command after the prompt; the console.
    With `until_exit` the last command is expected to end QEMU (poweroff)."""
    c = Console(image, None)
    try:
        check(c.wait_for(SHELL, 0, timeout) is not None, "no shell under TF-A:\n" + c.out[-3000:])
        for i, command in enumerate(commands):
            last = i == len(commands) - 1
            if last and until_exit:
                c.type(command)
                c.proc.wait(timeout=30)
                break
            check(c.run(command, timeout=60, until=PROMPT) is not None,
                  f"no prompt after {command!r}:\n" + c.out[-3000:])
        return c.out
    finally:
        c.close()


def healthy(out):
    check(not FAULT.search(out), "a fault under TF-A:\n" + out[-3000:])
    check("Secure Partition initialized" in out or "mm: variable store mounted from flash" in out,
          "the partition did not start:\n" + out[-3000:])


@test
def tfa_partition_boots_with_the_manifest_and_serves_our_normal_world():
    img = flash("normal")
    out = shell(img, ["ffa parts", "setenv -e -nv -bs -rt TfaPersist hello", "printenv -e TfaPersist", "poweroff"],
                until_exit=True)
    healthy(out)
    for line in ["mm: FF-A boot information at 0xe0",
                 f"mm: manifest map: MM buffer {BOARD.MM_BUFFER_BASE:#x} ({BOARD.MM_BUFFER_SIZE >> 10} KiB), "
                 f"variable store {BOARD.VARSTORE_OFFSET:#x} ({BOARD.VARSTORE_SIZE >> 10} KiB), secure UART {BOARD.UART1:#x}",
                 "mm: variable store mounted from flash",
                 "normal: UEFI variables over FF-A, MM partition 0x8001"]:
        check(line in out, f"missing {line!r}:\n" + out[-3000:])
    check(re.search(r"0x8001  ed32d533-99e6-4209-9cc0-2d72cdd998a7  contexts 32 ", out),
          "ffa parts does not list 0x8001 with 32 contexts:\n" + out[-3000:])
    check(re.search(r"TfaPersist:\n.*\n    NV\|BS\|RT, DataSize = 0x5\n    00000000: 68 65 6c 6c 6f", out),
          "printenv -e does not read the variable back:\n" + out[-3000:])
    check("Powering off" in out, "poweroff did not reach TF-A's PSCI:\n" + out[-2000:])

    # A restart: the variable is in flash.
    out = shell(img, ["printenv -e TfaPersist"])
    healthy(out)
    check("mm: non-volatile variables: 1" in out, "the store did not mount the variable:\n" + out[-3000:])
    check(re.search(r"TfaPersist:\n.*\n    NV\|BS\|RT, DataSize = 0x5\n    00000000: 68 65 6c 6c 6f", out),
          "the variable did not survive a restart:\n" + out[-3000:])

    # A power cut in the middle of a write (QEMU killed as the command is typed): the store
    # mounts on the next boot, the old variable is intact, the cut one all there or absent.
    c = Console(img, None)
    try:
        check(c.wait_for(SHELL, 0, 120) is not None, "no shell:\n" + c.out[-2000:])
        c.type("setenv -e -nv -bs -rt TfaCut " + "c" * 2000)
        c.wait_for("setenv -e", 0, 10)
    finally:
        c.close()
    out = shell(img, ["printenv -e TfaPersist", "printenv -e TfaCut"])
    healthy(out)
    check(re.search(r"TfaPersist:\n.*\n    NV\|BS\|RT, DataSize = 0x5\n", out), "a power cut lost a variable:\n" + out[-3000:])
    check(re.search(r"TfaCut:\n.*\n    NV\|BS\|RT, DataSize = 0x7d0\n", out) or "TfaCut:\n    EFI_NOT_FOUND" in out,
          "the cut variable is neither whole nor absent:\n" + out[-3000:])


@test
def tfa_power_cuts_lose_no_acknowledged_write():
    # The power-cut campaign of make test (qemu/powercut.py, docs/power-cuts.md), 20 cuts at
    # seeded secure-world instruction counts, on TF-A + our partition instead of our monitor.
    import powercut
    img = flash("cuts")
    passed, failed = powercut.main(["powercut", "--cuts", "20", "--seed", "1", "--flash", img,
                                    "--work", os.path.join(BUILD, "test-tfa-powercut")])
    check(passed == 20 and failed == 0, f"power cuts under TF-A: {passed} passed, {failed} failed")


@test
def tfa_partition_refuses_a_manifest_that_is_not_usable():
    # The store as one erase block: the partition says why and fails its initialisation;
    # TF-A goes on, and our normal world reaches its shell with volatile variables.
    img = flash_with_manifest("bad", "pages-count = <PAGES(BOARD_VARSTORE_SIZE)>;", "pages-count = <64>;")
    out = shell(img, ["printenv -e", "poweroff"], until_exit=True)
    check("mm: refusing the manifest: a region has the wrong attributes, alignment or size: "
          "device-regions/variable-store" in out, "the partition did not refuse the manifest:\n" + out[-3000:])
    check("mm: variable store mounted" not in out, "the partition mounted a store it refused:\n" + out[-3000:])
    check(SHELL in out, "no shell after the partition refused to start:\n" + out[-3000:])


@test
def tfa_partition_fault_without_ffa_abort_is_contained():
    # The MM buffer moved to 0x0C00_0000, where QEMU virt has nothing: the partition's first
    # read of a request faults. TF-A's EL3 SPMC has no FFA_ABORT, so the partition ends the
    # request with FFA_ERROR(ABORTED) itself; the normal world says so and goes on.
    img = flash_with_manifest("fault", "base-address = <0x0 BOARD_MM_BUFFER_BASE>;", "base-address = <0x0 0x0c000000>;")
    log = os.path.join(BUILD, "secure-uart.log")
    out = shell(img, ["printenv -e", "printenv -e", "poweroff"], until_exit=True)
    secure = open(log, errors="replace").read() if os.path.exists(log) else ""
    check("FAR 0x000000000c000010" in secure and "EC 0x25 (data abort)" in secure,
          "the partition did not report its fault on the secure UART:\n" + secure[-2000:])
    check("*** mm: the SPMC does not support FFA_ABORT; every request is answered FFA_ERROR(ABORTED)" in secure,
          "no FFA_ABORT fallback:\n" + secure[-2000:])
    check("normal: variables are volatile: the MM partition does not answer" in out,
          "the normal world did not fall back:\n" + out[-3000:])
    check(out.count("SetupMode:") == 2 and "Powering off" in out, "the machine did not go on:\n" + out[-3000:])


@test
def tfa_stock_uboot_finds_the_partition_and_keeps_variables():
    if not UBOOT_BIN:
        print("  skipped: UBOOT_BIN not set (the stock U-Boot leg)")
        return
    img = flash("uboot", bl33=UBOOT_BIN)
    for boot in (1, 2):
        c = Console(img, None)
        try:
            check(c.to_prompt(timeout=180), f"boot {boot}: no U-Boot prompt:\n" + c.out[-3000:])
            if boot == 1:
                got = c.run("armffa getpart 33d532ed-e699-0942-c09c-a798d9cd722d", timeout=60)
                check(got is not None and "Partition: id = 8001" in got, "armffa getpart:\n" + c.out[-3000:])
                got = c.run("setenv -e -nv -bs -rt TfaUBoot x", timeout=120)
                check(got is not None and "rror" not in got, "setenv -e:\n" + c.out[-3000:])
            got = c.run("printenv -e TfaUBoot", timeout=60)
            check(got is not None and "NV|BS|RT, DataSize = 0x1" in got and "00000000: 78" in got,
                  f"boot {boot}: printenv -e:\n" + c.out[-3000:])
            check("MM SP discovery failure" not in c.out and "mm_communicate failed" not in c.out,
                  "U-Boot's MM client complained:\n" + c.out[-3000:])
            check(not FAULT.search(c.out), "a fault:\n" + c.out[-3000:])
        finally:
            c.close()


def main(argv):
    if not TFA_SRC:
        print("skipped: TFA_SRC not set (TF-A EL3 SPMC tests; docs/tfa.md)", flush=True)
        return 0, 0
    r = subprocess.run(["make", "-s", "all", "tfa", f"TFA_SRC={TFA_SRC}"], cwd=ROOT)
    if r.returncode != 0:
        print("make tfa failed", flush=True)
        return 0, 1
    try:
        return run_suite(TESTS, argv, "TF-A tests")
    finally:
        for name in os.listdir(BUILD):
            if name.startswith("test-tfa-"):
                path = os.path.join(BUILD, name)
                shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)


if __name__ == "__main__":
    passed, failed = main(sys.argv)
    sys.exit(1 if failed else 0)
