#!/usr/bin/env python3
"""`make test`: host tests (swift test), then the QEMU tests; one summary line of counts."""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tests as qemu_tests  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def host_tests():
    print("== host tests (swift test)", flush=True)
    r = subprocess.run(["swift", "test"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = r.stdout
    m = re.search(r"Test run with (\d+) tests? .*?(passed|failed)", out)
    fails = len(re.findall(r"^✘ Test \S+", out, re.M))
    total = int(m.group(1)) if m else 0
    if r.returncode != 0:
        print(out[-6000:])
        fails = max(fails, 1)
    print(f"host tests: {total - fails} passed, {fails} failed", flush=True)
    return total - fails, fails


def command(name, argv):
    """A checker that reports by exit status: one pass or one failure."""
    print(f"== {name}", flush=True)
    r = subprocess.run(argv, cwd=ROOT)
    return (1, 0) if r.returncode == 0 else (0, 1)


def main():
    start = time.monotonic()
    results = {}
    results["host"] = host_tests()
    results["check-runtime"] = command("check-runtime", ["make", "-s", "check-runtime"])
    results["check-product"] = command("check-product (no proof code in the product images)",
                                       ["make", "-s", "check-product"])
    results["fuzz"] = command("fuzz (short, fixed seed)", [sys.executable, "tools/fuzz.py", "--short"])
    print("== QEMU tests", flush=True)
    results["qemu"] = qemu_tests.main(["tests"])
    import board_tests
    print("== QEMU board tests (one normal.bin on virt -kernel, raspi3b, xlnx-zcu102)", flush=True)
    results["boards"] = board_tests.main(["board_tests"])
    import proof_tests  # a suite that cannot be imported fails the run, never skips quietly
    print("== QEMU proof tests (hostile normal world)", flush=True)
    results["proof"] = proof_tests.main(["proof_tests"])
    import tfa_tests  # TF-A's EL3 SPMC with our partition: runs when TFA_SRC is set (docs/tfa.md)
    print("== TF-A EL3 SPMC tests", flush=True)
    tfa = tfa_tests.main(["tfa_tests"])
    if tfa != (0, 0):
        results["tfa"] = tfa
    results["power-cuts"] = command("power cuts (100)", [sys.executable, "qemu/powercut.py", "--cuts", "100", "--seed", "1"])
    passed = sum(p for p, _ in results.values())
    failed = sum(f for _, f in results.values())
    parts = ", ".join(f"{k} {p}/{p + f}" for k, (p, f) in results.items())
    print(f"SUMMARY: {passed} passed, {failed} failed ({parts}) in {time.monotonic() - start:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
