#!/usr/bin/env python3
"""Check that no code reads a packed string literal with an access wider than a byte.

Usage:
    tools/check_string_loads.py [--section=NAME]... OBJECT.o
    tools/check_string_loads.py --self-test

OBJECT.o is an image's LTO object (ld.lld --lto-obj-path), relocatable, one function a section.
The link then packs the string sections named by --section (the Makefile sets them to byte
alignment with llvm-objcopy), so a string no longer starts where LLVM believed: 16 or 4 bytes
aligned, the preferred alignment of a constant array that has none of its own. A 2-, 4-, 8- or
16-byte access that LLVM emitted because it counted on that alignment (a strict-alignment
module does so only where it can prove the alignment) would then be unaligned, and with the MMU
off (Device memory) that faults on silicon. The monitor prints with its MMU off, so before its
strings are packed every access to them must be shown to be a byte access.

The check follows every address the code forms into a packed string section (ADRP + ADD with
an R_AARCH64_*_LO12 relocation naming one; a load or store relocated against one directly must
be a byte access) through moves, selects and added offsets, the stack slots it is spilled to,
calls (a string passed in x0-x7 is followed into the callee; one returned in x0-x7 back into
the caller unless the callee's Swift type returns nothing) and tail calls, over each
function's control flow to a fixed point (a jump table's targets read from its table; an
indirect branch of another form is taken to reach every instruction). It fails on:
  * a load or store wider than a byte whose address is derived from a string;
  * a string address stored anywhere but the stack, passed to an indirect call, or passed to a
    function outside the object other than the reviewed assembly helpers (SAFE_EXTERNAL:
    Startup/string.S aligns its own accesses whatever the source's alignment);
  * a data relocation (a pointer in a table) naming a packed string section.
Exit status: 0 (one summary line), 1 violations (each listed), 2 the object could not be read.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

PACKED = (".rodata.str1.16", ".rodata.str1.4")
# Startup/string.S: byte accesses until the destination is aligned, then aligned words only
# (a misaligned source is read as aligned words and shifted): safe for any source alignment.
SAFE_EXTERNAL = {"memcpy", "memmove", "memcmp", "memset"}
# The Swift runtime's entry points an image links (Platform): each takes the object in x0 only,
# so what else x1-x7 happen to hold is no argument of theirs.
ONE_ARGUMENT = {".text.swift_release", ".text.swift_retain"}
ARGS = [f"x{i}" for i in range(8)]
CALLER_SAVED = [f"x{i}" for i in range(18)] + ["x30"]
BYTE_ACCESS = re.compile(r"^(ldrb|ldrsb|ldurb|ldursb|strb|sturb|ldarb|stlrb|ldaxrb|ldxrb|stxrb|stlxrb|prfm|prfum)$")
ACCESS = re.compile(r"^(ld|st)[a-z]*$")
NO_DEST = re.compile(r"^(cmp|cmn|tst|ccmp|ccmn|fcmp|msr|dmb|dsb|isb|nop|hint|svc|smc|hvc|eret|"
                     r"sys|at|tlbi|dc|ic|bti|yield|wfe|wfi|sev|sevl|brk|hlt|udf|clrex|ret|b|bl|br|blr|"
                     r"cbz|cbnz|tbz|tbnz|b\.[a-z]+|bc\.[a-z]+|paciasp|autiasp|xpaclri|csdb|ssbb|sb)$")
REG = re.compile(r"\b([xw])([0-9]|[12][0-9]|30)\b|\bsp\b|\bwsp\b")


class CheckError(Exception):
    pass


def tool(name):
    found = shutil.which(name) or os.path.join(os.environ.get("SWIFT_BIN", ""), name)
    if not os.access(found, os.X_OK):
        raise CheckError(f"{name} not found")
    return found


def run(cmd, lines=None):
    done = subprocess.run(cmd, capture_output=True, text=True,
                          input=None if lines is None else "\n".join(lines) + "\n")
    if done.returncode != 0:
        raise CheckError(f"{' '.join(cmd)} failed:\n{done.stderr.strip()}")
    return done.stdout


def regs(text):
    """Registers named in an operand string, w and x folded to x, sp as 'sp'."""
    out = []
    for m in REG.finditer(text):
        out.append("sp" if m.group(0) in ("sp", "wsp") else "x" + m.group(2))
    return out


def elf_sections(path):
    """{name: bytes} of an ELF64 little-endian object's sections."""
    import struct
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise CheckError(f"{path}: not an ELF64 little-endian object")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + k * shentsize) for k in range(shnum)]
    names = headers[shstrndx]
    out = {}
    for h in headers:
        name = data[names[4] + h[0]:data.index(b"\0", names[4] + h[0])].decode()
        out[name] = data[h[4]:h[4] + h[5]] if h[1] != 8 else b""
    return out


class Insn:
    def __init__(self, addr, mnem, ops):
        self.addr, self.mnem, self.ops, self.relocs = addr, mnem, ops, []


def parse(dis):
    """{section: [Insn]} from `llvm-objdump -dr --no-show-raw-insn`."""
    funcs, cur = {}, None
    for line in dis.splitlines():
        m = re.match(r"^Disassembly of section (\S+):", line)
        if m:
            cur = funcs.setdefault(m.group(1), [])
            continue
        m = re.match(r"^\s+([0-9a-f]+):\s+(R_AARCH64_\w+)\s+(\S+)", line)
        if m and cur is not None and cur:
            cur[-1].relocs.append((m.group(2), m.group(3)))
            continue
        m = re.match(r"^\s+([0-9a-f]+):\s+\t(\S+)\s*\t?(.*)$", line)
        if m and cur is not None:
            cur.append(Insn(int(m.group(1), 16), m.group(2), m.group(3).strip()))
    return funcs


def packed(sym):
    return any(sym == s or sym.startswith(s + "+") or sym.startswith(s + "-") for s in PACKED)


def mem_operand(ops):
    """(base register, immediate offset or None for a register offset, writeback, post-index
    immediate or None) of a [..] operand, or None."""
    m = re.search(r"\[([^\]]*)\](!?)(?:,\s*#(-?(?:0x)?[0-9a-f]+))?", ops)
    if not m:
        return None
    inner = [p.strip() for p in m.group(1).split(",")]
    base = regs(inner[0])[0]
    imm = 0
    if len(inner) > 1 and inner[1].startswith("#"):
        imm = int(inner[1][1:], 0)
    elif len(inner) > 1:
        imm = None          # register offset
    return base, imm, bool(m.group(2)) or m.group(3) is not None, m.group(3)


def access_width(mnem, ops):
    if BYTE_ACCESS.match(mnem):
        return 1
    if mnem.endswith("h"):
        return 2
    data = ops.split("[")[0].strip()
    return {"w": 4, "x": 8, "q": 16, "d": 8, "s": 4, "h": 2, "b": 1}.get(data[:1], 8)


class Checker:
    def __init__(self, funcs, symbols, sections, returns):
        self.funcs, self.symbols, self.sections, self.returns = funcs, symbols, sections, returns
        # Where tables start in each data section (any LO12 relocation naming it): a jump
        # table ends where the next one starts, or at its section's end.
        self.starts = {}
        for insns in funcs.values():
            for i in insns:
                for (t, sym) in i.relocs:
                    if "LO12" in t:
                        name, _, off = sym.partition("+")
                        self.starts.setdefault(name, set()).add(int(off, 16) if off else 0)
        self.summaries = {}     # (section, frozenset entry taint) -> frozenset returned taint
        self.active = set()
        self.violations = []

    def target_section(self, sym):
        base = sym.split("+")[0]
        if base in self.funcs:
            return base
        return self.symbols.get(base)

    def analyse(self, sec, entry):
        key = (sec, entry)
        if key in self.summaries:
            return self.summaries[key]
        if key in self.active:      # recursion (none in the monitor): taken to return no string
            return frozenset()
        self.active.add(key)
        insns = self.funcs[sec]
        index = {i.addr: n for n, i in enumerate(insns)}
        state_in = [None] * len(insns)
        state_in[0] = (frozenset(entry), 0)
        work, returned = [0], set()
        while work:
            n = work.pop()
            taint, spd = state_in[n]
            taint = set(taint)
            insn = insns[n]
            succ, spd = self.step(sec, insn, taint, spd, returned)
            if succ == "next":
                succ = [n + 1]
            elif succ == "all":     # an indirect branch: its jump table's targets
                succ = self.jump_targets(insns, n)
                succ = [index[a] for a in succ if a in index] if succ is not None else list(range(1, len(insns)))
            else:
                succ = [index[a] if a in index else None for a in succ]
                succ = [s for s in succ if s is not None]
            for s in succ:
                if s >= len(insns):
                    continue
                new = (frozenset(taint), spd)
                old = state_in[s]
                if old is None:
                    state_in[s] = new
                    work.append(s)
                else:
                    sp = old[1] if old[1] == new[1] else None
                    merged = (old[0] | new[0], sp)
                    if merged != old:
                        state_in[s] = merged
                        work.append(s)
        self.active.discard(key)
        result = frozenset(r for r in returned if r in ARGS) if self.returns.get(sec, True) else frozenset()
        self.summaries[key] = result
        return result

    def jump_targets(self, insns, n):
        """The targets of the jump table `br` insns[n] dispatches through, or None when the
        code before it is not one of LLVM's two forms: `adr xB, #k; ldrb/ldrh wE, [xT, ...];
        add xB, xB, xE, lsl #2; br xB` (entries are instruction counts from the adr's target)
        and `adr xB, #0; ldrsw xE, [xT, ...]; add xB, xB, xE; br xB` (bytes from the adr)."""
        b = regs(insns[n].ops)[0]
        back = insns[max(0, n - 10):n]
        add = next((i for i in reversed(back) if i.mnem == "add" and regs(i.ops)[:2] == [b, b]), None)
        adr = next((i for i in reversed(back) if i.mnem == "adr" and regs(i.ops)[0] == b), None)
        if add is None or adr is None:
            return None
        e = regs(add.ops)[2]
        load = next((i for i in reversed(back) if i.mnem in ("ldrb", "ldrh", "ldrsw") and regs(i.ops)[0] == e), None)
        if load is None:
            return None
        t = mem_operand(load.ops)[0]
        k = insns.index(load)
        define = next((i for i in reversed(insns[:k]) if regs(i.ops)[:1] == [t] and not NO_DEST.match(i.mnem)
                       and not i.mnem.startswith("st")), None)
        if define is None or define.mnem != "add" or not define.relocs:
            return None
        name, _, off = define.relocs[-1][1].partition("+")
        off = int(off, 16) if off else 0
        data = self.sections.get(name)
        if data is None:
            return None
        end = min([s for s in self.starts.get(name, ()) if s > off] + [len(data)])
        size = {"ldrb": 1, "ldrh": 2, "ldrsw": 4}[load.mnem]
        base = adr.addr + int(adr.ops.split("#")[1], 0)
        targets = []
        for p in range(off, end - size + 1, size):
            v = int.from_bytes(data[p:p + size], "little", signed=(size == 4))
            targets.append(base + (v if size == 4 else 4 * v))
        return targets

    def flag(self, sec, insn, what):
        v = f"{sec} +0x{insn.addr:x}: {insn.mnem} {insn.ops}: {what}"
        if v not in self.violations:
            self.violations.append(v)

    def step(self, sec, insn, taint, spd, returned):
        """Applies insn to taint (a set of registers and 'sp@<offset>' slots); returns the
        successors ('next', 'all' or a list of addresses) and the new sp delta."""
        mnem, ops = insn.mnem, insn.ops
        strings = [s for (t, s) in insn.relocs if packed(s)]
        for (t, s) in insn.relocs:
            if packed(s) and "LDST" in t and not t.startswith("R_AARCH64_LDST8"):
                self.flag(sec, insn, f"{t} against {s}")
        # Branches and calls.
        if mnem in ("bl", "b") and insn.relocs:
            callee = insn.relocs[0][1]
            args = frozenset(r for r in taint if r in ARGS)
            target = self.target_section(callee)
            ret = frozenset()
            if target is None:
                if args and callee.split("+")[0] not in SAFE_EXTERNAL:
                    self.flag(sec, insn, f"string address passed to {callee}, not analysed")
            else:
                if target in ONE_ARGUMENT:
                    args = args & {"x0"}
                ret = self.analyse(target, args)
            if mnem == "b":         # tail call
                returned.update(ret)
                return [], spd
            for r in CALLER_SAVED:
                taint.discard(r)
            taint.update(ret)
            return "next", spd
        if mnem == "blr":
            if any(r in ARGS for r in taint):
                self.flag(sec, insn, "string address passed to an indirect call")
            for r in CALLER_SAVED:
                taint.discard(r)
            return "next", spd
        if mnem == "ret":
            returned.update(r for r in taint if not r.startswith("sp@"))
            return [], spd
        if mnem == "br":
            if any(r in ARGS for r in taint) and insn.relocs:
                self.flag(sec, insn, "string address passed through an indirect tail call")
            return "all", spd
        if mnem == "b":
            return [int(ops.split()[0], 16)], spd
        if re.match(r"^b\.|^bc\.", mnem):
            return [insn.addr + 4, int(ops.split()[0], 16)], spd
        if mnem in ("cbz", "cbnz"):
            return [insn.addr + 4, int(ops.split(",")[1].split()[0], 16)], spd
        if mnem in ("tbz", "tbnz"):
            return [insn.addr + 4, int(ops.split(",")[2].split()[0], 16)], spd
        # Memory accesses.
        mem = mem_operand(ops) if ACCESS.match(mnem) and "[" in ops else None
        if mem:
            base, imm, wb, post = mem
            width = access_width(mnem, ops)
            data = regs(ops.split("[")[0])
            if base in taint and width > 1:
                self.flag(sec, insn, f"{width}-byte access through a string address")
            pair = mnem.startswith(("ldp", "stp", "ldnp", "stnp", "ldaxp", "ldxp", "stxp", "stlxp"))
            size = 8 if any(o.strip().startswith("x") for o in ops.split("[")[0].split(",") if o.strip()) else 4
            offset = None
            if base == "sp" and spd is not None and imm is not None:
                offset = spd + (0 if post else imm)
            if mnem.startswith("st"):
                for k, r in enumerate(d for d in data if d != "xzr"):
                    if mnem.startswith(("stxr", "stlxr", "stxp", "stlxp")) and k == 0:
                        continue     # status register
                    slot = None if offset is None else f"sp@{offset + k * size}"
                    if r in taint:
                        if slot is None:
                            self.flag(sec, insn, "string address stored outside the stack")
                        else:
                            taint.add(slot)
                    elif slot is not None:
                        taint.discard(slot)
            else:
                for k, r in enumerate(data):
                    slot = None if offset is None else f"sp@{offset + k * size}"
                    if slot is not None and slot in taint:
                        taint.add(r)
                    else:
                        taint.discard(r)
            if base == "sp" and wb and spd is not None:
                spd += int(post, 0) if post else imm
            return "next", spd
        # Everything else: the first register operand is written, the rest are read.
        ops_regs = regs(ops)
        if NO_DEST.match(mnem) or not ops_regs:
            return "next", spd
        dest, srcs = ops_regs[0], ops_regs[1:]
        if dest == "sp":
            m = re.match(r"^(add|sub)$", mnem)
            if m and srcs == ["sp"] and "#" in ops and spd is not None:
                amount = int(ops.split("#")[1].split()[0].rstrip(","), 0)
                if "lsl #12" in ops:
                    amount <<= 12
                spd += amount if mnem == "add" else -amount
            else:
                spd = None
            return "next", spd
        if mnem in ("adrp", "adr"):
            taint.discard(dest)
            if strings:
                taint.add(dest)
            return "next", spd
        # An address survives moves, selects and additions of an offset; the difference of two
        # addresses is a length, and what other arithmetic makes is no address of a string.
        tainted_srcs = [r for r in srcs if r in taint]
        keeps = (mnem in ("mov", "csel", "csinc", "csinv", "csneg") or
                 mnem in ("add", "adds") or
                 (mnem in ("sub", "subs") and len(tainted_srcs) == 1 and srcs[0] in taint) or
                 (mnem == "orr" and ("xzr" in ops or "wzr" in ops)))
        if strings or (tainted_srcs and keeps):
            taint.add(dest)
        else:
            taint.discard(dest)
        return "next", spd


def check(obj):
    objdump = tool("llvm-objdump")
    funcs = parse(run([objdump, "-dr", "--no-show-raw-insn", obj]))
    symbols = {}
    for line in run([objdump, "-t", obj]).splitlines():
        m = re.match(r"^[0-9a-f]+ .{7} (\S+)\s+[0-9a-f]+ (\S+)$", line)
        if m and m.group(1).startswith(".text"):
            symbols[m.group(2)] = m.group(1)
    # What returns nothing (Swift `-> ()` or `-> Never`) hands no string back in x0-x7.
    names = [sec.split(".", 2)[2] if sec.count(".") >= 2 else sec for sec in funcs]
    demangled = run([tool("swift-demangle")], names) if names else ""
    returns = {}
    for sec, text in zip(funcs, demangled.splitlines()):
        returns[sec] = not re.search(r"-> (\(\)|Swift\.Never)$", text.strip())
    checker = Checker(funcs, symbols, elf_sections(obj), returns)
    sites = 0
    for sec, insns in funcs.items():
        if any(packed(s) for i in insns for (_, s) in i.relocs):
            sites += sum(1 for i in insns for (t, s) in i.relocs if packed(s) and "LO12" in t)
            checker.analyse(sec, frozenset())
    # A pointer to a string held in data could be loaded and used where the analysis does not see it.
    relocs = run([objdump, "-r", obj])
    where = None
    for line in relocs.splitlines():
        m = re.match(r"^RELOCATION RECORDS FOR \[(.*)\]:", line)
        if m:
            where = m.group(1)
            continue
        f = line.split()
        if len(f) == 3 and packed(f[2]) and not where.startswith(".text"):
            checker.violations.append(f"{where}: {f[1]} names {f[2]} (a string address held in data)")
    return sites, len(checker.summaries), checker.violations


# C puts its literals in .rodata.str1.1; the self-test checks that section as if packed. Both
# programs pass a literal to a function that reads it (out of line, so followed into the callee)
# and spill it across a call (followed through the stack); the second reads eight bytes at once.
SELF_TEST = r"""
extern void put(char);
__attribute__((noinline)) static void bytes(const char *p, int n) { for (int i = 0; i < n; i++) put(p[i]); }
__attribute__((noinline)) static unsigned long word(const char *p, int i) {
#ifdef WIDE
    unsigned long v; __builtin_memcpy(&v, p + i, 8); return v;
#else
    return (unsigned char)p[i];
#endif
}
unsigned long print(int i) {
    const char *p = "a literal of more than sixteen bytes, read by the callees";
    bytes(p, i);
    return word(p, i);
}
"""


def self_test():
    global PACKED
    PACKED = PACKED + (".rodata.str1.1",)
    with tempfile.TemporaryDirectory() as d:
        clang = tool("clang")
        results = []
        for wide in (False, True):
            c, o = os.path.join(d, "t.c"), os.path.join(d, f"t{int(wide)}.o")
            with open(c, "w") as f:
                f.write(SELF_TEST)
            run([clang, "--target=aarch64-none-elf", "-O2", "-ffunction-sections",
                 "-fno-builtin", "-c", "-o", o, c] + (["-DWIDE"] if wide else []))
            sites, _, violations = check(o)
            results.append((sites, violations))
        if results[0][1] or not results[0][0]:
            print(f"self-test FAILED: byte reads flagged or not seen: {results[0]}")
            return 1
        if not results[1][1]:
            print("self-test FAILED: a wide read of a string not flagged")
            return 1
        print(f"self-test passed: byte reads accepted, the wide read flagged ({results[1][1][0]})")
        return 0


def main(argv):
    global PACKED
    if argv[1:] == ["--self-test"]:
        return self_test()
    sections = [a.split("=", 1)[1] for a in argv[1:] if a.startswith("--section=")]
    argv = [a for a in argv if not a.startswith("--section=")]
    if sections:
        PACKED = tuple(sections)
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        sites, contexts, violations = check(argv[1])
    except CheckError as e:
        print(f"check_string_loads: {e}", file=sys.stderr)
        return 2
    if violations:
        print(f"{argv[1]}: {len(violations)} access(es) to packed strings not shown to be byte accesses:")
        for v in violations:
            print("  " + v)
        return 1
    print(f"{argv[1]}: {sites} string addresses followed through {contexts} function contexts: byte accesses only")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
