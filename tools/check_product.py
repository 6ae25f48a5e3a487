#!/usr/bin/env python3
"""Check that the product images hold no proof code (issue 11), and that the check can see it.

Usage:
    tools/check_product.py [BUILD]        (BUILD defaults to build/; `make all proof` first)

The product ELFs (normal.elf, monitor.elf, partition.elf) must have no symbol of the proof code:
the hostile normal world, the benchmarks and their PMU code, the system-register, interrupt,
RX/TX and set/way probes, `fillstore`, `exitbs` and its test OS (RuntimeCaller), the fuzz and
power-cut drivers, the RAM flash, or the proof monitor variants (SPME for the bench, SCXTNUM
trapped). Each symbol is matched as llvm-nm prints it
(mangled) and as swift-demangle prints it.

So that the check cannot pass by matching nothing, the proof ELFs of build/proof/ must show the
proof code they were built with (each listed pattern at least once), and the patterns of the
host-only helpers (which no image contains any more) must match their host symbol names.

And the product normal image keeps within issue 11's budget: normal.bin at most 96 KiB
(NORMAL_BUDGET), so that a change that outgrows it fails here, with its size, not in a review.

Exit status: 0 clean (one summary line), 1 a product image holds proof code, a proof image
lacks what it should show, or normal.bin is over its budget (each listed), 2 an image or a tool
is missing.
Tools: llvm-nm and swift-demangle on PATH (make puts the Swift toolchain there).
"""
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NORMAL_BUDGET = 96 * 1024   # issue 11: the product normal image, bytes (docs/image-size.md)

# Proof code, by what its symbols are called.
PROOF = {
    "hostile world": r"Hostile",
    "bench": r"[Bb]ench(PMU|Reading|Command|_pmu)|\bBench\b|benchCommand|proofBenchCountsSecureWorld",
    "sysreg probe": r"sysreg_probe|probe_load|ExpectedException|sysregsCommand",
    "irqtest": r"InterruptProbe|irqtest",
    "rxtx command": r"rxtxCommand|rxtxRefusal",
    "set/way self-test": r"SetWaySelfTest",
    "fill store": r"fillStore|FillStore",
    "exitbs and its test OS": r"RuntimeCaller|\bExitBootServices\b|exitbs|boot_code_probe",
    "fuzz": r"Fuzz",
    "power cut": r"PowerCut",
    "RAM flash": r"RAMFlash|SplitMix64",
    "SPME monitor": r"proofBenchCountsSecureWorld",
    "SCXTNUM trap monitor": r"proofTrapSCXTNUM",
}
PRODUCT = ["normal.elf", "monitor.elf", "partition.elf"]
# What each proof image must show (the keys of PROOF).
SHOWN = {
    "proof/normal.elf": ["hostile world", "bench", "sysreg probe", "irqtest", "rxtx command", "set/way self-test",
                         "fill store", "exitbs and its test OS"],
    "proof/monitor-bench.elf": ["SPME monitor"],
    "proof/monitor-trap.elf": ["SCXTNUM trap monitor"],
}
# Names of the host-only helpers (Tests/Support, as `swift build` mangles them): no image holds
# them any more, so the patterns are proven on these.
HOST_ONLY = {
    "fuzz": ["$s11TestSupport8SPMCFuzzO3runySbSays5UInt8VGFZ"],
    "power cut": ["$s11TestSupport26PowerCutTrialConfigurationV10blockCountSivM"],
    "RAM flash": ["$s11TestSupport8RAMFlashV10blockCount14eraseBlockSizeACSi_SitcfC",
                  "$s11TestSupport10SplitMix64V4nexts6UInt64VyF"],
}


def tool(name):
    path = shutil.which(name)
    if not path:
        sys.exit(f"check_product: {name} not found on PATH")
    return path


def symbols(elf):
    """Every symbol name of `elf`, mangled and demangled."""
    if not os.path.exists(elf):
        print(f"check_product: {elf} is missing: run `make all proof`")
        sys.exit(2)
    out = subprocess.run([tool("llvm-nm"), "--just-symbol-name", elf], capture_output=True, text=True, check=True).stdout
    names = [n for n in out.splitlines() if n]
    demangled = subprocess.run([tool("swift-demangle"), "--simplified"], input="\n".join(names),
                               capture_output=True, text=True, check=True).stdout.splitlines()
    return list(zip(names, demangled))


def matches(pairs, kind):
    rx = re.compile(PROOF[kind])
    return [d for m, d in pairs if rx.search(m) or rx.search(d)]


def main(argv):
    build = argv[1] if len(argv) > 1 else os.path.join(ROOT, "build")
    problems = []
    for kind, names in HOST_ONLY.items():
        for n in names:
            if not re.search(PROOF[kind], n):
                problems.append(f"pattern {kind!r} misses the host-only name {n}")
    checked = 0
    for image in PRODUCT:
        pairs = symbols(os.path.join(build, image))
        checked += len(pairs)
        for kind in PROOF:
            for name in matches(pairs, kind)[:5]:
                problems.append(f"{image}: {kind}: {name}")
    shown = 0
    for image, kinds in SHOWN.items():
        pairs = symbols(os.path.join(build, image))
        for kind in kinds:
            found = matches(pairs, kind)
            if not found:
                problems.append(f"{image}: shows no {kind} symbol: the check would be vacuous")
            shown += len(found)
    normal = os.path.getsize(os.path.join(build, "normal.bin"))
    if normal > NORMAL_BUDGET:
        problems.append(f"normal.bin is {normal:,} bytes, over its budget of {NORMAL_BUDGET:,} "
                        f"(issue 11; docs/image-size.md says where the bytes are)")
    for p in problems:
        print("check_product: " + p)
    if problems:
        return 1
    print(f"check_product: {len(PRODUCT)} product images, {checked} symbols, no proof code "
          f"({shown} proof symbols found in build/proof/); normal.bin {normal:,} of {NORMAL_BUDGET:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
