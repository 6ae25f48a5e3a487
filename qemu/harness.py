"""Boots the firmware in QEMU, types commands on the serial console, and returns what it printed.

A test that hangs is a failure with a timeout: QEMU is killed, never left running.
"""
import os
import subprocess
import time

from board import BOARD

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")


class Boot:
    def __init__(self, output, returncode, timed_out):
        self.output = output
        self.returncode = returncode
        self.timed_out = timed_out

    def __contains__(self, text):
        return text in self.output


# The images a test can boot (Makefile): the product, or the proof build (build/proof/) whose
# normal world has the proof commands (hostile, bench, sysregs, irqtest, rxtx, fillstore, the
# set/way self-test) over the product secure world, the bench monitor (SPME) or the trapping monitor.
IMAGES = {
    "product": ("flash0.img", "normal.elf"),
    "proof": (os.path.join("proof", "flash0.img"), os.path.join("proof", "normal.elf")),
    "bench": (os.path.join("proof", "flash0-bench.img"), os.path.join("proof", "normal.elf")),
    "trap": (os.path.join("proof", "flash0-trap.img"), os.path.join("proof", "normal.elf")),
}


def boot(mode="el2", commands=(), timeout=30, flash=None, cpu=None, extra=None, until=None, times=1,
         kernel=None, initrd=None, append=None, gic=None, then=None, image="product"):
    """Runs qemu/run.sh MODE with `commands` typed in. Ends when QEMU exits, or when `until`
    has appeared `times` times in the output (then QEMU is killed), or after `timeout` seconds.
    `kernel`, `initrd` and `append` become QEMU's -kernel, -initrd and -append. `then`, a pair
    (marker, commands), types `commands` once `marker` has appeared (an OS's shell, say).
    `image` picks the normal-world ELF (modes without a secure world) and the default flash."""
    env = dict(os.environ)
    for key, value in (("KERNEL", kernel), ("INITRD", initrd), ("APPEND", append)):
        env.pop(key, None)
        if value:
            env[key] = value
    if cpu:
        env["QEMU_CPU"] = cpu
    if extra:
        env["QEMU_EXTRA"] = extra
    if gic:
        env["GIC_VERSION"] = str(gic)
    flash = flash or shared_flash(image)
    if os.path.realpath(flash) == os.path.realpath(os.path.join(BUILD, "flash0.img")):
        raise ValueError("tests boot copies of the flash (fresh_flash), never the user's build/flash0.img")
    cmd = [os.path.join(ROOT, "qemu", "run.sh"), mode, flash, os.path.join(BUILD, IMAGES[image][1])]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    text = "".join(c + "\n" for c in commands).encode()
    try:
        proc.stdin.write(text)
        if then:
            proc.stdin.flush()
        else:
            proc.stdin.close()
    except BrokenPipeError:
        pass
    out = bytearray()
    deadline = time.monotonic() + timeout
    timed_out = False
    os.set_blocking(proc.stdout.fileno(), False)
    while True:
        chunk = proc.stdout.read()
        if chunk:
            out += chunk
        if then and then[0].encode() in out:
            try:
                proc.stdin.write("".join(c + "\n" for c in then[1]).encode())
                proc.stdin.close()
            except BrokenPipeError:
                pass
            then = None
        if until and out.count(until.encode()) >= times:
            proc.kill()
            break
        if proc.poll() is not None:
            rest = proc.stdout.read()
            if rest:
                out += rest
            break
        if time.monotonic() > deadline:
            timed_out = True
            proc.kill()
            break
        time.sleep(0.02)
    proc.wait()
    return Boot(out.decode("utf-8", "replace").replace("\r\n", "\n"), proc.returncode, timed_out)


# --- shared by the QEMU test suites (qemu/tests.py, qemu/proof_tests.py) -------------------

def check(cond, what, b=None):
    if not cond:
        tail = ("\n--- console ---\n" + b.output[-3000:]) if b is not None else ""
        raise AssertionError(what + tail)


def finished(b):
    check(not b.timed_out, "QEMU timed out", b)
    check(b.returncode == 0, f"QEMU exit status {b.returncode}", b)


_shared = {}


def shared_flash(image="product"):
    """The flash a test boots when it names none: one blank-store copy per image and suite run,
    so no test ever opens the user's build/flash0.img (QEMU maps it writable)."""
    if image not in _shared:
        import atexit
        _shared[image] = fresh_flash(f"shared-{image}-{os.getpid()}", image)
        atexit.register(os.remove, _shared[image])
    return _shared[image]


def fresh_flash(name, image="product"):
    """A private copy of `image`'s flash image with a blank variable store."""
    src = os.path.join(BUILD, IMAGES[image][0])
    dst = os.path.join(BUILD, f"test-{name}.img")
    with open(src, "rb") as f:
        data = bytearray(f.read())
    store = slice(BOARD.VARSTORE_OFFSET, BOARD.VARSTORE_OFFSET + BOARD.VARSTORE_SIZE)
    data[store] = b"\xff" * BOARD.VARSTORE_SIZE
    with open(dst, "wb") as f:
        f.write(data)
    return dst


def run_suite(tests, argv, label):
    """Runs the tests whose names contain any of argv[1:] (all when none); (passed, failed)."""
    import traceback
    only = argv[1:]
    passed = failed = 0
    for t in tests:
        if only and not any(o in t.__name__ for o in only):
            continue
        try:
            t()
            passed += 1
            print(f"  PASS {t.__name__}", flush=True)
        except Exception as e:  # noqa: BLE001
            failed += 1
            print(f"  FAIL {t.__name__}: {e}", flush=True)
            if not isinstance(e, AssertionError):
                traceback.print_exc()
    print(f"{label}: {passed} passed, {failed} failed")
    return passed, failed
