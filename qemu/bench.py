#!/usr/bin/env python3
"""`make bench`: deterministic instruction counts, not timed tests.

- The shell's `bench` command under QEMU `-icount shift=0`: the PMU's INST_RETIRED counts the
  normal world and the cycle counter (one instruction per nanosecond under icount), filtered by
  PMCCFILTR, counts everything, the secure world, EL3 or S-EL1 (see BenchPMU.swift).
- Boot to the shell prompt: QEMU's own instruction count (QMP `query-replay`) at gdbstub
  breakpoints on the MM partition's entry, BL33's entry and the shell's line reader.
- Image sizes of build/*.bin.
The `bench` command is in the proof build only: it runs on build/proof/flash0-bench.img (the proof
normal world over the monitor that sets MDCR_EL3.SPME). Boot counts, profiles and sizes are the
product's.

Prints one table (figure, value, target, pass/fail) and appends it with the git commit to
docs/benchmarks.md. `--profile` also single-steps one direct request and one GetVariable through
the gdbstub and prints where their instructions go, by function (slow: tens of seconds).
"""
import json
import os
import shutil
import re
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from board import BOARD  # noqa: E402
from harness import BUILD, ROOT, boot, fresh_flash  # noqa: E402

NM = shutil.which("llvm-nm") or "llvm-nm"  # make puts the Swift toolchain first on PATH
DEMANGLE = shutil.which("swift-demangle") or "swift-demangle"
ICOUNT = "-icount shift=0"
MONITOR = (BOARD.MONITOR_BASE, BOARD.MONITOR_BASE + BOARD.MONITOR_SIZE)
PARTITION = (BOARD.PARTITION_BASE, BOARD.PARTITION_BASE + BOARD.PARTITION_SIZE)


def bench_flash(image="product"):
    """A private copy of `image`'s flash (qemu/harness.py IMAGES) with a blank variable store."""
    return fresh_flash("bench", image)


# --- the shell's `bench` command ------------------------------------------------------------

def shell_figures(repeats=9):
    # The proof normal world (it has `bench`) over the bench monitor (MDCR_EL3.SPME set).
    b = boot("el2", [f"bench {repeats}", "poweroff"], flash=bench_flash("bench"), extra=ICOUNT, timeout=300,
             image="bench")
    figures = {}
    for m in re.finditer(r"^bench: (\w+) ((?:\w+=\d+ ?)+)$", b.output, re.M):
        figures[m.group(1)] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(2))}
    if "bench: done" not in b or "bench: a variable call failed" in b:
        raise RuntimeError("the bench command did not complete:\n" + b.output[-3000:])
    return figures


# --- QEMU's gdbstub and QMP, for counts at code addresses -----------------------------------

class GDB:
    """The few remote-protocol packets we need: breakpoints, continue, step, registers."""

    def __init__(self, port):
        deadline = time.monotonic() + 10
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port))
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.buf = b""
        self.ack = True
        if self.packet("QStartNoAckMode") == "OK":
            self.ack = False

    def packet(self, data):
        body = data.encode()
        self.sock.sendall(b"$" + body + b"#" + b"%02x" % (sum(body) & 0xFF))
        return self.reply()

    def reply(self):
        while True:
            i = self.buf.find(b"$")
            j = self.buf.find(b"#", i) if i >= 0 else -1
            if j >= 0 and len(self.buf) >= j + 3:
                data, self.buf = self.buf[i + 1:j], self.buf[j + 3:]
                if self.ack:
                    self.sock.sendall(b"+")
                return data.decode()
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("gdbstub closed")
            self.buf += chunk

    def run_to(self, address):
        self.packet("Z0,%x,4" % address)
        stop = self.packet("c")
        self.packet("z0,%x,4" % address)
        return stop

    def registers(self):
        """x0..x30, sp, pc as integers (the 'g' packet, little-endian hex)."""
        g = self.packet("g")
        return [int.from_bytes(bytes.fromhex(g[16 * i:16 * i + 16]), "little") for i in range(33)]

    def step(self):
        return self.packet("s")

    def pc(self):
        return self.registers()[32]


class QMP:
    def __init__(self, path):
        deadline = time.monotonic() + 10
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.file = self.sock.makefile("rw")
        json.loads(self.file.readline())
        self.command("qmp_capabilities")

    def command(self, name, **arguments):
        self.file.write(json.dumps({"execute": name, "arguments": arguments}) + "\n")
        self.file.flush()
        while True:
            r = json.loads(self.file.readline())
            if "return" in r or "error" in r:
                return r

    def icount(self):
        """QEMU's executed-instruction count (query-replay reports it in every mode)."""
        return self.command("query-replay")["return"]["icount"]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Stopped:
    """QEMU halted at reset under icount, with the gdbstub and QMP attached."""

    def __init__(self, flash):
        self.tmp = tempfile.mkdtemp(prefix="bench-")
        port = free_port()
        qmp = os.path.join(self.tmp, "qmp.sock")
        env = dict(os.environ, QEMU_EXTRA=f"{ICOUNT} -S -gdb tcp::{port} -qmp unix:{qmp},server=on,wait=off")
        self.proc = subprocess.Popen([os.path.join(ROOT, "qemu", "run.sh"), "el2", flash,
                                      os.path.join(BUILD, "normal.elf")],
                                     stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
        self.gdb = GDB(port)
        self.qmp = QMP(qmp)
        self.gdb.packet("?")

    def type(self, line):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def close(self):
        self.proc.kill()
        self.proc.wait()


def symbol(elf, prefix):
    out = subprocess.run([NM, elf], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2].startswith(prefix):
            return int(parts[0], 16)
    raise KeyError(f"{prefix} not in {elf}")


PROMPT = "$e11NormalWorld5ShellO8readLine"


BOOT_MARKS = [
    # (label, image, demangled symbol): QEMU's icount when each is first reached, in this order.
    ("monitor_mmu_on", "monitor.elf", "static CPUFeatures.configureTraps()"),
    ("monitor_dtb_fixup", "monitor.elf", "static DeviceTreeFixup.apply()"),
    ("monitor_spmc_setup", "monitor.elf", "SPMC.init(config:)"),
    ("monitor_load_bl33", "monitor.elf", "loadBL33(into:)"),
    ("monitor_enter_partition", "monitor.elf", "monitor_enter_world"),
    ("partition_entry", "partition.elf", "_start"),
    ("partition_mount", "partition.elf", "specialized FlashVariableLog.init(flash:maximumVariableSize:limits:)"),
    ("bl33_entry", "normal.elf", "_start"),
    ("prompt", "normal.elf", None),
]


def boot_counts():
    """icount at each of BOOT_MARKS; a mark whose symbol is missing is skipped."""
    syms = {e: Symbols([os.path.join(BUILD, e)]) for e in ("monitor.elf", "partition.elf", "normal.elf")}
    q = Stopped(bench_flash())
    try:
        marks = {}
        for label, image, name in BOOT_MARKS:
            address = symbol(os.path.join(BUILD, image), PROMPT) if name is None else min(syms[image].addresses(name), default=None)
            if address is None:
                continue
            q.gdb.run_to(address)
            marks[label] = q.qmp.icount()
        return marks
    finally:
        q.close()


# --- profile: where one call's instructions go ----------------------------------------------

class Symbols:
    def __init__(self, elves):
        self.starts, self.names = [], []
        entries = []
        for elf in elves:
            out = subprocess.run([NM, "-n", elf], capture_output=True, text=True, check=True).stdout
            for line in out.splitlines():
                parts = line.split()
                if len(parts) == 3 and parts[1] in "tTwW":
                    entries.append((int(parts[0], 16), parts[2]))
        entries.sort()
        names = subprocess.run([DEMANGLE, "--simplified"], input="\n".join(n for _, n in entries),
                               capture_output=True, text=True).stdout.splitlines()
        for (address, _), name in zip(entries, names):
            self.starts.append(address)
            self.names.append(name[:110])

    def addresses(self, name):
        return {a for a, n in zip(self.starts, self.names) if n == name}

    def name(self, pc):
        import bisect
        i = bisect.bisect_right(self.starts, pc) - 1
        return self.names[i] if i >= 0 else hex(pc)


def profile(command, entry_prefix, label, before=(), limit=400000, top=30):
    """Runs `before` and then `command` at the prompt, stops at the first call of `entry_prefix`
    in `command`, single-steps until it returns, and prints the instruction count by function and
    by world."""
    q = Stopped(bench_flash())
    try:
        normal = os.path.join(BUILD, "normal.elf")
        q.gdb.run_to(symbol(normal, PROMPT))
        for line in before:
            q.type(line)
            q.gdb.step()
            q.gdb.run_to(symbol(normal, PROMPT))
        q.type(command)
        q.gdb.run_to(symbol(normal, entry_prefix))
        ret = q.gdb.registers()[30]
        syms = Symbols([os.path.join(BUILD, e) for e in ("normal.elf", "monitor.elf", "partition.elf")])
        by_function, steps = {}, 0
        copies = {}                      # memcpy/memmove/memset calls: caller -> (calls, bytes)
        copiers = syms.addresses("memcpy") | syms.addresses("memmove") | syms.addresses("memset")
        by_world = {"normal": 0, "monitor (EL3)": 0, "partition (S-EL1)": 0}
        while steps < limit:
            regs = q.gdb.registers()
            pc = regs[32]
            if pc == ret:
                break
            if pc in copiers:
                key = syms.name(pc) + " from " + syms.name(regs[30])
                calls, size = copies.get(key, (0, 0))
                copies[key] = (calls + 1, size + regs[2])
            world = "monitor (EL3)" if MONITOR[0] <= pc < MONITOR[1] else \
                "partition (S-EL1)" if PARTITION[0] <= pc < PARTITION[1] else "normal"
            name = f"[{world.split()[0][:4]}] {syms.name(pc)}"
            by_function[name] = by_function.get(name, 0) + 1
            by_world[world] += 1
            q.gdb.step()
            steps += 1
        print(f"\nprofile: {label} ({command!r}, from {entry_prefix[:40]}...): {steps} instructions")
        print("  " + ", ".join(f"{w} {n}" for w, n in by_world.items()))
        for name, n in sorted(by_function.items(), key=lambda kv: -kv[1])[:top]:
            print(f"  {n:7d}  {name}")
        for name, (calls, size) in sorted(copies.items(), key=lambda kv: -kv[1][1])[:12]:
            print(f"  {calls:4d} call(s), {size:7d} bytes: {name}")
    finally:
        q.close()


def profile_boot(top=40):
    """Boots to the prompt with QEMU's TB execution log (-d exec,nochain,in_asm) and prints the
    instructions executed by function: every TB execution counts the TB's instructions."""
    log = os.path.join(tempfile.mkdtemp(prefix="bench-"), "exec.log")
    sram = (BOARD.SECURE_SRAM_BASE, BOARD.SECURE_SRAM_BASE + BOARD.SECURE_SRAM_SIZE - 1)
    bl33 = (BOARD.BL33_BASE, BOARD.BL33_BASE + (256 << 20) - 1)
    extra = f"{ICOUNT} -d exec,nochain,in_asm -dfilter {sram[0]:#x}..{sram[1]:#x},{bl33[0]:#x}..{bl33[1]:#x} -D {log}"
    boot("el2", [], flash=bench_flash(), extra=extra, until="=> ", timeout=300)
    syms = Symbols([os.path.join(BUILD, e) for e in ("normal.elf", "monitor.elf", "partition.elf")])
    sizes, counts, total = {}, {}, 0
    current, n = None, 0
    with open(log, errors="replace") as f:
        for line in f:
            if line.startswith("IN:"):
                current, n = None, 0
            elif line.startswith("0x") and ":" in line[:20]:
                if current is None:
                    current = int(line.split(":")[0], 16)
                n += 1
            elif line.startswith("Trace"):
                if current is not None:
                    sizes[current] = n
                    current = None
                m = re.search(r"\[[0-9a-f]+/([0-9a-f]+)/", line)
                if not m:
                    continue
                pc = int(m.group(1), 16)
                size = sizes.get(pc, 1)
                counts[pc] = counts.get(pc, 0) + size
                total += size
    by_function = {}
    for pc, c in counts.items():
        name = syms.name(pc)
        by_function[name] = by_function.get(name, 0) + c
    print(f"\nprofile: boot to the prompt, {total} instructions (TB log; secure SRAM and BL33)")
    for name, c in sorted(by_function.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {c:9d}  {name}")
    os.remove(log)


# --- the table ------------------------------------------------------------------------------

def sizes():
    return {name: os.path.getsize(os.path.join(BUILD, name + ".bin")) for name in ("normal", "monitor", "partition")}


def table(f, marks, size):
    rows = []

    def row(figure, value, target=None):
        verdict = "" if target is None else ("pass" if value <= target else "FAIL")
        rows.append((figure, f"{value:,}", "" if target is None else f"≤ {target:,}", verdict))

    d = f["direct_request_64"]
    row("direct request round trip, secure side (FFA_MSG_SEND_DIRECT_REQ_64 to 0x8001)", d["secure"], 600)
    row("  EL3: monitor and SPMC, both directions", d["el3"])
    row("  S-EL1: MM partition", d["sel1"])
    row("  normal world (request and SMC)", d["normal"])
    row("SMCCC_VERSION, secure side (EL3 dispatch floor)", f["smccc_version"]["secure"])
    row("FFA_ID_GET, secure side", f["ffa_id_get"]["secure"])
    row("partition discovery FFA_PARTITION_INFO_GET by UUID, secure side", f["partition_info_get"]["secure"])
    row("partition discovery FFA_PARTITION_INFO_GET_REGS, secure side", f["partition_info_get_regs"]["secure"])
    row("partition discovery by the driver, RX buffer (count, get, release), all", f["discovery_rx"]["all"])
    row("partition discovery by the driver (GET_REGS), all", f["discovery"]["all"])
    g = f["get_variable"]
    row("GetVariable, 4-byte variable, end to end (normal + secure)", g["all"], 5000)
    row("  normal world", g["normal"])
    row("  secure world (EL3 + S-EL1)", g["secure"])
    row("  S-EL1: MM partition", g["sel1"])
    nv, vol = f["set_variable_nv"], f["set_variable_volatile"]
    row("SetVariable NV (flash), 4 bytes, end to end", nv["all"])
    row("  secure world", nv["secure"])
    row("SetVariable volatile (no flash), 4 bytes, end to end", vol["all"])
    row("  secure world", vol["secure"])
    row("flash path of an NV SetVariable (NV − volatile, S-EL1)", max(0, nv["sel1"] - vol["sel1"]))
    row("boot to the shell prompt (QEMU icount)", marks["prompt"])
    previous = 0
    for label, text in [("monitor_mmu_on", "monitor: from reset, copy to SRAM, page tables, MMU on"),
                        ("monitor_dtb_fixup", "monitor: traps, console"),
                        ("monitor_spmc_setup", "monitor: DTB fixup (/psci, /reserved-memory)"),
                        ("monitor_load_bl33", "monitor: SPMC set-up, MM partition copied from flash"),
                        ("monitor_enter_partition", "monitor: BL33 copied from flash"),
                        ("partition_mount", "MM partition: entry, page tables, MMU on"),
                        ("bl33_entry", "MM partition: variable store mounted, FFA_MSG_WAIT, to BL33"),
                        ("prompt", "normal world: to the prompt, with its FF-A calls")]:
        if label in marks:
            row("  " + text, marks[label] - previous)
            previous = marks[label]
    row("normal image normal.bin (bytes)", size["normal"], 64 << 10)
    row("secure image monitor.bin + partition.bin (bytes)", size["monitor"] + size["partition"], 128 << 10)
    row("  monitor.bin", size["monitor"])
    row("  partition.bin", size["partition"])
    return rows


def markdown(rows):
    out = ["| figure | value | target | result |", "|---|---:|---:|---|"]
    out += [f"| {a.strip() if not a.startswith('  ') else '&nbsp;&nbsp;' + a.strip()} | {b} | {c} | {d} |"
            for a, b, c, d in rows]
    return "\n".join(out)


def commit():
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    return head + ("-dirty" if dirty else "")


def main(argv):
    for image in ("normal.elf", "monitor.elf", "partition.elf", "proof/flash0-bench.img"):
        if not os.path.exists(os.path.join(BUILD, image)):
            print("bench: build the images first (make all proof)")
            return 2
    figures = shell_figures()
    marks = boot_counts()
    rows = table(figures, marks, sizes())
    import bench_linux  # OS-issued runtime calls (issue 17), when make test-linux fetched Linux
    bench_linux.rows(lambda figure, value: rows.append((figure, f"{value:,}", "", "")))
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'value':>12}  {'target':>10}  result")
    for a, b, c, d in rows:
        print(f"{a:<{width}}  {b:>12}  {c:>10}  {d}")
    failed = [r[0].strip() for r in rows if r[3] == "FAIL"]
    print(f"bench: {len(failed)} figure(s) miss their target" + (": " + "; ".join(failed) if failed else ""))

    docs = os.path.join(ROOT, "docs", "benchmarks.md")
    header = not os.path.exists(docs)
    with open(docs, "a") as f:
        if header:
            f.write("# Benchmarks\n\n`make bench` (qemu/bench.py) appends one table per run: instruction "
                    "counts under QEMU `-icount shift=0`, image sizes.\n\n## Runs\n")
        f.write(f"\n### {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, commit {commit()}\n\n{markdown(rows)}\n")

    if "--profile" in argv:
        profile_boot()
        profile("armffa ping 8001", "smccc_smc", "direct request round trip")
        profile("printenv -e BenchProfile", "$e6Driver14VariableClientV8exchange_", "GetVariable exchange (DataSize 0)",
                before=["setenv -e -nv -bs -rt BenchProfile 0x01 0x02 0x03 0x04"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
