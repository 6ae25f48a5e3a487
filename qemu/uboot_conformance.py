#!/usr/bin/env python3
"""A stock U-Boot as BL33 on our secure world: the "real client" check (issue 10, docs/uboot.md).

    python3 qemu/uboot_conformance.py --uboot path/to/u-boot.bin [--mem 2G] [check ...]
    UBOOT_BIN=path/to/u-boot.bin python3 qemu/uboot_conformance.py

The U-Boot binary is built outside this repository (recipe in docs/uboot.md); this script never
fetches anything. Without a binary it prints SKIP and exits 0, since CI has no U-Boot.

U-Boot empties its console input when its UEFI layer starts (it queries the terminal size), so
commands are typed one at a time, each after the previous prompt, never all at once.
"""
import argparse
import os
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BUILD, ROOT  # noqa: E402

# U-Boot's prompt at a line start, perhaps after the colour reset the selftest prints.
PROMPT = re.compile(r"\n(?:\x1b\[[0-9;]*m)*=> ")
FAULT = re.compile(r"\*\*\* secure|unexpected (exception|trap)|halting|Synchronous Abort")
# U-Boot's complaints about the MM partition (efi_variable_tee.c), e.g. at ExitBootServices,
# where it notifies the partition and copies the runtime variables into its own cache.
MM_COMPLAINT = re.compile(r"mm_communicate failed|Unable to notify the MM partition|"
                          r"Can't populate EFI variables|Variable payload too large|"
                          r"Failure in querying SPs|FF-A bus device|FF-A MM comms failure")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]")
MM_UUID_UBOOT_FORM = "33d532ed-e699-0942-c09c-a798d9cd722d"  # U-Boot's MM_SP_UUID
VAR = "UBootConformance"
VALUE = re.compile(r"00000000: 78 ")  # printenv -e's dump of the one byte "x"


class Console:
    """QEMU running run.sh el2 on `flash`, with U-Boot's console typed into line by line."""

    def __init__(self, flash, extra):
        env = dict(os.environ)
        if extra:
            env["QEMU_EXTRA"] = extra
        self.proc = subprocess.Popen([os.path.join(ROOT, "qemu", "run.sh"), "el2", flash],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        self.out = ""
        self.dead = False
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for chunk in iter(lambda: self.proc.stdout.read1(4096), b""):
            with self.lock:
                self.out += chunk.decode("utf-8", "replace").replace("\r", "")

    def _find(self, pattern, start):
        with self.lock:
            if isinstance(pattern, str):
                i = self.out.find(pattern, start)
                return (i, i + len(pattern)) if i >= 0 else None
            m = pattern.search(self.out, start)
            return m.span() if m else None

    def wait_for(self, pattern, start, timeout):
        """(start, end) of the first `pattern` (text or regex) at or after `start`; None on
        timeout or when QEMU has exited without printing it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            span = self._find(pattern, start)
            if span:
                return span
            if self._find(FAULT, 0):  # the machine has stopped: do not wait it out
                self.dead = True
                return None
            if self.proc.poll() is not None:
                time.sleep(0.2)
                return self._find(pattern, start)
            time.sleep(0.05)
        return None

    def mark(self):
        with self.lock:
            return len(self.out)

    def type(self, line):
        try:
            self.proc.stdin.write(line.encode() + b"\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass

    def to_prompt(self, start=0, timeout=120):
        """Stops autoboot and waits for the prompt; True when it came."""
        span = self.wait_for("Hit any key to stop autoboot", start, timeout)
        if span is None:
            return False
        self.type("")
        return self.wait_for(PROMPT, span[1], 30) is not None

    def run(self, command, timeout=300, until=PROMPT):
        """Types `command` at the prompt; what it printed up to `until` (escape sequences
        removed), None on timeout."""
        if self.dead:
            return None
        start = self.mark()
        self.type(command)
        span = self.wait_for(until, start, timeout)
        if span is None:
            return None
        with self.lock:
            return ANSI.sub("", self.out[start:span[0]])

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


class Checks:
    def __init__(self):
        self.results = []
        self.console = None

    def record(self, name, ok, detail=""):
        self.results.append((name, ok))
        if not ok and detail is None:
            detail = "no answer; console ends:\n" + ANSI.sub("", self.console.out[-800:])
        print(f"  {'PASS' if ok else 'FAIL'} {name}" + (f": {detail}" if detail and not ok else ""),
              flush=True)


def selftest_summary(out):
    """U-Boot's 'Summary: N failures' line of a `bootefi selftest` run, or None."""
    if out is None:
        return None
    for line in out.splitlines():
        if line.strip().startswith("Summary:"):
            return line.strip()
    return None


def session_one(c, checks):
    out = c.run(f"armffa getpart {MM_UUID_UBOOT_FORM}")
    checks.record("getpart finds partition 0x8001",
                  out is not None and "Partition: id = 8001" in out, out)
    out = c.run("armffa ping 0x8001")
    checks.record("ping 0x8001 gets a direct response",
                  out is not None and "SP response:" in out, out)
    out = c.run(f"setenv -e -nv -bs -rt {VAR} x")
    checks.record("setenv -e -nv -bs -rt", out is not None and "Failed" not in out
                  and "Error" not in out, out)
    out = c.run(f"printenv -e {VAR}")
    checks.record("printenv -e reads it back", out is not None and f"{VAR}:" in out
                  and "NV|BS|RT, DataSize = 0x1" in out and VALUE.search(out), out)
    # 'variables' returns to the prompt; 'variables at runtime' calls ExitBootServices, so it
    # ends by asking for a key and resetting the machine through ResetSystem (PSCI).
    for suite, until in (("variables", PROMPT),
                         ("variables at runtime", "Preparing for reset. Press any key...")):
        c.run(f"setenv efi_selftest '{suite}'")
        out = c.run("bootefi selftest", timeout=600, until=until)
        summary = selftest_summary(out)
        complaints = [line for line in (out or "").splitlines() if MM_COMPLAINT.search(line)]
        checks.record(f"bootefi selftest '{suite}'",
                      summary == "Summary: 0 failures" and f"Executing '{suite}'" in out
                      and not complaints,
                      "\n".join(complaints) or summary
                      or (out or "no end came: " + ANSI.sub("", c.out[-1500:]))[-1500:])
        if out is None:
            return
    start = c.mark()
    c.type("x")
    checks.record("ResetSystem after the runtime suite reboots to the prompt",
                  c.to_prompt(start) and "secure: PSCI SYSTEM_RESET" in c.out[start:],
                  ANSI.sub("", c.out[-1500:]))


def session_two(c, checks):
    out = c.run(f"printenv -e {VAR}")
    checks.record("the variable survives a power cycle", out is not None and f"{VAR}:" in out
                  and "NV|BS|RT, DataSize = 0x1" in out and VALUE.search(out), out)


def secure_boot_session(uboot, mem, checks):
    """Issue 15's sequence through U-Boot's own `setenv -e -at`: keys enrolled by varstore into
    a blank store, .auth files from efitools put in RAM by QEMU's loader (qemu/secure_boot.py)."""
    import secure_boot as sb
    flash = os.path.join(BUILD, "test-uboot-secureboot.img")
    if os.path.exists(flash):
        os.remove(flash)
    subprocess.run([sys.executable, os.path.join(ROOT, "qemu", "mkflash.py"), "flash", "--secure",
                    os.path.join(BUILD, "secure.bin"), "--bl33", uboot, "-o", flash], check=True)
    subprocess.run(["make", "-s", "varstore"], cwd=ROOT, check=True)
    keys = os.path.join(BUILD, "test-uboot-secureboot-keys")
    sb.tools(keys)
    sb.varstore("--image", flash, "enroll", "--pk", f"{keys}/PK.crt", "--kek", f"{keys}/KEK.crt", "--db", f"{keys}/db.crt",
                "--owner", sb.OWNER)
    loaders, ranges = sb.loaders(keys, sb.FILES)
    c = checks.console = Console(flash, " ".join(x for x in (f"-m {mem}" if mem else "", loaders) if x))
    try:
        up = c.to_prompt()
        checks.record("secure boot: U-Boot boots on the enrolled store", up, c.out[-1500:])
        if not up:
            return
        steps = [
            ("SetupMode reads 0 after enrolment", "printenv -e SetupMode", lambda o: "00000000: 00" in o),
            ("PK present (AT)", "printenv -e PK", lambda o: "NV|BS|RT|AT, DataSize" in o),
            ("KEK present (AT)", "printenv -e KEK", lambda o: "NV|BS|RT|AT, DataSize" in o),
            ("db present (AT)", "printenv -e -guid d719b2cb-3d3a-4596-a3bc-dad00e67656f db",
             lambda o: "NV|BS|RT|AT, DataSize" in o),
            ("PK's value is PK.esl byte for byte", "printenv -e PK",
             lambda o: sb.dumped(ANSI.sub("", o).replace("\r", "")) == sb.esl(keys, "PK")),
            ("unauthenticated db write fails", "setenv -e -nv -bs -rt db x", lambda o: "Failed" in o),
            ("KEK-signed append succeeds", f"setenv -e -nv -bs -rt -at -a -i {ranges['append.auth']} db",
             lambda o: "Failed" not in o and "Error" not in o),
            ("db is then db.esl + db2.esl byte for byte", "printenv -e -guid d719b2cb-3d3a-4596-a3bc-dad00e67656f db",
             lambda o: sb.dumped(ANSI.sub("", o).replace("\r", "")) == sb.esl(keys, "db", "db2")),
            ("tampered .auth fails", f"setenv -e -nv -bs -rt -at -a -i {ranges['tampered.auth']} db",
             lambda o: "Failed" in o),
            ("older timestamp fails", f"setenv -e -nv -bs -rt -at -i {ranges['older.auth']} db", lambda o: "Failed" in o),
            ("PK-signed deletion of PK succeeds", f"setenv -e -nv -bs -rt -at -i {ranges['delete-pk.auth']} PK",
             lambda o: "Failed" not in o and "Error" not in o),
            ("SetupMode reads 1 after PK's deletion", "printenv -e SetupMode", lambda o: "00000000: 01" in o),
        ]
        for name, command, ok in steps:
            out = c.run(command)
            checks.record(f"secure boot: {name}", out is not None and ok(out), out)
        c.type("poweroff")
        c.proc.wait(timeout=30)
    finally:
        c.close()
    listing = sb.varstore("--image", flash, "list")
    db = [line for line in listing.splitlines() if line.startswith("db  ")]
    checks.record("secure boot: varstore lists two signature lists in db",
                  len(db) == 1 and db[0].endswith("2 signature lists"), listing)
    deployed_mode_session(flash, mem, keys, checks)


def deployed_mode_session(flash, mem, keys, checks):
    """U-Boot on a store in deployed mode (PK provisioned by `varstore enroll`, the mark by
    `varstore import`): U-Boot derives deployed mode at start-up and publishes the four values,
    which must read (0, 1, 0, 1); a PK-signed deletion of PK through its `setenv -e -at` returns
    to setup mode, which U-Boot then publishes. (Audit mode: U-Boot cannot start its UEFI layer
    there, docs/secure-boot.md.)"""
    import json
    import secure_boot as sb
    sb.varstore("--image", flash, "enroll", "--pk", f"{keys}/PK.crt", "--owner", sb.OWNER)
    mark = os.path.join(keys, "deployed-mark.json")
    with open(mark, "w") as f:
        json.dump({"variables": [{"name": "SecureBootMode", "guid": sb.STORE_STATE, "attributes": "nv,bs",
                                  "data": "03"}]}, f)
    sb.varstore("--image", flash, "import", "--json", mark)
    loaders, ranges = sb.loaders(keys, ["delete-pk.auth"])
    c = checks.console = Console(flash, " ".join(x for x in (f"-m {mem}" if mem else "", loaders) if x))
    try:
        up = c.to_prompt()
        checks.record("deployed mode: U-Boot boots on a store in deployed mode", up, c.out[-1500:])
        if not up:
            return

        def modes():
            values = []
            for name in ["SetupMode", "SecureBoot", "AuditMode", "DeployedMode"]:
                out = c.run(f"printenv -e {name}", timeout=60)
                value = sb.dumped((out or "").replace("\r", ""))
                values.append(value[0] if len(value) == 1 else out)
            return values
        before = modes()
        checks.record("deployed mode: U-Boot's UEFI layer starts and reads (0, 1, 0, 1)",
                      before == [0, 1, 0, 1] and "transition failed" not in c.out, f"{before}\n{c.out[-1500:]}")
        out = c.run(f"setenv -e -nv -bs -rt -at -i {ranges['delete-pk.auth']} PK", timeout=60)
        checks.record("deployed mode: the PK-signed deletion of PK succeeds", out is not None and "Failed" not in out
                      and "Error" not in out, out)
        after = modes()
        checks.record("deployed mode: then setup mode (1, 0, 0, 0)", after == [1, 0, 0, 0], f"{after}")
        c.type("poweroff")
        c.proc.wait(timeout=30)
    finally:
        c.close()


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--uboot", default=os.environ.get("UBOOT_BIN"), help="u-boot.bin (or UBOOT_BIN)")
    p.add_argument("--mem", default=os.environ.get("UBOOT_MEM"), help="guest RAM, e.g. 2G")
    args = p.parse_args(argv[1:])
    if not args.uboot:
        print("SKIP uboot_conformance: no U-Boot given (--uboot path or UBOOT_BIN=path); "
              "build one as docs/uboot.md says")
        return 0
    if not os.path.isfile(args.uboot):
        sys.exit(f"uboot_conformance: {args.uboot}: no such file")
    secure = os.path.join(BUILD, "secure.bin")
    if not os.path.isfile(secure):
        sys.exit("uboot_conformance: build/secure.bin missing; run make first")

    tag = f"uboot-{args.mem}" if args.mem else "uboot"
    flash = os.path.join(BUILD, f"test-{tag}.img")
    if os.path.exists(flash):
        os.remove(flash)  # mkflash keeps an existing store: start from a blank one
    subprocess.run([sys.executable, os.path.join(ROOT, "qemu", "mkflash.py"), "flash",
                    "--secure", secure, "--bl33", args.uboot, "-o", flash], check=True)
    extra = f"-m {args.mem}" if args.mem else None
    secure_log = os.path.join(os.path.dirname(flash), "secure-uart.log")
    checks = Checks()
    print(f"U-Boot {args.uboot} on our secure world" + (f", -m {args.mem}" if args.mem else ""))

    for n, session in enumerate((session_one, session_two), 1):
        c = checks.console = Console(flash, extra)
        try:
            up = c.to_prompt()
            checks.record(f"boot {n} reaches the U-Boot prompt", up, c.out[-1500:])
            if up:
                heap = re.search(r"using memory (0x[0-9a-f]+-0x[0-9a-f]+) for malloc", c.out)
                print(f"  U-Boot's heap (its RX/TX buffers): {heap.group(1) if heap else '?'}")
                session(c, checks)
                c.type("poweroff")
                c.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            checks.record(f"poweroff {n}", False, "QEMU did not exit")
        finally:
            c.close()
        with open(secure_log, errors="replace") as f:
            faults = [line for line in (f.read() + c.out).splitlines() if FAULT.search(line)]
        checks.record(f"boot {n}: no fault reported by the secure world", not faults,
                      "\n".join(faults[:10]))
        if not up:
            break

    with open(args.uboot, "rb") as f:
        secure_boot = b"Image not authenticated" in f.read()  # a string only CONFIG_EFI_SECURE_BOOT links in
    if up and not secure_boot:
        print("  SKIP secure boot: this U-Boot lacks CONFIG_EFI_SECURE_BOOT (docs/uboot.md); without it U-Boot "
              "assumes setup mode and its UEFI layer does not start on a store with a PK")
    elif up:
        secure_boot_session(args.uboot, args.mem, checks)
    failed = sum(1 for _, ok in checks.results if not ok)
    print(f"uboot_conformance: {len(checks.results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
