#!/usr/bin/env python3
"""`make test-linux`: Debian's arm64 Linux kernel boots through our normal world on our secure
world, runs our own /init (busybox) and powers off through PSCI SYSTEM_OFF.

Setup (cached under build/linux): qemu/linux/fetch.sh downloads the kernel and busybox-static
with apt; qemu/linux/build-ffa-module.sh builds Linux's FF-A driver and our ffa-mm-probe as
modules for that kernel; `initramfs()` writes a newc cpio with busybox, the two modules and the
/init script below, which loads them and lists /sys/bus/arm_ffa/devices. Each boot
is checked line by line; one line per check and an `N passed, N failed` summary.
Usage: linux_tests.py [--prepare] [uefi|uefi-el1|4G ...] (uefi: -m 1G through bootefi; uefi-el1: on a
machine without EL2)
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from board import BOARD  # noqa: E402

LINUX = os.path.join(harness.BUILD, "linux")
APPEND = f"console=ttyAMA0 earlycon=pl011,{BOARD.UART0:#x}"
# Added by `setenv bootargs` in the typed boot: the shell variable, not -append, must reach Linux.
# `swiftfw.shell` makes /init start a busybox shell, which then runs the typed SHELL_LINES.
TYPED_MARK = "swiftfw.typed=1 swiftfw.shell"
SHELL_LINES = ["echo shell-$((6 * 7))", "poweroff -f"]
# Built by qemu/linux/build-ffa-module.sh: Linux's arm_ffa driver and our driver for the MM UUID.
MODULES = ["ffa-module.ko", "ffa-mm-probe.ko"]
# From Debian's kernel package (qemu/linux/fetch.sh): efivarfs is a module there.
FETCHED_MODULES = ["efivarfs.ko"]
MM_ID, MM_UUID = "0x8001", "ed32d533-99e6-4209-9cc0-2d72cdd998a7"
# The UEFI boot (`boot` picks bootefi for Debian's EFI stub): before it, our shell creates
# LinuxOld and LinuxKeep under this vendor GUID (removable in efivarfs: not the global GUID);
# Linux deletes LinuxOld, writes LinuxNew, and reboots through ResetSystem.
EFIVARS_MARK = "swiftfw.efivars"
VENDOR = "8c1b5a9e-2f44-4d3b-9a51-6d0e7f3c2b10"
SHELL_VARS = ["setenv -e -guid " + VENDOR + " -nv -bs -rt LinuxOld old-value",
              "setenv -e -guid " + VENDOR + " -nv -bs -rt LinuxKeep keep-value"]
NEW_VALUE = "from-linux"

# Runs as PID 1. Every line the host checks starts with "INIT:".
INIT_TEMPLATE = r"""#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "INIT: reached /init, kernel $(uname -r)"
timer() { grep -E 'arch_timer' /proc/interrupts | awk '{ n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i; s += n } END { print s + 0 }'; }
before=$(timer)
sleep 1
after=$(timer)
echo "INIT: sleep 1 returned; timer interrupts $before -> $after"
grep -E 'arch_timer' /proc/interrupts | sed 's/^/INIT: interrupts:/'
# Linux's FF-A driver, built out of tree (Debian leaves it out), then our driver for the MM UUID.
for m in ffa-module ffa-mm-probe; do
    if insmod /lib/modules/$m.ko; then echo "INIT: insmod $m ok"; else echo "INIT: insmod $m failed ($?)"; fi
done
echo "INIT: ffa devices: $(ls /sys/bus/arm_ffa/devices 2>/dev/null | tr '\n' ' ')"
for d in /sys/bus/arm_ffa/devices/*; do
    [ -e "$d/partition_id" ] && echo "INIT: ffa device $(basename $d) partition $(cat $d/partition_id) uuid $(cat $d/uuid)"
done
dmesg | grep -E 'ARM FF-A|arm_ffa|arm-ffa|ffa' | sed 's/^/INIT: ffa dmesg: /'
bad=$(dmesg | grep -E 'Internal error|Unhandled|Oops|BUG' | head -n 3)
if [ -n "$bad" ]; then echo "$bad" | sed 's/^/INIT: dmesg error: /'; else echo "INIT: dmesg has no errors"; fi
dmesg | grep -iE 'psci|smccc|SMC Calling' | sed 's/^/INIT: dmesg: /'
if grep -q swiftfw.efivars /proc/cmdline; then
    v=/sys/firmware/efi/efivars
    insmod /lib/modules/efivarfs.ko || echo "INIT: insmod efivarfs failed"
    mount -t efivarfs efivarfs $v && echo "INIT: efivarfs mounted $(grep efivarfs /proc/mounts | awk '{ print $4 }')"
    ls $v | grep -i VENDOR | sed 's/^/INIT: efivar before: /'
    printf '\007\000\000\000NEW_VALUE' > $v/LinuxNew-VENDOR && echo "INIT: wrote LinuxNew"
    efirm $v/LinuxOld-VENDOR && [ ! -e $v/LinuxOld-VENDOR ] && echo "INIT: deleted LinuxOld"
    echo "INIT: LinuxNew reads $(od -An -c $v/LinuxNew-VENDOR | tr -d ' \n')"
    ls $v | grep -i VENDOR | sed 's/^/INIT: efivar after: /'
    echo "INIT: rebooting through EFI ResetSystem"
    reboot -f
fi
if grep -q swiftfw.shell /proc/cmdline; then
    echo "INIT: busybox shell (poweroff -f ends QEMU)"
    exec setsid cttyhack sh
fi
echo "INIT: powering off"
poweroff -f
"""
INIT = INIT_TEMPLATE.replace("VENDOR", VENDOR).replace("NEW_VALUE", NEW_VALUE)


def newc(entries):
    """A newc (SVR4, no CRC) cpio archive of (name, mode, data, rdev major, rdev minor)."""
    out = bytearray()

    def pad4():
        out.extend(b"\0" * (-len(out) % 4))

    for ino, (name, mode, data, major, minor) in enumerate(entries + [("TRAILER!!!", 0, b"", 0, 0)], 1):
        fields = [ino if name != "TRAILER!!!" else 0, mode, 0, 0, 1, 0, len(data), 0, 0, major, minor,
                  len(name) + 1, 0]
        out += b"070701" + b"".join(b"%08X" % f for f in fields)
        out += name.encode() + b"\0"
        pad4()
        out += data
        pad4()
    return bytes(out)


def initramfs():
    """build/linux/initrd.cpio: busybox, the modules, /init, /dev/console; rebuilt when one changes."""
    path = os.path.join(LINUX, "initrd.cpio")
    with open(os.path.join(LINUX, "busybox"), "rb") as f:
        busybox = f.read()
    with open(os.path.join(LINUX, "efirm"), "rb") as f:
        efirm = f.read()
    modules = {}
    for ko in MODULES + FETCHED_MODULES:
        with open(os.path.join(LINUX, ko), "rb") as f:
            modules[ko] = f.read()
    directory, regular, char = 0o040755, 0o100755, 0o020600
    archive = newc([(d, directory, b"", 0, 0) for d in ("bin", "dev", "lib", "lib/modules", "proc", "sys", "tmp")]
                   + [("dev/console", char, b"", 5, 1),
                      ("bin/busybox", regular, busybox, 0, 0),
                      ("bin/efirm", regular, efirm, 0, 0)]
                   + [("lib/modules/" + ko, 0o100644, modules[ko], 0, 0) for ko in MODULES + FETCHED_MODULES]
                   + [
                      ("init", regular, INIT.encode(), 0, 0)])
    if not os.path.exists(path) or open(path, "rb").read() != archive:
        with open(path, "wb") as f:
            f.write(archive)
    return path


def prepare():
    subprocess.run([os.path.join(harness.ROOT, "qemu", "linux", "fetch.sh"), LINUX], check=True)
    subprocess.run([os.path.join(harness.ROOT, "qemu", "linux", "build-ffa-module.sh"), LINUX], check=True)
    # efirm deletes an efivarfs variable (busybox has no chattr); a static arm64 binary.
    source, efirm = os.path.join(harness.ROOT, "qemu", "linux", "efirm.c"), os.path.join(LINUX, "efirm")
    if not os.path.exists(efirm) or os.path.getmtime(efirm) < os.path.getmtime(source):
        cross = "" if os.uname().machine == "aarch64" else "aarch64-linux-gnu-"
        subprocess.run([cross + "gcc", "-static", "-Os", "-s", "-o", efirm, source], check=True)
    return os.path.join(LINUX, "Image"), initramfs()


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print(f"  PASS {what}", flush=True)
        else:
            self.failed += 1
            print(f"  FAIL {what}" + (f": {detail}" if detail else ""), flush=True)


def boot_linux(memory, kernel, initrd, typed):
    """One boot: autoboot (`boot` after the countdown) or typed `qfw load` + `booti`."""
    flash = harness.fresh_flash(f"linux-{memory}")
    commands = []
    if typed:
        # A key stops the countdown; then the U-Boot way, step by step.
        commands = ["", "qfw load", "setenv bootargs " + APPEND + " " + TYPED_MARK, "printenv bootargs",
                    f"booti {BOARD.KERNEL_LOAD:#x} {BOARD.INITRD_LOAD:#x}"]
    # A panicking kernel never ends QEMU: stop at the end of its panic message.
    return harness.boot(commands=commands, flash=flash, extra=f"-m {memory}", timeout=600,
                        kernel=kernel, initrd=initrd, append=APPEND, until="---[ end Kernel panic",
                        then=("INIT: busybox shell", SHELL_LINES) if typed else None)


def boot_uefi(kernel, initrd, mode="el2"):
    """The UEFI boot on a fresh store: our shell creates two variables, `boot` runs bootefi, /init
    changes the store through efivarfs and reboots; then a new QEMU on the same flash copy
    shows the store from our shell."""
    flash = harness.fresh_flash("linux-uefi-" + mode)
    listing = "printenv -e -guid " + VENDOR
    first = harness.boot(mode, commands=[""] + SHELL_VARS + [listing, "boot"], flash=flash, extra="-m 1G", timeout=600,
                         kernel=kernel, initrd=initrd, append=APPEND + " " + EFIVARS_MARK,
                         until="normal: Swift firmware entered", times=2)
    after = harness.boot(mode, commands=[listing, "poweroff"], flash=flash, timeout=60)
    return first, after


def variables(out):
    """`printenv -e` blocks ("Name:" then indented lines) of VENDOR in `out`: {name: lines}."""
    found, name = {}, None
    for line in out.splitlines():
        m = re.match(r"^(\w+):$", line)
        if m:
            name = m.group(1)
            found[name] = []
        elif name and line.startswith("    "):
            found[name].append(line.strip())
        else:
            name = None
    return {k: v for k, v in found.items() if v and v[0].lower() == VENDOR}


def check_uefi(c, label, b, after):
    out = b.output
    c.check("bootefi: PE image at" in out and "EFI stub: Booting Linux Kernel" in out,
            f"{label}: boot chose bootefi and Linux's EFI stub runs")
    c.check("EFI stub: Loaded initrd from LINUX_EFI_INITRD_MEDIA_GUID device path" in out,
            f"{label}: the stub loaded the initrd through LoadFile2")
    c.check("bootefi: ExitBootServices" in out and "EFI stub: Exiting boot services" in out,
            f"{label}: ExitBootServices accepted the stub's map key")
    rtprop = re.search(r"efi: RTPROP=(0x[0-9a-f]+)", out)
    c.check("efi: EFI v2.100 by Swift FF-A firmware" in out and rtprop is not None,
            f"{label}: Linux found our system table and RT properties table")
    c.check("Remapping and enabling EFI services." in out and "runtime services will not be available" not in out,
            f"{label}: Linux enabled the runtime services (1:1 map)")
    bugs = [ln for ln in out.splitlines() if "Firmware Bug" in ln or "efi:" in ln and re.search(r"(?i)fail|error|corrupt", ln)]
    c.check(not bugs, f"{label}: no firmware bug reported by Linux", "; ".join(bugs[:3]))
    mounted = re.search(r"INIT: efivarfs mounted (\S+)", out)
    c.check(mounted is not None and mounted.group(1).split(",")[0] == "rw", f"{label}: efivarfs mounted read-write",
            mounted.group(1) if mounted else "not mounted")
    before = re.findall(r"INIT: efivar before: (\w+)-", out)
    c.check(sorted(before) == ["LinuxKeep", "LinuxOld"], f"{label}: Linux lists the variables our shell created", str(before))
    c.check("INIT: wrote LinuxNew" in out and "INIT: deleted LinuxOld" in out, f"{label}: Linux wrote one variable and deleted another")
    c.check(re.search(r"INIT: LinuxNew reads \\a\\0\\0\\0" + NEW_VALUE, out) is not None,
            f"{label}: Linux reads back attributes NV|BS|RT and its value")
    c.check("INIT: rebooting through EFI ResetSystem" in out and "secure: PSCI SYSTEM_RESET" in out
            and out.count("normal: Swift firmware entered") == 2, f"{label}: reboot -f resets through ResetSystem and PSCI")
    old, new = variables(b.output), variables(after.output)
    c.check(sorted(old) == ["LinuxKeep", "LinuxOld"], f"{label}: printenv -e before the boot", str(old))
    expect = dict(old)
    expect.pop("LinuxOld", None)
    changed = {k: v for k, v in new.items() if k not in expect}
    c.check({k: v for k, v in new.items() if k in expect} == expect and list(changed) == ["LinuxNew"]
            and NEW_VALUE in "".join(changed["LinuxNew"]) and "NV|BS|RT" in "".join(changed["LinuxNew"]).replace(" ", ""),
            f"{label}: after power-off our shell's printenv -e shows exactly Linux's changes", str(new))
    with open(os.path.join(LINUX, f"console-{label.replace(' ', '-')}-after.log"), "w") as f:
        f.write(after.output)


def check_ffa(c, label, out):
    """Linux's arm_ffa module finds the MM partition through our SPMC; ffa-mm-probe binds it by UUID."""
    c.check("INIT: insmod ffa-module ok" in out, f"{label}: insmod of Linux's FF-A driver (ffa-module.ko)")
    version = re.search(r"ARM FF-A: Firmware version (\d+\.\d+) found", out)
    c.check(version is not None and "ARM FF-A: Driver version" in out,
            f"{label}: the FF-A driver read our version" + (f" (v{version.group(1)})" if version else ""))
    devices = re.findall(r"INIT: ffa device (\S+) partition (\S+) uuid (\S+)", out)
    listed = re.search(r"INIT: ffa devices: (.*)", out)
    c.check(any(p == MM_ID for _, p, _ in devices) and listed is not None
            and sorted(listed.group(1).split()) == sorted(d for d, _, _ in devices),
            f"{label}: partition {MM_ID} listed under /sys/bus/arm_ffa/devices", str(devices))
    # Linux 6.1 speaks FF-A v1.0, whose descriptors have no UUID: the bus learns it when
    # ffa-mm-probe registers, by FFA_PARTITION_INFO_GET with the UUID.
    probed = re.search(r"swiftfw-mm: partition (\S+) uuid (\S+)", out)
    c.check("INIT: insmod ffa-mm-probe ok" in out and (MM_ID, MM_UUID) in [(p, u) for _, p, u in devices]
            and probed is not None and probed.groups() == (MM_ID, MM_UUID),
            f"{label}: partition {MM_ID} has UUID {MM_UUID} in sysfs and binds a driver by it", str(devices))
    errors = [ln for ln in out.splitlines()
              if re.search(r"ARM FF-A|arm_ffa|arm-ffa|ffa_module|ffa_mm_probe|swiftfw-mm", ln)
              and re.search(r"(?i)error|fail|invalid|incompatible|unable", ln) and "tainting kernel" not in ln]
    c.check(not errors, f"{label}: the FF-A driver logs no error", "; ".join(errors[:3]))


def check_boot(c, label, b, typed, uefi=False):
    out = b.output
    if uefi:
        c.check(not b.timed_out, f"{label}: Linux rebooted into our firmware", f"timed out={b.timed_out}")
    else:
        c.check(not b.timed_out and b.returncode == 0, f"{label}: QEMU ended by itself",
                f"timed out={b.timed_out} status={b.returncode}")
        c.check("Starting kernel at EL2" in out, f"{label}: booti started the kernel at EL2")
    cmdline = re.search(r"Kernel command line: (.*)", out)
    want = APPEND + (" " + TYPED_MARK if typed else "") + (" " + EFIVARS_MARK if uefi else "")
    c.check(cmdline is not None and cmdline.group(1).strip() == want,
            f"{label}: /chosen bootargs reached the kernel", cmdline.group(1) if cmdline else "no command line")
    c.check("INIT: reached /init" in out, f"{label}: Linux reached /init")
    psci = re.search(r"psci: PSCIv(\d+\.\d+) detected in firmware", out)
    c.check(psci is not None, f"{label}: PSCI version detected" + (f" (v{psci.group(1)})" if psci else ""))
    smccc = re.search(r"SMC Calling Convention v(\d+\.\d+)", out)
    c.check(smccc is not None, f"{label}: SMCCC version detected" + (f" (v{smccc.group(1)})" if smccc else ""))
    bad = [ln for ln in out.splitlines()
           if re.search(r"Internal error|Unhandled|Oops|BUG", ln) and "INIT:" not in ln]
    c.check(not bad and "INIT: dmesg has no errors" in out, f"{label}: no Internal error/Unhandled/Oops/BUG",
            "; ".join(bad[:3]) or "dmesg check missing")
    timer = re.search(r"INIT: sleep 1 returned; timer interrupts (\d+) -> (\d+)", out)
    c.check(timer is not None and int(timer.group(2)) > int(timer.group(1)),
            f"{label}: timer interrupts counting across sleep 1" + (f" ({timer.group(1)} -> {timer.group(2)})" if timer else ""))
    check_ffa(c, label, out)
    if typed:
        c.check("INIT: busybox shell" in out and "shell-42" in out, f"{label}: a busybox shell runs typed commands")
    if not uefi:
        c.check(("INIT: powering off" in out or "shell-42" in out) and "secure: PSCI SYSTEM_OFF" in out,
                f"{label}: poweroff -f ends QEMU through PSCI SYSTEM_OFF")
    log = os.path.join(LINUX, f"console-{label.replace(' ', '-')}.log")
    with open(log, "w") as f:
        f.write(out)
    print(f"  (console in {os.path.relpath(log, harness.ROOT)})")


def main(argv):
    if "--prepare" in argv:
        prepare()
        return 0
    kernel, initrd = prepare()
    wanted = [a for a in argv[1:] if not a.startswith("-")] or ["uefi", "uefi-el1", "4G"]
    c = Checks()
    for memory in wanted:
        if memory.startswith("uefi"):  # -m 1G, `boot` (bootefi), efivarfs, reboot, printenv -e
            mode = "el1" if memory == "uefi-el1" else "el2"  # el1: no EL2, Linux calls us at EL1
            label = "-m 1G bootefi" + (" EL1" if mode == "el1" else "")
            b, after = boot_uefi(kernel, initrd, mode)
            check_boot(c, label, b, False, uefi=True)
            check_uefi(c, label, b, after)
            c.check(f"CPU: All CPU(s) started at EL{mode[-1]}" in b.output, f"{label}: Linux ran at EL{mode[-1]}")
            continue
        typed = memory != "1G"  # 1G boots by autoboot, the others by typed commands
        label = f"-m {memory}" + (" typed booti" if typed else " autoboot")
        b = boot_linux(memory, kernel, initrd, typed)
        check_boot(c, label, b, typed)
    print(f"linux: {c.passed} passed, {c.failed} failed")
    return 0 if c.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
