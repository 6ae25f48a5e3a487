#!/usr/bin/env python3
"""Board tests (docs/boards.md): the one build/normal.bin as an arm64 Image on QEMU virt at
several load addresses and RAM sizes, on raspi3b and on xlnx-zcu102, with no secure world; and
as BL33 of our secure world. Each boot checks the shell, the device tree's console, FF-A absent
or present, and a UEFI variable set and read back."""
import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from board import BOARD  # noqa: E402
from harness import BUILD, ROOT, boot, check, finished, fresh_flash, run_suite  # noqa: E402

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


NORMAL_BIN = os.path.join(BUILD, "normal.bin")
VARIABLE = ["setenv -e -nv -bs -rt BoardVar board-value", "printenv -e BoardVar"]
PROMPT = "Type 'help' for commands."


def board_dtbs():
    r = subprocess.run([os.path.join(ROOT, "qemu", "boards", "fetch-dtbs.sh"),
                        os.path.join(BUILD, "boards"), os.path.join(BUILD, "linux", "debs")],
                       cwd=ROOT, capture_output=True, text=True)
    check(r.returncode == 0, "no board device trees (qemu/boards/fetch-dtbs.sh): " + r.stdout + r.stderr)


def digest():
    with open(NORMAL_BIN, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def shell_and_variable(b, load_address):
    check(f"loaded at {load_address:#x}, DTB at" in b, f"not loaded at {load_address:#x}", b)
    check("=> version\nswift-ffa-firmware" in b, "version missing", b)
    check("DataSize = 0xb" in b and "board-value" in b, "the variable was not set and read back", b)
    check("*** unexpected exception" not in b, "an exception", b)


def says(b, *lines):
    """Each (line, what its absence means) is in the console output."""
    for line, missing in lines:
        check(line in b, missing, b)


def no_ffa(b, reason):
    check(f"normal: no FF-A ({reason})" in b, f"FF-A not reported absent ({reason})", b)
    check("normal: variables are volatile: no FF-A" in b, "variables not volatile", b)
    check(f"=> ffa version\nFF-A is absent: {reason}" in b, "ffa version does not say FF-A is absent", b)


COMMANDS = ["version", "dt", "ffa version"] + VARIABLE


@test
def image_header_is_an_arm64_image_and_relocations_are_relative():
    with open(NORMAL_BIN, "rb") as f:
        data = f.read()
    code0, _, text_offset, image_size, flags = struct.unpack_from("<IIQQQ", data, 0)
    magic, = struct.unpack_from("<I", data, 0x38)
    check(magic == 0x644D5241, f"magic {magic:#x} is not ARM\\x64")
    check(code0 & 0xFC000000 == 0x14000000, f"offset 0 is not a branch ({code0:#010x})")
    check(text_offset == 0x80000, f"text_offset {text_offset:#x}")
    check(flags == 0xA, f"flags {flags:#x}: want LE, 4K pages, anywhere")
    # image_size covers the file and every NOLOAD region (stacks, heap, tables) after it.
    out = subprocess.run(["llvm-readelf", "-S", "-r", os.path.join(BUILD, "normal.elf")],
                         capture_output=True, text=True, check=True).stdout
    sections = re.findall(r"^\s*\[\s*\d+\] (\S+)\s+\S+\s+([0-9a-f]{16}) [0-9a-f]+ ([0-9a-f]+) [0-9a-f]+ +(\S*A\S*) ", out, re.M)
    footprint = max(int(a, 16) + int(s, 16) for _, a, s, _ in sections) - BOARD.BL33_BASE
    check(any(name == ".pagetables" for name, _, _, _ in sections), "section table not read")
    check(len(data) <= image_size and footprint <= image_size, f"image_size {image_size:#x} < footprint {footprint:#x}")
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "check_pie.py"), os.path.join(BUILD, "normal.elf"),
                        NORMAL_BIN], capture_output=True, text=True)
    check(r.returncode == 0 and "OK" in r.stdout, "tools/check_pie.py: " + r.stdout + r.stderr)


@test
def virt_kernel_at_three_load_addresses():
    before = digest()
    # -kernel: RAM base + text_offset; the generic loader: any 4 KiB boundary, x0 = 0.
    for mode, address in (("kernel", 0x4008_0000), ("loader@0x41234000", 0x4123_4000),
                          ("loader@0x7f000000", 0x7F00_0000)):
        b = boot(mode, COMMANDS + ["poweroff"])
        finished(b)
        shell_and_variable(b, address)
        no_ffa(b, "hvc conduit but no EL2")
        check(f"console: PL011 at {BOARD.UART0:#x} (stdout-path /pl011@{BOARD.UART0:x})" in b, "console not from the DTB", b)
        check(f"image: loaded at {address:#x}" in b, "dt does not show the load address", b)
    check(digest() == before, "normal.bin changed between boots")


@test
def virt_kernel_with_2g_and_4g():
    for size, line in (("2G", "memory: 0x40000000 size 0x80000000"), ("4G", "memory: 0x40000000 size 0x100000000")):
        b = boot("kernel", COMMANDS + ["poweroff"], extra=f"-m {size}")
        finished(b)
        check(line in b, f"-m {size}: RAM not read from the DTB", b)
        shell_and_variable(b, 0x4008_0000)


@test
def virt_kernel_at_el2_smc_without_el3_is_never_issued():
    # virtualization=on and no EL3: QEMU's /psci says smc, and smc would be UNDEFINED for FF-A.
    b = boot("kernel", COMMANDS + ["poweroff"], extra="-M virt,virtualization=on")
    finished(b)
    check("=> version" in b, "no shell", b)
    no_ffa(b, "smc conduit but no EL3")
    shell_and_variable(b, 0x4008_0000)


@test
def raspi3b_mini_uart_ram_at_zero_no_psci():
    board_dtbs()
    b = boot("raspi3b", COMMANDS + ["poweroff", "reset", "version"], until="reset: cannot", timeout=60)
    check(not b.timed_out, "QEMU timed out", b)
    shell_and_variable(b, 0x8_0000)
    says(b, ("console: ns16550 at 0x3f215040 (stdout-path serial1)", "the mini-UART was not chosen"),
         ("memory: 0x0 size 0x3c000000", "RAM at 0 not read"),
         ("psci: none", "a /psci where raspi3b has none"),
         ("fw_cfg: none", "fw_cfg where the DTB lists none"),
         ("poweroff: cannot, the device tree has no /psci", "poweroff did not say it cannot"))
    no_ffa(b, "no PSCI conduit in the device tree")


@test
def raspi3b_pl011_when_stdout_path_names_it():
    # The same Debian DTB with stdout-path = "serial0": the PL011 at bus address 0x7e201000,
    # 0x3f201000 through /soc's ranges, on QEMU's first serial port.
    board_dtbs()

    def edit(dts):
        check('stdout-path = "serial1:115200n8";' in dts, "the Debian DTB's stdout-path changed")
        return dts.replace('stdout-path = "serial1:115200n8";', 'stdout-path = "serial0:115200n8";')
    dtb = edited_dtb(os.path.join(BUILD, "boards", "bcm2837-rpi-3-b.dtb"), "rpi-pl011", edit)
    b = boot("raspi3b-pl011", COMMANDS + ["poweroff"], extra=f"-dtb {dtb}", until="poweroff: cannot", timeout=60)
    os.remove(dtb)
    check(not b.timed_out, "QEMU timed out", b)
    shell_and_variable(b, 0x8_0000)
    check("console: PL011 at 0x3f201000 (stdout-path serial0)" in b, "the PL011 was not chosen", b)


@test
def zcu102_cadence_uart():
    board_dtbs()
    # QEMU's Cadence UART drops what arrives before the firmware enables it: type after the prompt.
    b = boot("zcu102", [], then=(PROMPT, COMMANDS + ["poweroff"]), timeout=60)
    finished(b)
    shell_and_variable(b, 0x8_0000)
    check("console: Cadence UART at 0xff000000 (stdout-path serial0)" in b, "the Cadence UART was not chosen", b)
    check("memory: 0x0 size 0x80000000" in b, "RAM not read", b)
    check("fw_cfg: none" in b and "psci: method smc" in b, "fw_cfg or /psci not as the DTB says", b)
    no_ffa(b, "smc conduit but no EL3")


@test
def zcu102_4g_console_stays_device_memory():
    # QEMU 7.2 writes one /memory range of 4 GiB at 0 here, over the UART at 0xff000000 (the
    # board's upper 2 GiB really sit at 0x8_0000_0000): the firmware maps the console page as
    # device memory after RAM (QEMU does not model the difference; the boot must still work).
    board_dtbs()
    b = boot("zcu102", [], then=(PROMPT, ["dt"] + VARIABLE + ["poweroff"]), extra="-m 4G", timeout=60)
    finished(b)
    check("memory: 0x0 size 0x100000000" in b, "RAM not read", b)
    check("board-value" in b, "variable not read back", b)


def need_dtc():
    if shutil.which("dtc") is None:
        subprocess.run(["apt-get", "install", "-y", "-q", "device-tree-compiler"], check=True,
                       stdout=subprocess.DEVNULL)


def edited_dtb(source, name, edit):
    """build/test-<name>.dtb: the device tree `source`, edited as DTS text and compiled with dtc."""
    need_dtc()
    out = os.path.join(BUILD, f"test-{name}.dtb")
    dts = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", source], check=True, capture_output=True, text=True).stdout
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", out], input=edit(dts), check=True, text=True)
    return out


def edited_virt_dtb(name, edit, machine="virt"):
    """QEMU virt's own device tree (dumpdtb), edited (edited_dtb)."""
    raw = os.path.join(BUILD, f"test-{name}-virt.dtb")
    subprocess.run(["qemu-system-aarch64", "-M", f"{machine},dumpdtb={raw}", "-cpu", "max", "-m", "1G",
                    "-display", "none", "-nodefaults"], check=True, capture_output=True)
    try:
        return edited_dtb(raw, name, edit)
    finally:
        os.remove(raw)


@test
def virt_fallbacks_from_an_edited_device_tree():
    # stdout-path names no node, and an MM buffer sits in /reserved-memory: what the tree says is
    # what the shell uses. (A /psci cannot be taken away here: QEMU's -kernel boot adds its own;
    # raspi3b has none.)
    def edit(dts):
        dts = dts.replace('stdout-path = "/pl011@9000000";', 'stdout-path = "/no-such-uart@0";')
        reserved = ("\treserved-memory {\n\t\t#address-cells = <0x02>;\n\t\t#size-cells = <0x02>;\n\t\tranges;\n"
                    "\t\tmm-buffer@48200000 {\n\t\t\treg = <0x00 0x48200000 0x00 0x20000>;\n\t\t\tno-map;\n\t\t};\n\t};\n")
        return dts.replace("\tchosen {", reserved + "\tchosen {", 1)
    dtb = edited_virt_dtb("fallbacks", edit)
    b = boot("kernel", ["dt", "ffa version"] + VARIABLE + ["poweroff"], extra=f"-dtb {dtb}")
    os.remove(dtb)
    finished(b)
    says(b, ("normal: console PL011 at 0x9000000 (no usable stdout-path: first UART we drive)", "no fallback console"),
         ("console: PL011 at 0x9000000 (stdout-path /no-such-uart@0) (fallback)", "dt does not say fallback"),
         ("MM buffer: 0x48200000 size 0x20000 (/reserved-memory)", "MM buffer not from the tree"),
         ("board-value", "variable not read back"))
    no_ffa(b, "hvc conduit but no EL2")


@test
def a_device_tree_past_the_node_limit_is_refused_by_both_worlds():
    # QEMU's tree with 5,000 more (empty) nodes: past FDT.maxNodes (4,096). Indexed whole, it
    # outgrew the monitor's heap and stopped the machine at reset (a BRK at EL3). Now the
    # monitor hands it on unchanged and the normal world uses QEMU virt's defaults; both say
    # why and the shell works. With no tree the normal world knows no PSCI conduit, so it
    # issues no SMC (no FF-A, volatile variables) and cannot power off (as on raspi3b).
    def edit(dts):
        return dts.replace("\tchosen {", "".join(f"\tn{i} {{\n\t}};\n" for i in range(5000)) + "\tchosen {", 1)
    dtb = edited_virt_dtb("many-nodes", edit, machine="virt,secure=on,virtualization=on")
    flash = fresh_flash("many-nodes")
    try:
        b = boot("el2", COMMANDS + ["poweroff"], flash=flash, extra=f"-dtb {dtb}", until="poweroff: cannot")
    finally:
        os.remove(dtb)
        os.remove(flash)
    check(not b.timed_out, "the shell did not answer", b)
    shell_and_variable(b, BOARD.BL33_BASE)
    says(b, (f"secure: DTB at {BOARD.DTB_BASE:#010x} is malformed, has too many nodes or is full; BL33 gets it unchanged",
             "the monitor did not refuse the tree"),
         ("normal: the DTB is malformed or has too many nodes; using QEMU virt defaults", "no fallback reported"))
    no_ffa(b, "no PSCI conduit in the device tree")


@test
def uboot_booti_starts_normal_bin():
    # Debian's U-Boot for QEMU (package u-boot-qemu) reads the Image header, moves the image to
    # a 2 MiB boundary + text_offset and enters it with its own device tree.
    if not os.environ.get("UBOOT_QEMU") and not os.path.exists("/usr/lib/u-boot/qemu_arm64/u-boot.bin"):
        subprocess.run(["apt-get", "install", "-y", "-q", "u-boot-qemu"], check=True, stdout=subprocess.DEVNULL)
    b = boot("uboot", [], then=("Hit any key to stop autoboot", ["", "booti 0x40400000 - ${fdtcontroladdr}"]
                                + COMMANDS + ["poweroff"]), timeout=60)
    finished(b)
    check("Moving Image from 0x40400000 to 0x40480000" in b, "U-Boot did not place the Image by its header", b)
    shell_and_variable(b, 0x4048_0000)
    no_ffa(b, "hvc conduit but no EL2")


@test
def bl33_on_our_secure_world_takes_the_mm_buffer_from_the_dtb():
    b = boot("el2", COMMANDS + ["poweroff"])
    finished(b)
    shell_and_variable(b, 0x6000_0000)
    check("MM buffer: 0x40100000 size 0x10000 (/reserved-memory)" in b, "MM buffer not from /reserved-memory", b)
    check("normal: UEFI variables over FF-A" in b, "variables not over FF-A", b)


def main(argv):
    return run_suite(TESTS, argv, "board tests")


if __name__ == "__main__":
    p, f = main(sys.argv)
    sys.exit(1 if f else 0)
