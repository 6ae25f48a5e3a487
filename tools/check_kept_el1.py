#!/usr/bin/env python3
"""Check that the MM partition writes none of the EL1 registers the monitor keeps across switches.

Usage:
    tools/check_kept_el1.py [BUILD]        (BUILD defaults to build/)

A world switch at EL3 moves only the EL1 registers the partition runs on; the rest stay in the
registers while the partition runs, so the normal world finds its own values there afterwards
(Sources/Platform/Hardware/world_context.h, `EL1_KEPT` in Startup/monitor_entry.S). That holds
only while no partition instruction writes one of them: this check disassembles partition.elf
and refuses any MSR to a kept register. The kept list is read from monitor_entry.S, so the two
cannot drift apart; the monitor must itself write each of them (it loads them on a world's first
entry), which proves the pattern sees real instructions.

AT instructions (which write PAR_EL1) are allowed: the partition runs them while it boots, before
the normal world's first entry loads its PAR_EL1.

Exit status: 0 clean (one summary line), 1 a kept register is written (each listed), 2 a file or
a tool is missing.
"""
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def kept_registers():
    source = open(os.path.join(ROOT, "Startup", "monitor_entry.S")).read()
    body = re.search(r"\.macro EL1_KEPT[^\n]*\n(.*?)\.endm", source, re.S)
    if not body:
        sys.exit("check_kept_el1: no EL1_KEPT macro in Startup/monitor_entry.S")
    return sorted({r.lower() for r in re.findall(r"\b(\w+_el[01])\b", body.group(1))})


def writes(elf, registers):
    """(function, instruction, register) for every MSR to one of `registers` in `elf`."""
    objdump = shutil.which("llvm-objdump")
    if not objdump:
        sys.exit("check_kept_el1: llvm-objdump not found on PATH")
    if not os.path.exists(elf):
        print(f"check_kept_el1: {elf} is missing: run `make`")
        sys.exit(2)
    out = subprocess.run([objdump, "-d", "--no-show-raw-insn", elf], capture_output=True, text=True,
                         check=True).stdout
    found, function = [], "?"
    for line in out.splitlines():
        label = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if label:
            function = label.group(1) if not label.group(1).startswith("$") else function
            continue
        write = re.search(r"\tmsr\t(\w+),", line)
        if write and write.group(1).lower() in registers:
            found.append((function, line.strip(), write.group(1).lower()))
    return found


def main(argv):
    build = argv[1] if len(argv) > 1 else os.path.join(ROOT, "build")
    registers = kept_registers()
    problems = [f"partition.elf: {fn}: {insn} (a kept EL1 register: the normal world would see it)"
                for fn, insn, _ in writes(os.path.join(build, "partition.elf"), registers)]
    written = {r for _, _, r in writes(os.path.join(build, "monitor.elf"), registers)}
    problems += [f"monitor.elf: never writes {r}: the check would be vacuous" for r in registers if r not in written]
    for p in problems:
        print("check_kept_el1: " + p)
    if problems:
        return 1
    print(f"check_kept_el1: partition.elf writes none of the {len(registers)} EL1 registers kept across world switches")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
