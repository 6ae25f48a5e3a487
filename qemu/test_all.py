#!/usr/bin/env python3
"""`make test`: host tests (swift test), then the QEMU tests; one summary line of counts."""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from board import BOARD  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
USER_FLASH = os.path.join(ROOT, "build", "flash0.img")


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


def suite(title, module):
    """A QEMU suite's (passed, failed); a suite that cannot run is one failure, with the reason."""
    print(f"== {title}", flush=True)
    try:
        return __import__(module).main([module])
    except Exception as e:  # an import error or a missing image: say so, never skip quietly
        print(f"{title}: cannot run: {type(e).__name__}: {e}", flush=True)
        return 0, 1


def user_store():
    """The variable store of the user's build/flash0.img (read, never opened for writing)."""
    if not os.path.exists(USER_FLASH):
        return None
    with open(USER_FLASH, "rb") as f:
        f.seek(BOARD.VARSTORE_OFFSET)
        return f.read(BOARD.VARSTORE_SIZE)


def main():
    start = time.monotonic()
    results = {}
    before = user_store()
    results["host"] = host_tests()
    results["check-runtime"] = command("check-runtime", ["make", "-s", "check-runtime"])
    results["check-retains"] = command("check-retains (no retain sunk past a uniqueness check)",
                                       ["make", "-s", "check-retains"])
    results["check-strings"] = command("check-strings (the monitor reads its packed strings bytewise)",
                                       ["make", "-s", "check-strings"])
    results["check-product"] = command("check-product (no proof code in the product images)",
                                       ["make", "-s", "check-product"])
    results["check-board"] = command("check-board (every board address from board.h, TF-A's manifest too)",
                                     ["make", "-s", "check-board"])
    results["fuzz"] = command("fuzz (short, fixed seed)", [sys.executable, "tools/fuzz.py", "--short"])
    results["qemu"] = suite("QEMU tests", "tests")
    results["boards"] = suite("QEMU board tests (one normal.bin on virt -kernel, raspi3b, xlnx-zcu102)", "board_tests")
    results["proof"] = suite("QEMU proof tests (hostile normal world)", "proof_tests")
    # TF-A's EL3 SPMC with our partition: runs when TFA_SRC is set (docs/tfa.md), else (0, 0).
    tfa = suite("TF-A EL3 SPMC tests", "tfa_tests")
    if tfa != (0, 0):
        results["tfa"] = tfa
    results["power-cuts"] = command("power cuts (100)", [sys.executable, "qemu/powercut.py", "--cuts", "100", "--seed", "1"])
    # The user's variables (set with `make run`) are all still there and no new one appeared:
    # every suite boots its own copy of the flash, so the store is byte for byte as it was.
    print("== the user's build/flash0.img", flush=True)
    kept = user_store() == before
    print("user's variable store: " + ("unchanged" if kept else "CHANGED by the tests"), flush=True)
    results["user-flash"] = (1, 0) if kept else (0, 1)
    passed = sum(p for p, _ in results.values())
    failed = sum(f for _, f in results.values())
    parts = ", ".join(f"{k} {p}/{p + f}" for k, (p, f) in results.items())
    print(f"SUMMARY: {passed} passed, {failed} failed ({parts}) in {time.monotonic() - start:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
