#!/usr/bin/env python3
"""Power cuts (issue 6): streams of SetVariable in QEMU, cut at seeded secure-world instruction
counts, restarted from the same flash image and checked against a model. docs/power-cuts.md.

    python3 qemu/powercut.py --cuts 100 --seed 1     # `make test`
    python3 qemu/powercut.py --cuts 1000 --seed 1    # `make soak`
    python3 qemu/powercut.py --self-test             # shows the checker catches broken stores

The cut: a small TCG plugin (its C source is below; built into build/powercut/) counts every
instruction executed below the start of RAM, which is where the secure world runs (boot code in
flash, EL3 monitor and MM partition in secure SRAM), and the stores among them into the
variable store's flash, and kills QEMU with SIGKILL just before a target instruction or just
after a target flash store. The normal world only enters the secure world by SMC, so these
counts are a function of the flash image and the commands typed, never of host timing: the same
seed cuts at the same instruction and leaves the same bytes in flash (replays and the campaign
digest check this on every run).

`main(argv)` returns (passed, failed); the exit status is 1 when anything failed.
"""
import argparse
import collections
import hashlib
import mmap
import os
import random
import select
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
import zlib

from board import BOARD

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
WORK = os.path.join(BUILD, "powercut")

# The variable store: its window of flash0, in erase blocks (board.h, docs/variable-store.md).
FLASH_SIZE = BOARD.FLASH_SIZE
STORE = BOARD.VARSTORE_OFFSET
STORE_SIZE = BOARD.VARSTORE_SIZE
BLOCK = BOARD.FLASH_BLOCK_SIZE
BLOCKS = STORE_SIZE // BLOCK

# Values too big for a command line come from this pattern, loaded into normal RAM by QEMU
# 256 MiB above the start of RAM (clear of the DTB, the MM buffer, kernels and the firmware).
PATTERN_ADDR = BOARD.RAM_BASE + (256 << 20)
PATTERN_SIZE = 1 << 20
SECURE_BELOW = BOARD.RAM_BASE
# The MM partition maps the store 1:1.
FLASH_STORE_VA = (BOARD.FLASH_BASE + STORE, BOARD.FLASH_BASE + STORE + STORE_SIZE)

GLOBAL_GUID = "8be4df61-93ca-11d2-aa0d-00e098032b8c"
GLOBAL_GUID_BYTES = bytes.fromhex("61dfe48bca93d211aa0d00e098032b8c")
ATTRS = "-nv -bs -rt"
ATTRS_VALUE = 0x7
PROMPT = b"\n=> "

SMALL_KEYS = ["S0", "S1", "S2", "S3", "S4", "S5"]
APPEND_KEYS = ["A0", "A1"]
BIG_KEYS = ["B0", "B1", "B2", "B3"]
PROBE = "Probe"
# Read-only globals the store serves (docs/variable-policy.md): listed, never written, no flash.
SERVED = {"SecureBoot", "SetupMode", "AuditMode", "DeployedMode", "VendorKeys"}
SMALL_LIMIT = 1024          # small values stay short so every recovery can dump them all
BIG_SET = (512, 20 << 10)   # sizes of values set from the pattern
BIG_LIMIT = 24 << 10        # appends stop here (or are made deliberately too big)

BOOT_TIMEOUT = 180
COMMAND_TIMEOUT = 300

PLUGIN_SOURCE = r"""
/* Power-cut plugin for qemu/powercut.py (QEMU TCG plugin API v1, declared by hand: Debian ships
 * no qemu-plugin.h). Counts the instructions executed below a virtual address (the secure world)
 * and the stores among them into the flash region of the variable store, in a control page
 * shared with the harness, and kills QEMU (SIGKILL, a power cut) just before instruction number
 * [1] or just after flash store number [5], whichever comes first.
 * Control page, u64 words: [0] instructions, [1] instruction target (0 = none), [2] pc at the
 * cut, [3] instruction count at the cut, [4] flash stores, [5] flash store target (0 = none),
 * [6] what cut: 1 instruction target, 2 flash store target, [7] stores so far at the start
 * of an erase block (erase commands, block headers), the last 64 of them as (store number,
 * address) pairs at [16 + 2 * (i % 64)]. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/mman.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
struct qemu_info_t;
#define EXPORT __attribute__((visibility("default")))
#define CB_NO_REGS 0
#define MEM_W 2

EXPORT int qemu_plugin_version = 1;
extern void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t,
        void (*)(qemu_plugin_id_t, struct qemu_plugin_tb *));
extern size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *);
extern struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *, size_t);
extern uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *);
extern void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *,
        void (*)(unsigned int, void *), int, void *);
extern void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *,
        void (*)(unsigned int, uint32_t, uint64_t, void *), int, int, void *);

static volatile uint64_t *ctl;
static uint64_t below, flash_lo, flash_hi, block;   /* all given by the arguments */

static void cut(uint64_t pc, uint64_t why) {
    ctl[2] = pc;
    ctl[3] = ctl[0];
    ctl[6] = why;
    kill(getpid(), SIGKILL);
    for (;;) pause();
}

static void on_insn(unsigned int vcpu, void *pc) {
    uint64_t n = ctl[0] + 1;
    uint64_t target = ctl[1];
    if (target != 0 && n >= target) cut((uint64_t)(uintptr_t)pc, 1);
    ctl[0] = n;
}

static void on_store(unsigned int vcpu, uint32_t info, uint64_t va, void *pc) {
    if (va < flash_lo || va >= flash_hi) return;
    uint64_t n = ctl[4] + 1;
    ctl[4] = n;
    if ((va - flash_lo) % block == 0) {
        uint64_t i = ctl[7];
        ctl[16 + 2 * (i % 64)] = n;
        ctl[17 + 2 * (i % 64)] = va;
        ctl[7] = i + 1;
    }
    uint64_t target = ctl[5];
    if (target != 0 && n >= target) cut((uint64_t)(uintptr_t)pc, 2);
}

static void on_tb(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t va = qemu_plugin_insn_vaddr(insn);
        if (va >= below) continue;
        qemu_plugin_register_vcpu_insn_exec_cb(insn, on_insn, CB_NO_REGS, (void *)(uintptr_t)va);
        qemu_plugin_register_vcpu_mem_cb(insn, on_store, CB_NO_REGS, MEM_W, (void *)(uintptr_t)va);
    }
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info,
                               int argc, char **argv) {
    const char *path = NULL;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "ctl=", 4) == 0) path = argv[i] + 4;
        if (strncmp(argv[i], "below=", 6) == 0) below = strtoull(argv[i] + 6, NULL, 0);
        if (strncmp(argv[i], "block=", 6) == 0) block = strtoull(argv[i] + 6, NULL, 0);
        if (strncmp(argv[i], "flash=", 6) == 0) {
            char *end;
            flash_lo = strtoull(argv[i] + 6, &end, 0);
            if (*end == '-') flash_hi = strtoull(end + 1, NULL, 0);
        }
    }
    if (path == NULL || below == 0 || block == 0) return -1;
    int fd = open(path, O_RDWR);
    if (fd < 0) return -1;
    void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (page == MAP_FAILED) return -1;
    ctl = page;
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb);
    return 0;
}
"""


class HarnessError(Exception):
    """The harness could not do its job (not a finding about the store)."""


def log(msg):
    print(msg, flush=True)


# --- building the plugin and the pattern ----------------------------------------------------

def build_plugin():
    os.makedirs(WORK, exist_ok=True)
    digest = hashlib.sha256(PLUGIN_SOURCE.encode()).hexdigest()[:12]
    so = os.path.join(WORK, f"cutplugin-{digest}.so")
    if os.path.exists(so):
        return so
    src = os.path.join(WORK, "cutplugin.c")
    with open(src, "w") as f:
        f.write(PLUGIN_SOURCE)
    errors = []
    for cc in ["cc", "gcc", "clang"]:
        if not shutil.which(cc):
            continue
        tmp = so + ".tmp"
        r = subprocess.run([cc, "-O2", "-shared", "-fPIC", "-fvisibility=hidden", "-o", tmp, src],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode == 0:
            os.replace(tmp, so)
            return so
        errors.append(f"{cc}: {r.stdout.strip()}")
    raise HarnessError("cannot build the QEMU plugin (need a host C compiler): " + "; ".join(errors))


def make_pattern():
    path = os.path.join(WORK, "pattern.bin")
    data = random.Random("powercut-pattern-v1").randbytes(PATTERN_SIZE)
    if not os.path.exists(path) or open(path, "rb").read() != data:
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.replace(path + ".tmp", path)
    return path, data


# --- the on-flash format, for the prefill, the fault injections of --self-test and statistics --
# (docs/variable-store.md; pass/fail never rests on this reader, only on what the firmware says)

def crc32(b):
    return zlib.crc32(b) & 0xFFFFFFFF


def footprint(name, size):
    return ((44 + 2 * (len(name) + 1) + size + 3) & ~3) + 4


def encode_block_header(seq, erases=1):
    h = struct.pack("<IHHIIQI", 0x474F4C56, 1, 32, BLOCK, BLOCKS, seq, erases)
    return h + struct.pack("<I", crc32(h))


def encode_record(name, data, obsolete=False):
    nm = (name + "\0").encode("utf-16-le")
    fixed = struct.pack("<HBBIII", 0x5256, 1, 0, len(nm), len(data), ATTRS_VALUE) + GLOBAL_GUID_BYTES
    body = fixed + struct.pack("<I", crc32(fixed)) + nm + data
    body += b"\0" * ((-(4 + len(body))) % 4)   # the record so far is 8 state bytes + body
    rec = struct.pack("<II", 0, 0 if obsolete else 0xFFFFFFFF) + body + struct.pack("<I", crc32(body))
    assert len(rec) == footprint(name, len(data))
    return rec


def block_sequence(store, b):
    h = store[b * BLOCK:b * BLOCK + 32]
    magic, version, size, esize, count, seq, _ = struct.unpack("<IHHIIQI", h[:28])
    if (magic, version, size, esize, count) != (0x474F4C56, 1, 32, BLOCK, BLOCKS):
        return None
    if struct.unpack("<I", h[28:32])[0] != crc32(h[:28]) or not 0 < seq < (1 << 62):
        return None
    return seq


def walk_block(store, b):
    """Records of block b as dicts (offset in the store, state words, kind, name, data)."""
    base = b * BLOCK
    off = 32
    out = []
    while off + 44 <= BLOCK:
        h = store[base + off:base + off + 44]
        if h == b"\xff" * 44:
            break
        magic, kind, reserved, ns, ds = struct.unpack("<HBBII", h[8:20])
        if magic != 0x5256 or reserved != 0 or kind not in (1, 2) or struct.unpack("<I", h[40:44])[0] != crc32(h[8:40]):
            break
        fp = ((44 + ns + ds + 3) & ~3) + 4
        if off + fp > BLOCK:
            break
        commit, obsolete = struct.unpack("<II", h[:8])
        name = store[base + off + 44:base + off + 44 + ns].decode("utf-16-le", "replace").rstrip("\0")
        out.append(dict(offset=base + off, commit=commit, obsolete=obsolete, kind=kind, name=name,
                        data_offset=base + off + 44 + ns, size=ds, footprint=fp))
        off += fp
    return out


def store_summary(store):
    """(sequence number or None) per block: what changes when a block is opened or reclaimed."""
    return tuple(block_sequence(store, b) for b in range(BLOCKS))


def block_work(before, after):
    """'reclaim' when a block of the log was taken out of it, 'open' when one was added, else None."""
    b0, b1 = store_summary(before), store_summary(after)
    if b0 == b1:
        return None
    return "reclaim" if any(s is not None and b1[b] != s for b, s in enumerate(b0)) else "open"


def marks(store):
    """(committed, sequence number) of every reclaim mark in blocks with a valid header."""
    out = []
    for b in range(BLOCKS):
        if block_sequence(store, b) is None:
            continue
        for rec in walk_block(store, b):
            if rec["kind"] == 2:
                seq = struct.unpack("<Q", store[rec["data_offset"]:rec["data_offset"] + 8])[0]
                out.append((rec["offset"], rec["commit"] != 0xFFFFFFFF, seq))
    return out


def reclaim_phase(before, after):
    """Where a reclaim (docs/variable-store.md: copy, mark, erase) stood when the power was cut."""
    valid = [(s, b) for b, s in enumerate(store_summary(before)) if s is not None]
    if not valid:
        return "no log before"
    _, h = min(valid)
    if after[h * BLOCK:(h + 1) * BLOCK] != before[h * BLOCK:(h + 1) * BLOCK]:
        return "old block erased, operation finishing"
    old = {m[0] for m in marks(before)}
    new = [m for m in marks(after) if m[0] not in old]
    if any(committed for _, committed, _ in new):
        return "mark committed, old block not yet erased"
    if new:
        return "mark programmed, not yet committed"
    seen = {r["offset"] for b in range(BLOCKS) for r in walk_block(before, b)}
    if any(r["offset"] not in seen for b in range(BLOCKS) if block_sequence(after, b) is not None
           for r in walk_block(after, b)):
        return "copying live records"
    if after != before:
        return "opening a block (erase or header)"
    return "before its first flash write"


def records_by_age(store):
    blocks = [(block_sequence(store, b), b) for b in range(BLOCKS)]
    out = []
    for seq, b in sorted((s, b) for s, b in blocks if s is not None):
        out += walk_block(store, b)
    return out


# --- QEMU with the plugin -------------------------------------------------------------------

class Qemu:
    """One run of qemu/run.sh el2 on a lane's flash image, driven one command at a time."""

    def __init__(self, lane, target=0, store_target=0):
        self.lane = lane
        with open(lane.ctl_path, "wb") as f:
            f.write(b"\0" * 4096)
        fd = os.open(lane.ctl_path, os.O_RDWR)
        self.ctl = mmap.mmap(fd, 4096)
        os.close(fd)
        self.ctl[8:16] = struct.pack("<Q", target)
        self.ctl[40:48] = struct.pack("<Q", store_target)
        if os.path.exists(lane.secure_log):
            os.remove(lane.secure_log)
        env = dict(os.environ)
        env["QEMU_EXTRA"] = (f"-device loader,file={lane.campaign.pattern_path},addr={PATTERN_ADDR:#x},force-raw=on "
                             f"-plugin {lane.campaign.plugin},ctl={lane.ctl_path},below={SECURE_BELOW:#x},"
                             f"flash={FLASH_STORE_VA[0]:#x}-{FLASH_STORE_VA[1]:#x},block={BLOCK:#x}")
        self.proc = subprocess.Popen([os.path.join(ROOT, "qemu", "run.sh"), "el2", lane.flash],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     env=env, cwd=ROOT, start_new_session=True)
        self.buf = b""
        self.transcript = bytearray()

    def word(self, i):
        return struct.unpack("<Q", self.ctl[8 * i:8 * i + 8])[0]

    def count(self):
        """Secure-world instructions executed so far."""
        return self.word(0)

    def stores(self):
        """Stores into the variable store's flash so far."""
        return self.word(4)

    def block_stores(self):
        """(store number, block index) of the latest stores at the start of an erase block."""
        n = self.word(7)
        out = []
        for i in range(max(0, n - 64), n):
            count, va = self.word(16 + 2 * (i % 64)), self.word(17 + 2 * (i % 64))
            out.append((count, (va - FLASH_STORE_VA[0]) // BLOCK))
        return out

    def arm(self, target):
        self.ctl[8:16] = struct.pack("<Q", target)

    def cut(self):
        """(pc, instructions executed, 'instruction' | 'flash store') when the plugin cut the power."""
        why = self.word(6)
        if not why:
            return None
        return self.word(2), self.word(3), "before instruction" if why == 1 else "after flash store"

    def send(self, line):
        try:
            self.proc.stdin.write(line.encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass

    def until_prompt(self, timeout):
        """('prompt', text) | ('died', text) | ('timeout', text); text without the prompt."""
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while PROMPT not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return "timeout", self._take(len(self.buf))
            r, _, _ = select.select([fd], [], [], min(left, 1.0))
            if not r:
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                self.proc.wait()
                return "died", self._take(len(self.buf))
            self.buf += chunk
            self.transcript += chunk
        i = self.buf.index(PROMPT)
        text = self._take(i)
        self.buf = self.buf[len(PROMPT):]
        return "prompt", text

    def _take(self, n):
        text, self.buf = self.buf[:n], self.buf[n:]
        return text.decode("utf-8", "replace").replace("\r\n", "\n").removesuffix("\r")

    def wait_exit(self, timeout):
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        rest = self.proc.stdout.read() or b""
        self.transcript += rest

    def kill(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def close(self):
        self.kill()
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass
        self.ctl.close()


# --- operations and the model ---------------------------------------------------------------

class Op:
    """One setenv command and what it means for the model."""

    def __init__(self, kind, name, line, data=b"", append=False, delete=False, nbytes=0):
        self.kind, self.name, self.line = kind, name, line
        self.data, self.append, self.delete, self.nbytes = data, append, delete, nbytes

    def __repr__(self):
        return f"{self.kind} {self.name}: {self.line[:90]}"


def effect(model, op):
    """The value an operation leaves when it succeeds."""
    return None if op.delete else (model.get(op.name) or b"") + op.data if op.append else op.data


def expect(model, op, capacity, max_var):
    """(status, value after) the firmware must give, by the UEFI rules and the space rule of
    docs/variable-store.md (footprint(new) ≤ remaining, the old value still counted)."""
    old = model.get(op.name)
    name_size = 2 * (len(op.name) + 1)
    if op.delete:
        return ("EFI_SUCCESS", None) if old is not None else ("EFI_NOT_FOUND", None)
    new = (old or b"") + op.data if op.append else op.data
    if name_size + len(new) > max_var:
        return "EFI_INVALID_PARAMETER", old
    if old == new:
        return "EFI_SUCCESS", old
    used = sum(footprint(k, len(v)) for k, v in model.items())
    if footprint(op.name, len(new)) > capacity - used:
        return "EFI_OUT_OF_RESOURCES", old
    return "EFI_SUCCESS", new


class Generator:
    """Seeded stream of operations, chosen against a simulated model."""

    def __init__(self, lane, rng):
        self.lane, self.rng = lane, rng
        self.sim = dict(lane.model)
        for name, (old, new, _) in lane.pending.items():   # unresolved: assume the new value
            if new is None:
                self.sim.pop(name, None)
            else:
                self.sim[name] = new

    def small_value(self, n):
        return struct.pack("<I", self.lane.next_serial()) + self.rng.randbytes(max(1, n - 4))

    def window(self, size):
        while True:
            off = self.rng.randrange(0, PATTERN_SIZE - size)
            if (off, size) not in self.lane.windows:
                self.lane.windows.add((off, size))
                return off

    def probe(self):
        v = self.small_value(self.rng.randint(8, 24))
        return self._finish(Op("probe", PROBE, f"setenv -e {ATTRS} {PROBE} =H{v.hex()}", data=v, nbytes=len(v)))

    def next(self):
        r = self.rng
        present = [k for k in sorted(self.sim) if k != PROBE]
        kinds = ["set-small"] * 22 + ["set-big"] * 22 + ["append-small"] * 14 + ["append-big"] * 10 + \
                ["delete"] * 14 + ["delete-missing"] * 4 + ["same-value"] * 4
        kind = r.choice(kinds)
        if kind == "delete" and not present:
            kind = "set-small"
        if kind == "same-value":
            smalls = [k for k in present if len(self.sim[k]) <= 200]
            if not smalls:
                kind = "set-small"
        if kind == "delete-missing":
            missing = [k for k in SMALL_KEYS + APPEND_KEYS + BIG_KEYS if k not in self.sim]
            if not missing:
                kind = "delete"
        if kind == "set-small":
            name = r.choice(SMALL_KEYS)
            v = self.small_value(r.randint(5, 160))
            op = Op(kind, name, f"setenv -e {ATTRS} {name} =H{v.hex()}", data=v, nbytes=len(v))
        elif kind == "same-value":
            name = r.choice(smalls)
            v = self.sim[name]
            op = Op(kind, name, f"setenv -e {ATTRS} {name} =H{v.hex()}", data=v, nbytes=0)
        elif kind == "set-big":
            name = r.choice(BIG_KEYS)
            size = r.randint(*BIG_SET)
            off = self.window(size)
            v = self.lane.campaign.pattern[off:off + size]
            op = Op(kind, name, f"setenv -e {ATTRS} -i {PATTERN_ADDR + off:#x},{size:#x} {name}", data=v, nbytes=size)
        elif kind == "append-small":
            name = r.choice(APPEND_KEYS + SMALL_KEYS)
            if len(self.sim.get(name, b"")) > SMALL_LIMIT - 64:
                v = self.small_value(r.randint(5, 60))
                op = Op("set-small", name, f"setenv -e {ATTRS} {name} =H{v.hex()}", data=v, nbytes=len(v))
            else:
                v = self.small_value(r.randint(5, 48)) if r.random() < 0.8 else r.randbytes(r.randint(1, 4))
                op = Op(kind, name, f"setenv -e {ATTRS} -a {name} =H{v.hex()}", data=v, append=True,
                        nbytes=len(self.sim.get(name, b"")) + len(v))
        elif kind == "append-big":
            name = r.choice(BIG_KEYS)
            size = r.randint(256, 4096)
            current = len(self.sim.get(name, b""))
            if current + size > BIG_LIMIT:     # deliberately past the maximum: refused, nothing written
                size = self.lane.max_var - 2 * (len(name) + 1) - current + r.randint(1, 64)
            off = self.window(size)
            v = self.lane.campaign.pattern[off:off + size]
            op = Op(kind, name, f"setenv -e {ATTRS} -a -i {PATTERN_ADDR + off:#x},{size:#x} {name}", data=v,
                    append=True, nbytes=len(self.sim.get(name, b"")) + size)
        elif kind == "delete":
            name = r.choice(present)
            op = Op(kind, name, f"setenv -e {name}", delete=True)
        else:
            name = r.choice(missing)
            op = Op(kind, name, f"setenv -e {name}", delete=True)
        return self._finish(op)

    def _finish(self, op):
        status, value = expect(self.sim, op, self.lane.capacity, self.lane.max_var)
        if value is None:
            self.sim.pop(op.name, None)
        else:
            self.sim[op.name] = value
        if op.kind == "append-big" and status == "EFI_INVALID_PARAMETER":
            op.kind, op.nbytes = "append-too-big", 0
        return op


# --- parsing what the shell prints ------------------------------------------------------------

def parse_listing(text):
    """`printenv -e` output → {name: (guid line, attribute line, data)}; raises HarnessError."""
    lines = [line.rstrip("\r") for line in text.split("\n")[1:]]   # [0] is the echoed command
    out = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        if line in ("", "no variables"):
            i += 1
            continue
        if line.startswith(" ") or not line.endswith(":"):
            raise HarnessError(f"unexpected listing line {line!r}")
        name = line[:-1]
        if i + 1 < len(lines) and lines[i + 1].strip().startswith("EFI_"):
            out[name] = (lines[i + 1].strip(), "", None)
            i += 2
            continue
        if i + 2 >= len(lines):
            raise HarnessError(f"listing cut short at {name!r}")
        guid, attrs = lines[i + 1].strip(), lines[i + 2].strip()
        size = int(attrs.rsplit("DataSize = ", 1)[1], 16)
        data = bytearray()
        i += 3
        while i < len(lines) and lines[i].startswith("    ") and len(lines[i]) > 14 and lines[i][12:14] == ": ":
            if int(lines[i][4:12], 16) != len(data):
                raise HarnessError(f"hex dump of {name!r} skips at {lines[i][:14]!r}")
            data += bytes.fromhex(lines[i][14:62])
            i += 1
        if len(data) != size:
            raise HarnessError(f"{name!r}: DataSize {size:#x} but {len(data)} bytes dumped")
        out[name] = (guid, attrs.split(",")[0], bytes(data))
    return out


def parse_varinfo(text):
    for line in text.split("\n"):
        if line.startswith("NV|BS|RT: maximum storage "):
            parts = line.replace(",", "").split()
            return int(parts[3]), int(parts[5]), int(parts[9])
    raise HarnessError(f"no NV|BS|RT line in varinfo output {text!r}")


def status_of(text):
    """The EFI status a setenv printed: success prints nothing."""
    body = text.split("\n", 1)[1] if "\n" in text else ""
    marker = "## Failed to set EFI variable: "
    if marker in body:
        return body.split(marker, 1)[1].split()[0]
    if body.strip():
        return "unexpected output: " + body.strip()[:200]
    return "EFI_SUCCESS"


def describe(v):
    if v is None:
        return "absent"
    return f"{len(v)} bytes {hashlib.sha256(v).hexdigest()[:12]}"


# --- a lane: one flash image, one seeded campaign ---------------------------------------------

class Attempt:
    """The outcome of running one session of a lane in QEMU."""

    def __init__(self):
        self.violations = []
        self.stats = collections.Counter()
        self.prompts = []            # secure instruction count at each prompt, in order
        self.cut = None              # dict when the plugin cut the power
        self.focus = None            # (op index, start, end) of an op that opened or reclaimed a block
        self.recovered = False       # boot reached the shell and the listing was checked
        self.boot_cost = None
        self.costs = []              # (op, instructions, did block work)
        self.block_stores = []       # (flash store number, block) at block starts in the focus operation
        self.op_before = None        # the store before the focus operation
        self.transcript = b""
        self.resolved = []           # (kind, outcome) of in-flight operations of earlier cuts


class Lane:
    def __init__(self, campaign, index, seed, prefill, epoch):
        self.campaign, self.index = campaign, index
        self.rng = random.Random(f"powercut-{seed}-lane-{index}")
        self.dir = os.path.join(campaign.work, f"lane-{index}")
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.flash = os.path.join(self.dir, "flash0.img")
        self.ctl_path = os.path.join(self.dir, "ctl")
        self.secure_log = os.path.join(self.dir, "secure-uart.log")
        self.use_prefill, self.epoch_length = prefill, epoch
        self.model = {}
        self.pending = {}            # name → (old, new, label) of an operation not acknowledged
        self.observed = {}
        self.windows = set()
        self.serial = index << 24
        self.capacity, self.max_var = 687384, 32768      # replaced by varinfo at every boot
        self.ratio = collections.defaultdict(lambda: 100.0)   # est. instructions per byte, by kind
        self.last_boot = None
        self.stats = collections.Counter()
        self.violations = []
        self.cuts = self.recoveries = self.sessions_failed = self.sessions = self.epochs = 0
        self.epoch_cuts = 0
        self.need_recovery = False
        self.digest = hashlib.sha256()
        self.replays_checked = self.replay_mismatches = 0
        with open(self.flash, "wb") as f:
            f.write(campaign.image)
        self.new_epoch()

    def next_serial(self):
        self.serial += 1
        return self.serial

    def store(self):
        with open(self.flash, "rb") as f:
            f.seek(STORE)
            return f.read(STORE_SIZE)

    def restore(self, store):
        with open(self.flash, "r+b") as f:
            f.seek(STORE)
            f.write(store)

    def new_epoch(self):
        """A fresh store: a used log (or a blank region with --no-prefill) and its model."""
        self.epochs += 1
        self.epoch_cuts = 0
        self.pending = {}
        self.restore(self.prefill() if self.use_prefill else b"\xff" * STORE_SIZE)
        if not self.use_prefill:
            self.model = {}
        self.prefilled = set(self.model)
        self.fresh = True

    # A log as the firmware leaves it after long use: two or three blocks in use, live variables
    # among dead (obsolete) records, the newest block nearly full, the other blocks free (erased,
    # or garbage that must be erased before use). The first few sessions of an epoch therefore
    # open or reclaim a block, instead of after 768 KiB of writes at ~0.3 ms per flash word.
    def prefill(self):
        r = self.rng
        store = bytearray(b"\xff" * STORE_SIZE)
        order = r.sample(range(BLOCKS), BLOCKS)
        in_use = 3 if r.random() < 0.8 else 2
        live = {}
        for k in SMALL_KEYS[:4]:
            live[k] = struct.pack("<I", self.next_serial()) + r.randbytes(r.randint(8, 150))
        for k in BIG_KEYS[:2]:
            size = r.randint(2048, 8192)
            off = r.randrange(0, PATTERN_SIZE - size)
            self.windows.add((off, size))
            live[k] = self.campaign.pattern[off:off + size]
        placement = {3: [["S0", "B0", "S1"], ["S2", "B1"], ["S3"]],
                     2: [["S0", "B0", "S1", "S2", "B1"], ["S3"]]}[in_use]
        first = r.randint(1, 5000)
        for i, keys in enumerate(placement):
            b = order[i]
            base = b * BLOCK
            store[base:base + 32] = encode_block_header(first + i, erases=r.randint(1, 9))
            newest = i == in_use - 1
            limit = BLOCK - 56 - (r.randint(1 << 10, 24 << 10) if newest else r.randint(0, 2048))
            lives = []
            for name in keys:
                if r.random() < 0.5:       # a superseded older value, before the live one
                    lives.append(encode_record(name, struct.pack("<I", self.next_serial()) + r.randbytes(20),
                                               obsolete=True))
                lives.append(encode_record(name, live[name]))
            reserve = sum(len(x) for x in lives)
            records, used = [], 32
            while True:
                rec = encode_record("Filler", r.randbytes(r.randint(256, 8192)), obsolete=True)
                if used + len(rec) + reserve > limit:
                    break
                records.append(rec)
                used += len(rec)
            # Live records at random places among the dead ones, in their order.
            slots = sorted(r.randint(0, len(records)) for _ in lives)
            for k, rec in reversed(list(zip(slots, lives))):
                records.insert(k, rec)
            blob = b"".join(records)
            store[base + 32:base + 32 + len(blob)] = blob
        for b in order[in_use:]:
            if r.random() < 0.5:
                store[b * BLOCK:(b + 1) * BLOCK] = r.randbytes(BLOCK)
        self.model = live
        for name, value in live.items():
            self.campaign.remember(self, name, value)
        return bytes(store)

    # -- planning ---------------------------------------------------------------------------

    def estimate(self, op):
        return int(self.ratio[op.kind] * (op.nbytes + 256)) + 1

    def plan(self):
        """Where this session's cut goes (ops[0] is the probe, ops[k + 1] the k-th operation):
        boot    before a random instruction of the boot (mount and recovery), by the last boot's length
        op      before a random instruction of operation k, by an estimate of its length (may spill over)
        span    before a random instruction of the whole stream, by estimates
        exact   before a random instruction of operation k, measured by running the session once
        flash   just after a random one of operation k's stores into flash, measured the same way
        tail    just after one of the last 12 flash stores of operation k (its commit and retire)
        """
        r = self.rng
        x = r.random()
        if self.last_boot and x < 0.10:
            return ("boot", r.randint(1, self.last_boot))
        if x < 0.35:
            return ("op", r.randint(0, 3), r.random())
        if x < 0.50:
            return ("span", r.random())
        if x < 0.65:
            return ("exact", r.randint(0, 3))
        if x < 0.82:
            return ("flash", r.randint(0, 3))
        return ("tail", r.randint(0, 3))

    # -- one session ------------------------------------------------------------------------

    def session(self, number, final=False):
        """Boot (recovering from the previous cut), check the store, then run commands until the
        cut. A measured plan, or an operation that opened or reclaimed a block, makes the session
        run twice: once to measure the operation, once from the same flash bytes to cut in it."""
        self.sessions += 1
        before = self.store()
        snapshot = (dict(self.model), dict(self.pending), self.fresh)
        plan = ("none",) if final else self.plan()
        gen = Generator(self, self.rng)
        ops = [gen.probe()] + [gen.next() for _ in range(5)]
        measure = plan[1] + 1 if plan[0] in ("exact", "flash", "tail") else None
        a = self.attempt(plan, ops, gen, focus=not final, measure=measure)
        if a.focus is not None:
            j, i0, i1, s0, s1, why = a.focus
            self.restore(before)
            self.model, self.pending, self.fresh = dict(snapshot[0]), dict(snapshot[1]), snapshot[2]
            r = self.rng
            insn = store = 0
            window = self.block_window(a, why, s0, s1) if why in ("open", "reclaim") else None
            aimed = bool(window) and window[0] <= window[1] and r.random() < 0.5
            if aimed:
                store = r.randint(*window)
            elif why == "tail" and s1 > s0:
                store = s1 - r.randint(0, min(11, s1 - s0 - 1))
            elif (why == "flash" or (why in ("open", "reclaim") and r.random() < 0.5)) and s1 > s0:
                store = r.randint(s0 + 1, s1)
            else:
                insn = r.randint(i0 + 1, i1)
            plan = ("replay", insn, store, j, why + (" aimed at " + ("mark and erase" if why == "reclaim"
                                                                      else "erase and header") if aimed else ""))
            self.stats[f"sessions replayed to cut inside a measured operation ({why})"] += 1
            a = self.attempt(plan, ops[:j + 1], gen, focus=False, replay=a.prompts)
            if a.cut is None and not a.violations:
                a.violations.append(f"harness: the replay did not cut at {plan}")
        if a.cut and plan[0] == "replay" and plan[4].startswith("reclaim"):
            a.cut["reclaim"] = reclaim_phase(a.cut["before op"], self.store())
        self.commit(a, number, plan, ops, before)
        return a

    def block_window(self, a, why, s0, s1):
        """Flash stores around the critical step of a block operation measured in the first run:
        for a reclaim, the reclaim mark's program and commit and the erase of the reclaimed
        (oldest) block; for an open, the new block's erase and header."""
        if why == "reclaim":
            valid = [(seq, b) for b, seq in enumerate(store_summary(a.op_before)) if seq is not None]
            if not valid:
                return None
            h = min(valid)[1]
            first = next((c for c, b in a.block_stores if b == h), None)
            lo, hi = (first - 48, first + 2) if first else (None, None)
        else:
            first = a.block_stores[0][0] if a.block_stores else None
            lo, hi = (first - 1, first + 26) if first else (None, None)
        if first is None:
            return None
        return max(s0 + 1, lo), min(s1, hi)

    def attempt(self, plan, ops, gen, focus, measure=None, replay=None):
        a = Attempt()
        if plan[0] == "boot":
            q = Qemu(self, plan[1])
        elif plan[0] == "replay":
            q = Qemu(self, plan[1], plan[2])
        else:
            q = Qemu(self)
        try:
            self._run(q, a, plan, ops, gen, focus, measure, replay)
        finally:
            q.close()
            a.transcript = bytes(q.transcript)
        return a

    def _prompt(self, q, a, what, timeout, replay):
        status, text = q.until_prompt(timeout)
        if status == "prompt":
            c = (q.count(), q.stores())
            a.prompts.append(c)
            n = len(a.prompts)
            if replay is not None and n <= len(replay):
                self.replays_checked += 1
                if replay[n - 1] != c:
                    self.replay_mismatches += 1
                    a.violations.append(f"nondeterministic: prompt {n} ({what}) after {c} secure instructions "
                                        f"and flash stores, first run {replay[n - 1]}")
            return "prompt", text
        if status == "timeout":
            q.kill()
            a.violations.append(f"{what}: no prompt within {timeout} s (hang); console ends "
                                f"{bytes(q.transcript[-300:])!r}")
            return "lost", text
        cut = q.cut()
        if cut is None:
            a.violations.append(f"{what}: QEMU exited ({q.proc.returncode}) without a power cut; console ends "
                                f"{bytes(q.transcript[-300:])!r}")
            return "lost", text
        a.cut = dict(pc=cut[0], count=cut[1], how=cut[2], phase=what, stores=q.stores())
        return "cut", text

    def _run(self, q, a, plan, ops, gen, focus, measure, replay):
        status, text = self._prompt(q, a, "boot", BOOT_TIMEOUT, replay)
        if status != "prompt":
            return
        a.boot_cost = q.count()
        secure = open(self.secure_log, "r", errors="replace").read() if os.path.exists(self.secure_log) else ""
        # Under TF-A (--flash build/tfa/flash.bin) the partition logs on TF-A's console.
        if "mm: variable store mounted from flash" not in secure and \
                b"mm: variable store mounted from flash" not in bytes(q.transcript):
            a.violations.append("the MM partition did not mount the store: " + secure[-300:])
        # The recovered store: listing and values against the model, then the space figures.
        q.send("printenv -e")
        status, text = self._prompt(q, a, "verify", COMMAND_TIMEOUT, replay)
        if status != "prompt":
            return
        self.check_listing(a, text)
        q.send("varinfo")
        status, text = self._prompt(q, a, "verify", COMMAND_TIMEOUT, replay)
        if status != "prompt":
            return
        self.check_varinfo(a, text)
        a.recovered = True
        if plan[0] == "span":
            total = sum(self.estimate(op) for op in ops[1:])
            q.arm(q.count() + 1 + int(plan[1] * total))
        j = 0
        store_now = self.store()
        while True:
            if j == len(ops):
                if plan[0] == "none":
                    q.send("poweroff")
                    q.wait_exit(60)
                    return
                if len(ops) > 400:
                    a.violations.append("harness: no cut after 400 operations")
                    return
                ops.append(gen.next())
            op = ops[j]
            if plan[0] == "op" and j == plan[1] + 1:
                q.arm(q.count() + 1 + int(plan[2] * self.estimate(op)))
            before_store = store_now
            start, s0 = q.count(), q.stores()
            q.send(op.line)
            status, text = self._prompt(q, a, op.kind, COMMAND_TIMEOUT, replay)
            if status == "lost":
                return
            if status == "cut":
                self.in_flight(a, op, before_store, s0)
                return
            end, s1 = q.count(), q.stores()
            store_now = self.store()
            work = block_work(before_store, store_now)
            blocks_changed = work is not None
            if store_now != before_store and s1 == s0:
                a.violations.append("harness: flash changed but the plugin counted no flash store (has the "
                                    "MM partition's mapping of the store moved?)")
            a.costs.append((op, end - start, blocks_changed))
            a.stats["operations acknowledged"] += 1
            if blocks_changed:
                a.stats[f"operations acknowledged that did block work: {work}"] += 1
            self.acknowledge(a, op, status_of(text))
            if plan[0] == "none":
                j = len(ops)            # the final session only proves that a new set works
                continue
            if blocks_changed and focus:
                a.focus = (j, start, end, s0, s1, work)
                a.block_stores = [(c, b) for c, b in q.block_stores() if s0 < c <= s1]
                a.op_before = before_store
                return
            if measure == j:
                a.focus = (j, start, end, s0, s1, plan[0])
                return
            j += 1

    # -- the checks -------------------------------------------------------------------------

    def acknowledge(self, a, op, status):
        want, value = expect(self.model, op, self.capacity, self.max_var)
        if status != want:
            what = "a new set after recovery failed" if op.kind == "probe" else "unexpected status"
            a.violations.append(f"{op.name}: {what}: {op!r} returned {status}, expected {want}")
            # Whatever the store did, the next recovery shows it: accept either outcome there.
            self.pending[op.name] = (self.model.get(op.name), effect(self.model, op), "unexpected status")
            return
        if value is None:
            self.model.pop(op.name, None)
        else:
            self.model[op.name] = value
            self.campaign.remember(self, op.name, value)

    def in_flight(self, a, op, before_store, s0):
        old = self.model.get(op.name)
        _, new = expect(self.model, op, self.capacity, self.max_var)
        self.pending[op.name] = (old, new, op.kind)
        if new is not None:
            self.campaign.remember(self, op.name, new)
        after = self.store()
        if after == before_store:
            effect_ = "flash untouched"
        elif any(after[b * BLOCK:b * BLOCK + 32] != before_store[b * BLOCK:b * BLOCK + 32] for b in range(BLOCKS)):
            effect_ = "block header changed (block opened, reclaimed or being erased)"
        else:
            words = sum(1 for i in range(0, STORE_SIZE, 4) if after[i:i + 4] != before_store[i:i + 4])
            effect_ = "only state words changed (commit or obsolete)" if words <= 2 else \
                "records partly or wholly programmed"
        a.cut["effect"] = effect_
        a.cut["op stores"] = a.cut["stores"] - s0
        a.cut["before op"] = before_store

    def check_listing(self, a, text):
        self.observed = {}
        try:
            listing = parse_listing(text)
        except HarnessError as e:
            a.violations.append(f"listing unreadable: {e}")
            return
        observed = {}
        for name, (guid, attrs, data) in listing.items():
            if data is None:
                a.violations.append(f"{name}: listed by GetNextVariableName but GetVariable says {guid}")
                continue
            if name in SERVED:
                if GLOBAL_GUID not in guid or attrs != "BS|RT" or len(data) != 1:
                    a.violations.append(f"{name}: served variable with {guid} / {attrs} / {describe(data)}")
                continue
            if GLOBAL_GUID not in guid or attrs != "NV|BS|RT":
                a.violations.append(f"{name}: unexpected GUID or attributes: {guid} / {attrs}")
            observed[name] = data
        for name in sorted(set(self.model) | set(self.pending) | set(observed)):
            got = observed.get(name)
            if name in self.pending:
                old, new, label = self.pending[name]
                if got not in (old, new):
                    a.violations.append(f"{name}: in flight at the cut ({label}) but now holds {describe(got)}, "
                                        f"neither old ({describe(old)}) nor new ({describe(new)})")
                    outcome = "violation"
                elif old == new:
                    outcome = "operation changes nothing"
                else:
                    outcome = "old value" if got == old else "new value"
                a.resolved.append((label, outcome))
                continue
            want = self.model.get(name)
            if got != want:
                if want is None:
                    why = "present though never written or deleted"
                elif got is None:
                    why = "acknowledged variable missing"
                elif self.campaign.written_before(self, name, got):
                    why = "holds an older value, not the acknowledged one"
                else:
                    why = "holds a value never written"
                a.violations.append(f"{name}: {why}: expected {describe(want)}, found {describe(got)}")
        if self.fresh and self.prefilled and not (self.prefilled & set(observed)):
            a.violations.append("harness: the firmware did not recognise the prefilled log (has the format of "
                                "docs/variable-store.md changed? --no-prefill starts from a blank store)")
        self.fresh = False
        # From here on the listing is the truth (it was just checked against the model).
        self.observed = observed
        self.model = dict(observed)
        self.pending = {}

    def check_varinfo(self, a, text):
        try:
            maximum, remaining, max_var = parse_varinfo(text)
        except HarnessError as e:
            a.violations.append(str(e))
            return
        self.capacity, self.max_var = maximum, max_var
        used = sum(footprint(k, len(v)) for k, v in self.observed.items())
        if remaining != maximum - used:
            a.violations.append(f"varinfo: remaining {remaining}, but maximum {maximum} less the footprints "
                                f"of the listed variables is {maximum - used}")

    def commit(self, a, number, plan, ops, before):
        """Adopts a session's outcome into the lane's figures."""
        if a.recovered and self.need_recovery:
            self.recoveries += 1
            self.need_recovery = False
        for label, outcome in a.resolved:
            self.stats[f"in flight at a cut, after recovery: {outcome}"] += 1
        for op, cost, blocks in a.costs:
            if not blocks and op.nbytes:
                self.ratio[op.kind] = 0.7 * self.ratio[op.kind] + 0.3 * cost / (op.nbytes + 256)
        if a.boot_cost:
            self.last_boot = a.boot_cost
        self.stats.update(a.stats)
        if a.cut:
            self.cuts += 1
            self.epoch_cuts += 1
            if self.need_recovery:
                self.stats["cuts during a recovery (before its check finished)"] += 1
            self.need_recovery = True
            self.stats[f"cut during: {a.cut['phase']}"] += 1
            self.stats[f"cut placed by plan: {plan[0] if plan[0] != 'replay' else 'replay/' + plan[4]}"] += 1
            self.stats[f"cut {a.cut['how']}"] += 1
            if "effect" in a.cut:
                self.stats[f"flash at the cut: {a.cut['effect']}"] += 1
            if "reclaim" in a.cut:
                self.stats[f"cut inside a reclaim: {a.cut['reclaim']}"] += 1
            self.digest.update(struct.pack("<QQQ", a.cut["count"], a.cut["pc"], a.cut["stores"]) +
                               hashlib.sha256(self.store()).digest())
        if a.violations:
            self.sessions_failed += 1
            for v in a.violations:
                self.violations.append((self.index, number, v))
                log(f"  VIOLATION lane {self.index} session {number}: {v}")
            self.save(number, a, plan, ops, before)

    def save(self, number, a, plan, ops, before):
        d = os.path.join(self.dir, f"violation-{number}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "store-before.bin"), "wb") as f:
            f.write(before)
        with open(os.path.join(d, "store-after.bin"), "wb") as f:
            f.write(self.store())
        with open(os.path.join(d, "console.txt"), "wb") as f:
            f.write(a.transcript)
        with open(os.path.join(d, "session.txt"), "w") as f:
            f.write(f"plan {plan}\ncut { {k: v for k, v in (a.cut or {}).items() if k != 'before op'} }\n" + "\n".join(repr(op) for op in ops) + "\n" +
                    "\n".join(a.violations) + "\n")


class Campaign:
    def __init__(self, args):
        src = args.flash or os.path.join(BUILD, "flash0.img")
        if not os.path.exists(src):
            raise HarnessError(f"{src} is missing: run `make` (or `make tfa`) first")
        with open(src, "rb") as f:
            self.image = f.read()
        if len(self.image) != FLASH_SIZE:
            raise HarnessError(f"{src} is {len(self.image)} bytes, not 64 MiB")
        # The firmware under test (the image less its variable store): cut points depend on it.
        self.firmware = hashlib.sha256(self.image[:STORE]).hexdigest()[:16]
        self.work = os.path.abspath(args.work)
        os.makedirs(self.work, exist_ok=True)
        self.plugin = build_plugin()
        self.pattern_path, self.pattern = make_pattern()
        self.args = args
        self.written = collections.defaultdict(set)
        self.lock = threading.Lock()

    def remember(self, lane, name, value):
        if value is not None:
            with self.lock:
                self.written[(lane.index, name)].add(hashlib.sha256(value).digest())

    def written_before(self, lane, name, value):
        """Whether `value` was ever written to `name` in this lane (to word a violation)."""
        with self.lock:
            return hashlib.sha256(value).digest() in self.written[(lane.index, name)]


# --- the campaign ----------------------------------------------------------------------------

def run_lane(lane, cuts, progress):
    number = 0
    while lane.cuts < cuts:
        if lane.epoch_cuts >= lane.epoch_length:
            number += 1
            lane.session(number, final=True)      # the epoch's last cut's recovery
            lane.new_epoch()
        number += 1
        seen = lane.cuts
        a = lane.session(number)
        if not a.cut:
            lane.stats["sessions without a cut"] += 1
        if number > 3 * cuts + 10:
            lane.violations.append((lane.index, number, "harness: sessions end without cuts"))
            lane.sessions_failed += 1
            break
        if lane.cuts != seen:
            progress(lane)
    number += 1
    lane.session(number, final=True)          # the last cut's recovery
    progress(lane, final=True)


def campaign_main(args):
    start = time.monotonic()
    c = Campaign(args)
    lanes = [Lane(c, i, args.seed, not args.no_prefill, args.epoch) for i in range(args.lanes)]
    share = [args.cuts // args.lanes + (1 if i < args.cuts % args.lanes else 0) for i in range(args.lanes)]
    log(f"powercut: seed {args.seed}, {args.cuts} cuts in {args.lanes} lane(s), {args.jobs} at a time; "
        f"firmware {c.firmware}; work in {os.path.relpath(c.work, ROOT)}")
    lock = threading.Lock()

    def progress(lane, final=False):
        with lock:
            if final or lane.cuts % max(1, args.report_every) == 0:
                log(f"  lane {lane.index}: {lane.cuts}/{share[lane.index]} cuts, {lane.recoveries} recoveries, "
                    f"{len(lane.violations)} violations, {time.monotonic() - start:.0f} s")

    errors = []

    def worker(queue):
        while True:
            with lock:
                if not queue:
                    return
                lane = queue.pop(0)
            try:
                run_lane(lane, share[lane.index], progress)
            except Exception as e:  # noqa: BLE001
                import traceback
                errors.append(f"lane {lane.index}: {e!r}\n{traceback.format_exc()}")

    queue = list(lanes)
    threads = [threading.Thread(target=worker, args=(queue,)) for _ in range(max(1, args.jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lanes, errors, time.monotonic() - start


def report(lanes, errors, seconds, args):
    cuts = sum(l.cuts for l in lanes)
    recoveries = sum(l.recoveries for l in lanes)
    violations = sum(len(l.violations) for l in lanes)
    stats = collections.Counter()
    for l in lanes:
        stats.update(l.stats)
    checked = sum(l.replays_checked for l in lanes)
    mismatches = sum(l.replay_mismatches for l in lanes)
    digest = hashlib.sha256(b"".join(l.digest.digest() for l in lanes)).hexdigest()[:16]
    log(f"cuts {cuts}, recoveries {recoveries}, violations {violations}")
    for key in sorted(stats):
        log(f"  {key}: {stats[key]}")
    log(f"  replayed prompts matching the first run's instruction count: {checked - mismatches}/{checked}")
    log(f"  campaign digest {digest} (same firmware, seed and options → same digest); {seconds:.0f} s")
    for e in errors:
        log(f"  HARNESS ERROR {e}")
    failed = sum(l.sessions_failed for l in lanes) + len(errors)
    passed = max(0, cuts - sum(l.sessions_failed for l in lanes))
    return passed, failed


# --- self-test: a checker that cannot fail proves nothing ------------------------------------

def self_test(args):
    """Runs a short campaign, and between sessions breaks the store or the model in ways a
    broken firmware would; each must be reported as a violation naming the damaged variable."""
    start = time.monotonic()
    c = Campaign(args)
    lane = Lane(c, 0, args.seed, True, 1 << 30)
    log(f"powercut self-test: seed {args.seed}")

    def newest(store, name, live=True):
        found = None
        for rec in records_by_age(store):
            if rec["kind"] == 1 and rec["name"] == name and rec["commit"] != 0xFFFFFFFF:
                if (rec["obsolete"] == 0xFFFFFFFF) == live:
                    found = rec
        return found

    def patch(offset, data):
        with open(lane.flash, "r+b") as f:
            f.seek(STORE + offset)
            f.write(data)

    def live_name(avoid=()):
        names = [k for k in sorted(lane.model) if k not in avoid and k not in lane.pending]
        return lane.rng.choice(names) if names else None

    # Each fault: (description, function returning the variable it damaged, or None if n/a).
    def model_changed_value():
        n = live_name()
        if n is None:
            return None
        lane.model[n] = lane.model[n] + b"\x00never-written"
        return n

    def model_forgot_delete():
        n = "Ghost0"
        lane.model[n] = b"a value the store never held"
        return n

    def model_forgot_create():
        n = live_name()
        if n is None:
            return None
        del lane.model[n]
        return n

    def flash_uncommit_newest():
        store = lane.store()
        n = live_name()
        if n is None:
            return None
        patch(newest(store, n)["offset"], b"\xff\xff\xff\xff")
        return n

    def flash_corrupt_data():
        store = lane.store()
        n = live_name()
        rec = newest(store, n) if n is not None else None
        if rec is None or rec["size"] == 0:
            return None
        at = rec["data_offset"] + rec["size"] // 2
        patch(at, bytes([store[at] ^ 0x01]))
        return n

    def flash_resurrect_deleted():
        store = lane.store()
        for rec in reversed(records_by_age(store)):
            if rec["kind"] == 1 and rec["obsolete"] != 0xFFFFFFFF and rec["commit"] != 0xFFFFFFFF \
                    and rec["name"] not in lane.model and rec["name"] not in lane.pending:
                patch(rec["offset"] + 4, b"\xff\xff\xff\xff")
                return rec["name"]
        return None

    def model_in_flight_elsewhere():
        # The in-flight variable of the last cut: pretend neither its old nor its new value is right.
        for name, (old, new, label) in sorted(lane.pending.items()):
            lane.pending[name] = ((old or b"") + b"\x01", (new or b"") + b"\x02", label)
            return name
        return None

    faults = [("model: acknowledged value changed", model_changed_value),
              ("model: a deleted variable kept", model_forgot_delete),
              ("model: a created variable forgotten", model_forgot_create),
              ("flash: newest committed record of a variable un-committed", flash_uncommit_newest),
              ("flash: one data bit of a live record flipped", flash_corrupt_data),
              ("flash: a deleted variable's record made current again", flash_resurrect_deleted),
              ("model: in-flight variable's old and new values both wrong", model_in_flight_elsewhere)]
    detected = missed = 0
    number = 0
    # A clean session first, so there is something to damage.
    for _ in range(2):
        number += 1
        lane.session(number)
    checks = set()
    for label, fault in faults:
        if fault is model_in_flight_elsewhere:
            for _ in range(8):                     # a cut that leaves an operation in flight
                if lane.pending:
                    break
                number += 1
                lane.session(number)
        elif lane.pending:
            number += 1
            lane.session(number, final=True)       # resolve in-flight values before damaging
        name = fault()
        if name is None:
            missed += 1
            log(f"  MISSED {label}: nothing suitable to damage in this store")
            continue
        before = len(lane.violations)
        number += 1
        lane.session(number, final=True)           # boot, check, no cut
        checks.add(number)
        number += 1
        hits = [v for (_, n, v) in lane.violations[before:] if v.startswith(name + ":") and n == number - 1]
        lane.session(number)                       # and on with the cuts
        if hits:
            detected += 1
            log(f"  CAUGHT {label} ({name}): {hits[0]}")
        else:
            missed += 1
            log(f"  MISSED {label} ({name})")
    # Everywhere else the store is intact: no violation may appear there.
    stray = [(n, v) for (_, n, v) in lane.violations if n not in checks]
    for n, v in stray:
        log(f"  UNEXPECTED violation in session {n} (no fault injected before it): {v}")
    missed += len(stray)
    log(f"self-test: {detected} faults injected and caught, {missed} missed; cuts {lane.cuts}; "
        f"{time.monotonic() - start:.0f} s")
    return detected, missed


# --- entry points ----------------------------------------------------------------------------

def parse(argv):
    p = argparse.ArgumentParser(prog="powercut.py", description=__doc__.split("\n")[0])
    p.add_argument("--cuts", type=int, default=100, help="power cuts in all (default 100)")
    p.add_argument("--seed", type=int, default=1, help="campaign seed (default 1)")
    p.add_argument("--flash", help="the flash image to cut (default build/flash0.img; build/tfa/flash.bin: "
                   "the partition under TF-A's EL3 SPMC, docs/tfa.md)")
    p.add_argument("--lanes", type=int, default=2,
                   help="independent flash images the cuts are shared among (default 2); results depend "
                        "on seed, cuts and lanes only")
    p.add_argument("--jobs", type=int, default=None, help="lanes run at once (default: min(lanes, CPUs))")
    p.add_argument("--no-prefill", action="store_true", help="start from a blank store instead of a used log")
    p.add_argument("--epoch", type=int, default=6,
                   help="cuts after which a lane checks its store one last time and starts over from a "
                        "fresh used log (default 6)")
    p.add_argument("--self-test", action="store_true", help="inject store and model faults; each must be caught")
    p.add_argument("--work", default=WORK, help="folder for the lanes' flash images and any violation "
                   "evidence (default build/powercut; give campaigns that run at once their own)")
    p.add_argument("--report-every", type=int, default=25, help="progress line every N cuts of a lane")
    args = p.parse_args(argv)
    if args.jobs is None:
        args.jobs = min(args.lanes, os.cpu_count() or 1)
    if args.cuts < 0 or args.lanes < 1:
        p.error("--cuts ≥ 0 and --lanes ≥ 1")
    return args


def main(argv):
    """Runs the campaign (or the self-test); returns (passed, failed) and prints the summary."""
    args = parse(list(argv[1:]))
    try:
        if args.self_test:
            passed, failed = self_test(args)
        else:
            lanes, errors, seconds = campaign_main(args)
            passed, failed = report(lanes, errors, seconds, args)
    except HarnessError as e:
        log(f"powercut: {e}")
        passed, failed = 0, 1
    log(f"powercut: {passed} passed, {failed} failed")
    return passed, failed


if __name__ == "__main__":
    _, f = main(sys.argv)
    sys.exit(1 if f else 0)
