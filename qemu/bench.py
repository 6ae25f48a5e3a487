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


def auth_figures():
    """The proof shell's `benchauth` (issue 15): a KEK-signed db append and a PK enrolment, 2048-bit
    keys made by openssl, .auth files by efitools (qemu/secure_boot.py), put in RAM by QEMU's loader."""
    import secure_boot
    directory = os.path.join(BUILD, "bench-auth-keys")
    secure_boot.tools(directory)
    loaders, ranges = secure_boot.loaders(directory, ["PK.auth", "KEK.auth", "db.auth", "append.auth", "delete-pk.auth"])
    command = "benchauth " + " ".join(ranges[f] for f in ["PK.auth", "KEK.auth", "db.auth", "append.auth", "delete-pk.auth"])
    b = boot("el2", [command, "poweroff"], flash=bench_flash("bench"), extra=ICOUNT + " " + loaders, timeout=600,
             image="bench")
    figures = {}
    for m in re.finditer(r"^bench: (\w+) ((?:\w+=\d+ ?)+)$", b.output, re.M):
        figures[m.group(1)] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(2))}
    if "benchauth: done" not in b:
        raise RuntimeError("the benchauth command did not complete:\n" + b.output[-3000:])
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

    def __init__(self, flash, elf=None):
        self.tmp = tempfile.mkdtemp(prefix="bench-")
        port = free_port()
        qmp = os.path.join(self.tmp, "qmp.sock")
        env = dict(os.environ, QEMU_EXTRA=f"{ICOUNT} -S -gdb tcp::{port} -qmp unix:{qmp},server=on,wait=off")
        self.proc = subprocess.Popen([os.path.join(ROOT, "qemu", "run.sh"), "el2", flash,
                                      elf or os.path.join(BUILD, "normal.elf")],
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
    ("partition_mount", "partition.elf", "mountStore(_:)"),
    ("bl33_entry", "normal.elf", "_start"),
    ("prompt", "normal.elf", None),
]


def boot_counts(flash=None):
    """icount at each of BOOT_MARKS (on `flash`, by default a blank store); a mark whose symbol
    is missing is skipped."""
    syms = {e: Symbols([os.path.join(BUILD, e)]) for e in ("monitor.elf", "partition.elf", "normal.elf")}
    q = Stopped(flash or bench_flash())
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


# --- allocator calls on the hot paths ---------------------------------------------------------

def allocations():
    """Allocator calls (posix_memalign) of each world during one direct request, one GetVariable,
    one SetVariable (NV, 4 bytes) and one GetNextVariableName (to a name on the flash): the proof
    shell's `bench alloc` brackets each with calls of `bench_mark` (phases 1/2, 3/4, 5/6, 7/8;
    0xBAD ends a phase whose call failed); gdbstub breakpoints on it and on posix_memalign in the
    three images count every world's calls between the marks. {figure: {world: calls}}."""
    elves = {"normal": os.path.join(BUILD, "proof", "normal.elf"),
             "monitor": os.path.join(BUILD, "proof", "monitor-bench.elf"),
             "partition": os.path.join(BUILD, "partition.elf")}
    q = Stopped(bench_flash("bench"), elf=elves["normal"])
    names = ["direct_request", "get_variable", "set_variable", "get_next_variable_name"]
    counts = {n: {w: 0 for w in elves} for n in names}
    try:
        mark = symbol(elves["normal"], "$e11NormalWorld10bench_mark")
        # posix_memalign keeps its Swift name under link-time optimisation.
        allocators = {symbol(e, "$e8Platform14posix_memalign"): w for w, e in elves.items()}
        q.gdb.run_to(symbol(elves["normal"], PROMPT))
        q.type("bench alloc")
        for a in [mark, *allocators]:
            q.gdb.packet("Z0,%x,4" % a)
        phase = 0
        for _ in range(100000):
            q.gdb.packet("c")
            regs = q.gdb.registers()
            pc = regs[32]
            if pc == mark:
                phase = regs[0]
                if phase == 0xBAD:
                    raise RuntimeError("bench alloc: a variable call failed")
            elif pc in allocators and phase in (1, 3, 5, 7):
                counts[names[phase // 2]][allocators[pc]] += 1
            if phase == 8:
                return counts
            # Off the breakpoint: lift it for one step.
            q.gdb.packet("z0,%x,4" % pc)
            q.gdb.step()
            q.gdb.packet("Z0,%x,4" % pc)
        raise RuntimeError("bench alloc did not finish")
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


def entry_address(syms, elf, entry):
    """A mangled prefix (`$e...`), or the demangled name of a function, 'specialized ' or not: the
    client's calls are specialised for the image's transport, and their mangled names change with
    every refactoring of their signatures."""
    if entry.startswith("$"):
        return symbol(elf, entry)
    found = sorted(syms.addresses(entry) | syms.addresses("specialized " + entry))
    if not found:
        raise KeyError(f"{entry} not in {elf}")
    return found[0]


def profile(command, entry_prefix, label, before=(), limit=400000, top=30):
    """Runs `before` and then `command` at the prompt, stops at the first call of `entry_prefix`
    in `command`, single-steps until it returns, and prints the instruction count by function and
    by world."""
    normal = os.path.join(BUILD, "normal.elf")
    elves = [os.path.join(BUILD, e) for e in ("normal.elf", "monitor.elf", "partition.elf")]
    entry = entry_address(Symbols(elves[:1]), normal, entry_prefix)
    q = Stopped(bench_flash())
    try:
        q.gdb.run_to(symbol(normal, PROMPT))
        for line in before:
            q.type(line)
            q.gdb.step()
            q.gdb.run_to(symbol(normal, PROMPT))
        q.type(command)
        q.gdb.run_to(entry)
        ret = q.gdb.registers()[30]
        # Built here, between the stop and the first step, as it always was: stepping at once lost
        # the return in EL3 (the ping ran on to the prompt) under QEMU 7.2; the cause is not known.
        syms = Symbols(elves)
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


def profile_boot(top=40, flash=None):
    """Boots to the prompt with QEMU's TB execution log (-d exec,nochain,in_asm) and prints the
    instructions executed by function: every TB execution counts the TB's instructions."""
    log = os.path.join(tempfile.mkdtemp(prefix="bench-"), "exec.log")
    sram = (BOARD.SECURE_SRAM_BASE, BOARD.SECURE_SRAM_BASE + BOARD.SECURE_SRAM_SIZE - 1)
    bl33 = (BOARD.BL33_BASE, BOARD.BL33_BASE + (256 << 20) - 1)
    extra = f"{ICOUNT} -d exec,nochain,in_asm -dfilter {sram[0]:#x}..{sram[1]:#x},{bl33[0]:#x}..{bl33[1]:#x} -D {log}"
    boot("el2", [], flash=flash or bench_flash(), extra=extra, until="=> ", timeout=300)
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
        world = ("mon" if BOARD.MONITOR_BASE <= pc < BOARD.MONITOR_BASE + BOARD.MONITOR_SIZE else
                 "part" if BOARD.PARTITION_BASE <= pc < BOARD.SECURE_SRAM_BASE + BOARD.SECURE_SRAM_SIZE else "norm")
        name = f"[{world}] {syms.name(pc)}"
        by_function[name] = by_function.get(name, 0) + c
    print(f"\nprofile: boot to the prompt, {total} instructions (TB log; secure SRAM and BL33)")
    for name, c in sorted(by_function.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {c:9d}  {name}")
    os.remove(log)


# --- the table ------------------------------------------------------------------------------

def sizes():
    return {name: os.path.getsize(os.path.join(BUILD, name + ".bin")) for name in ("normal", "monitor", "partition")}


# Issue 12's figures: (the figure then, as the issue measured it; the target). The table prints
# each beside today's value.
ISSUE = "#12"


def stored_figures(count):
    """GetVariable's secure side and the reset to BL33 with `count` variables stored: `fillstore`
    fills a bench flash through the real MM path, then `bench` runs on it and the product boots
    from its variable store (QEMU icount at BL33's first instruction)."""
    flash = fresh_flash(f"bench-fill{count}", "bench")
    b = boot("el2", [f"fillstore {count}", "poweroff"], flash=flash, timeout=900, image="bench")
    if f"fillstore: {count} variables set" not in b.output:
        raise RuntimeError(f"fillstore {count} failed:\n" + b.output[-2000:])
    b = boot("el2", ["bench 3", "poweroff"], flash=flash, extra=ICOUNT, timeout=300, image="bench")
    m = re.search(r"^bench: get_variable ((?:\w+=\d+ ?)+)$", b.output, re.M)
    if not m or "bench: done" not in b.output:
        raise RuntimeError("bench on a filled store did not complete:\n" + b.output[-2000:])
    get = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(1))}
    # The same store under the product images.
    product = bench_flash()
    with open(flash, "rb") as f:
        f.seek(BOARD.VARSTORE_OFFSET)
        store = f.read(BOARD.VARSTORE_SIZE)
    with open(product, "r+b") as f:
        f.seek(BOARD.VARSTORE_OFFSET)
        f.write(store)
    marks = boot_counts(product)
    return get, marks["bl33_entry"]


def table(f, marks, size, allocs=None, stored=None):
    rows = []

    def row(figure, value, target=None, anchor=None, issue=ISSUE):
        verdict = "" if target is None else ("pass" if value <= target else "FAIL")
        rows.append((figure, f"{value:,}", "" if target is None else f"≤ {target:,}",
                     "" if anchor is None else f"{anchor} ({issue})", verdict))

    # Issue 12's secure-side figures; the anchor is the figure before the in-place run loop.
    d = f["direct_request_64"]
    row("direct request round trip, secure side (FFA_MSG_SEND_DIRECT_REQ_64 to 0x8001)", d["secure"], 400, "8,276")
    row("  EL3: monitor and SPMC, both directions", d["el3"])
    row("  S-EL1: MM partition", d["sel1"])
    row("  normal world (request and SMC)", d["normal"])
    row("SMCCC_VERSION round trip, secure side", f["smccc_version"]["secure"], 100, "~2,900")
    row("FFA_ID_GET, secure side", f["ffa_id_get"]["secure"])
    row("U-Boot discovery FFA_VERSION, secure side", f["ffa_version"]["secure"], 600, "1,975")
    row("U-Boot discovery FFA_FEATURES(FFA_RXTX_MAP_64), secure side", f["ffa_features"]["secure"], 600)
    if "rxtx_map" in f:
        row("U-Boot discovery FFA_RXTX_MAP_64, secure side", f["rxtx_map"]["secure"], 600)
    row("U-Boot discovery FFA_PARTITION_INFO_GET by UUID, secure side", f["partition_info_get"]["secure"], 600, "3,717")
    row("partition discovery FFA_PARTITION_INFO_GET_REGS, secure side", f["partition_info_get_regs"]["secure"], None, "2,510")
    row("partition discovery by the driver, RX buffer (count, get, release), all", f["discovery_rx"]["all"], None, "11,965")
    row("partition discovery by the driver (GET_REGS), all", f["discovery"]["all"])
    g = f["get_variable"]
    row("GetVariable (4 bytes), normal + secure, the whole call", g["all"], 3000, "33,622")
    row("  normal world", g["normal"])
    row("  EL3", g["el3"])
    row("  S-EL1: MM partition", g["sel1"])
    nv, vol = f["set_variable_nv"], f["set_variable_volatile"]
    row("SetVariable NV (4 bytes), all included", nv["all"], 12000, "39,257")
    row("  normal world", nv["normal"])
    row("  EL3", nv["el3"])
    row("  S-EL1: MM partition", nv["sel1"])
    for name, text in [("set_variable_global", "SetVariable NV (4 bytes) under EFI_GLOBAL_VARIABLE, a name with no rule, all included"),
                       ("set_variable_boot_order", "SetVariable NV BootOrder (2 entries), its rule checked, all included")]:
        if name in f:
            row(text, f[name]["all"], 12000)
            row("  S-EL1: MM partition", f[name]["sel1"])
    row("SetVariable volatile (4 bytes), all included", vol["all"], None, "32,809")
    if "get_next_variable_name" in f:
        n = f["get_next_variable_name"]
        row("GetNextVariableName, one step to a name on the flash, the whole call", n["all"])
        row("  normal world", n["normal"])
        row("  EL3", n["el3"])
        row("  S-EL1: MM partition", n["sel1"])
    row("flash path of an NV SetVariable (NV − volatile, S-EL1)", max(0, nv["sel1"] - vol["sel1"]))
    if allocs:
        for name, text in [("direct_request", "direct request"), ("get_variable", "GetVariable"),
                           ("set_variable", "SetVariable NV"),
                           ("get_next_variable_name", "GetNextVariableName (to a name on the flash)")]:
            a = allocs[name]
            row(f"allocator calls during a {text}, all worlds", sum(a.values()), 0)
            row(f"  normal / EL3 / S-EL1: {a['normal']} / {a['monitor']} / {a['partition']}", sum(a.values()))
    # Issue 15's figures: the partition's instructions for one authenticated write each.
    for name, text in [("auth_db_append", "authenticated db append, KEK-signed, RSA-2048 (.auth by efitools)"),
                       ("auth_pk_enrol", "PK enrolment in setup mode, self-signed, RSA-2048")]:
        row(text + ", S-EL1", f[name]["sel1"])
        row("  end to end (normal + secure)", f[name]["all"])
    row("reset to the shell prompt (QEMU icount)", marks["prompt"], 1_000_000, "9.6 M")
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
    for count, (get, bl33) in sorted((stored or {}).items()):
        then = {1000: ("63,342", "49 M", 2_000_000), 4000: ("243,264", "475 M", 5_000_000)}.get(count, (None, None, None))
        row(f"GetVariable, secure side, {count:,} variables stored", get["secure"], 2000, then[0])
        row("  S-EL1: MM partition (the lookup: an index, not a scan)", get["sel1"])
        row(f"reset to BL33, {count:,} variables stored (QEMU icount)", bl33, then[2], then[1])
    row("normal image normal.bin (bytes)", size["normal"], 64 << 10, "200,880")
    row("  against issue 11's target (product code only)", size["normal"], 96 << 10, "200,880", issue="#11")
    row("secure image monitor.bin + partition.bin (bytes)", size["monitor"] + size["partition"], 96 << 10, "122,256")
    row("  monitor.bin", size["monitor"])
    row("  partition.bin", size["partition"])
    return rows


def markdown(rows):
    out = ["| figure | value | target | issue's figure | result |", "|---|---:|---:|---:|---|"]
    out += [f"| {a.strip() if not a.startswith('  ') else '&nbsp;&nbsp;' + a.strip()} | {b} | {c} | {e} | {d} |"
            for a, b, c, e, d in rows]
    return "\n".join(out)


def commit():
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    return head + ("-dirty" if dirty else "")


def profiles():
    """Where the instructions of the boot, a direct request, a GetVariable and a SetVariable go."""
    profile_boot()
    profile("armffa ping 8001", "smccc_smc", "direct request round trip")
    # The client's calls that printenv -e and setenv -e make (Driver/VariableClient+InPlace.swift).
    get = "VariableClient.getVariable(name:guid:dataSize:)"
    set_ = "VariableClient.setVariable(rawName:guid:attributes:data:)"
    profile("printenv -e BenchProfile", get, "GetVariable (DataSize 0, the first of printenv's two calls)",
            before=["setenv -e -nv -bs -rt BenchProfile 0x01 0x02 0x03 0x04"])
    profile("setenv -e -nv -bs -rt BenchProfile 0x05 0x06 0x07 0x08", set_, "SetVariable NV (4 bytes, an update)",
            before=["setenv -e -nv -bs -rt BenchProfile 0x01 0x02 0x03 0x04"])
    return 0


def main(argv):
    for image in ("normal.elf", "monitor.elf", "partition.elf", "proof/flash0-bench.img"):
        if not os.path.exists(os.path.join(BUILD, image)):
            print("bench: build the images first (make all proof)")
            return 2
    if "--profile-only" in argv:
        return profiles()
    figures = shell_figures()
    figures.update(auth_figures())
    marks = boot_counts()
    allocs = allocations()
    stored = {} if "--quick" in argv else {n: stored_figures(n) for n in (1000, 4000)}
    rows = table(figures, marks, sizes(), allocs, stored)
    import bench_linux  # OS-issued runtime calls (issue 17), when make test-linux fetched Linux
    bench_linux.rows(lambda figure, value: rows.append((figure, f"{value:,}", "", "", "")))
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'value':>12}  {'target':>12}  {'issue ' + ISSUE:>16}  result")
    for a, b, c, e, d in rows:
        print(f"{a:<{width}}  {b:>12}  {c:>12}  {e:>16}  {d}")
    failed = [r[0].strip() for r in rows if r[4] == "FAIL"]
    print(f"bench: {len(failed)} figure(s) miss their target" + (": " + "; ".join(failed) if failed else ""))

    docs = os.path.join(ROOT, "docs", "benchmarks.md")
    header = not os.path.exists(docs)
    with open(docs, "a") as f:
        if header:
            f.write("# Benchmarks\n\n`make bench` (qemu/bench.py) appends one table per run: instruction "
                    "counts under QEMU `-icount shift=0`, image sizes.\n\n## Runs\n")
        f.write(f"\n### {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, commit {commit()}\n\n{markdown(rows)}\n")

    return profiles() if "--profile" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
