#!/usr/bin/env python3
"""Check that the EFI runtime region of a linked AArch64 ELF is closed.

Usage:
    tools/check_runtime.py [--allow SYMBOL]... IMAGE.elf
    tools/check_runtime.py --self-test

The region is [__efi_runtime_start, __efi_runtime_stop). After ExitBootServices only that region
(plus memory the OS maps for us: the MM buffer, runtime MMIO) stays, so nothing in it may reach
the rest of the image. For every instruction in the region:

  * a direct branch (B, BL, B.cond, BC.cond, CBZ, CBNZ, TBZ, TBNZ) must target the region;
    a target outside it is flagged wherever it lands (outside the image it is no code of ours,
    and a branch to 0 is a symbol that was never resolved);
  * ADR, ADRP (paired with the first later ADD-immediate or load/store-immediate using its
    register in the same function; unpaired, its whole 4 KiB page) and LDR (literal) form an
    address: flagged only if it lands in an allocated section of the image outside the region.
    Addresses outside the image (the MM shared buffer, UART or other MMIO) are data we are
    handed, not image code or data, and pass;
  * a 64-bit LDR (literal) also loads a value: flagged if that value is such an image address.

Data in the region (what objdump, following the $x/$d mapping symbols, does not show as an
instruction) is checked for pointers: with relocations kept in the image (ld.lld --emit-relocs)
every ABS64/ABS32/PREL64/PREL32 in the region is resolved exactly; without them every aligned
8-byte data word is taken as a pointer if it falls in the image outside the region. Indirect
branches (BR, BLR, RET) cannot be resolved statically and are not flagged.

--allow SYMBOL exempts targets inside that symbol (for a buffer deliberately left outside).

Exit status: 0 closed (one summary line), 1 references leave the region (each listed with its
address, containing symbol and target), 2 the image or the tools could not be read.
Tools: $OBJDUMP or llvm-objdump (PATH, then $SWIFT_BIN); the self-test also needs
$CC / clang and $LD / ld.lld.
"""

import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

TOOLCHAIN_DIR = os.environ.get("SWIFT_BIN", "")
PAGE = 4096
MASK64 = 2**64 - 1


class CheckError(Exception):
    """The image or a tool could not be used (exit 2)."""


def find_tool(env, name):
    path = os.environ.get(env)
    if path:
        return path
    found = shutil.which(name)
    if found:
        return found
    candidate = os.path.join(TOOLCHAIN_DIR, name)
    if os.access(candidate, os.X_OK):
        return candidate
    raise CheckError(f"{name} not found (set ${env} or put it on PATH)")


def run(cmd):
    try:
        done = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        raise CheckError(f"cannot run {cmd[0]}: {e}")
    if done.returncode != 0:
        raise CheckError(f"{' '.join(cmd)} failed:\n{done.stderr.strip()}")
    return done.stdout


# ---------------------------------------------------------------------------------------------
# The image: allocated sections and their bytes (ELF64 little-endian).

class Image:
    SHF_ALLOC = 0x2
    SHT_RELA = 4
    SHT_NOBITS = 8
    # AArch64 ELF data relocations: the ones that leave a pointer in memory.
    DATA_RELOCS = {257: ("R_AARCH64_ABS64", 8), 258: ("R_AARCH64_ABS32", 4),
                   260: ("R_AARCH64_PREL64", 8), 261: ("R_AARCH64_PREL32", 4)}

    def __init__(self, path):
        try:
            with open(path, "rb") as f:
                self.data = f.read()
        except OSError as e:
            raise CheckError(f"cannot read {path}: {e}")
        d = self.data
        if len(d) < 64 or d[:4] != b"\x7fELF" or d[4] != 2 or d[5] != 1:
            raise CheckError(f"{path}: not a little-endian ELF64 file")
        shoff, = struct.unpack_from("<Q", d, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 0x3A)
        if shoff == 0 or shentsize < 64 or shoff + shnum * shentsize > len(d):
            raise CheckError(f"{path}: no usable section headers")
        raw = []
        for i in range(shnum):
            name, stype, flags, addr, off, size = struct.unpack_from("<IIQQQQ", d, shoff + i * shentsize)
            raw.append((name, stype, flags, addr, off, size))
        strtab_off = raw[shstrndx][4] if shstrndx < shnum else 0
        self.sections = []  # (name, addr, size, offset or None for NOBITS)
        self.code_sections = []  # (addr, size) of executable sections (SHF_EXECINSTR)
        self.relocations = []  # (place, name, width) of data relocations kept by --emit-relocs
        self.has_relocations = False
        for name, stype, flags, addr, off, size in raw:
            if stype == self.SHT_RELA and off + size <= len(d):
                self.has_relocations = True
                for at in range(off, off + size - 23, 24):
                    place, info = struct.unpack_from("<QQ", d, at)
                    kind = self.DATA_RELOCS.get(info & 0xFFFFFFFF)
                    if kind:
                        self.relocations.append((place,) + kind)
            if not flags & self.SHF_ALLOC or size == 0:
                continue
            end = d.find(b"\0", strtab_off + name)
            sname = d[strtab_off + name:end].decode(errors="replace")
            self.sections.append((sname, addr, size, None if stype == self.SHT_NOBITS else off))
            if flags & 0x4:
                self.code_sections.append((addr, size))

    def section_at(self, addr):
        for name, start, size, _ in self.sections:
            if start <= addr < start + size:
                return name
        return None

    def is_code(self, addr):
        return any(start <= addr < start + size for start, size in self.code_sections)

    def overlaps_code(self, lo, hi):
        return any(start < hi and lo < start + size for start, size in self.code_sections)

    def overlaps(self, lo, hi):
        return any(start < hi and lo < start + size for _, start, size, _ in self.sections)

    def read(self, addr, n):
        for _, start, size, off in self.sections:
            if start <= addr and addr + n <= start + size:
                if off is None:
                    return bytes(n)
                return self.data[off + addr - start:off + addr - start + n]
        return None


# ---------------------------------------------------------------------------------------------
# Symbols, disassembly and relocations from llvm-objdump.

SYM_RE = re.compile(r"^([0-9a-f]+)\s(.{7})\s(\S+)\s+([0-9a-f]+)\s+(.*)$")
# "addr: d503201f  nop" (LLVM ≥ 15) or "addr: 1f 20 03 d5  nop" (older); data shows as .word
# lines or, under an object symbol in older versions, as 8-byte hex dumps with ASCII.
INSN_RE = re.compile(r"^\s*([0-9a-f]+):\s+([0-9a-f]{8}(?=\s)|(?:[0-9a-f]{2} )+)\s*(.*)$")
MAPPING_RE = re.compile(r"^\$[xd](\..*)?$")


class Symbol:
    def __init__(self, addr, flags, section, size, name):
        self.addr, self.flags, self.section, self.size, self.name = addr, flags, section, size, name

    @property
    def is_mapping(self):
        return MAPPING_RE.match(self.name) is not None

    @property
    def is_named(self):
        """A symbol worth naming: not a mapping, section, file or undefined symbol."""
        return (not self.is_mapping and self.flags[5] != "d" and self.flags[6] != "f"
                and self.section != "*UND*" and self.name != "")

    @property
    def is_typed(self):
        return self.flags[6] in "FO"


def read_symbols(objdump, path):
    symbols = []
    for line in run([objdump, "-t", path]).splitlines():
        m = SYM_RE.match(line)
        if m:
            name = re.sub(r"^\.(hidden|protected|internal) ", "", m.group(5).strip())
            symbols.append(Symbol(int(m.group(1), 16), m.group(2), m.group(3), int(m.group(4), 16), name))
    return symbols


class Names:
    """Address → 'symbol+offset' for reports."""

    def __init__(self, symbols):
        self.named = [s for s in symbols if s.is_named and s.section != "*ABS*"]

    def containing(self, addr):
        """The nearest symbol at or below addr; functions and objects win over bare labels."""
        best, best_key = None, None
        for s in self.named:
            if s.addr > addr:
                continue
            key = (s.addr, s.is_typed and s.addr + s.size > addr, s.is_typed, s.size)
            if best_key is None or key > best_key:
                best, best_key = s, key
        return best

    def describe(self, addr):
        s = self.containing(addr)
        if s is None:
            return "?"
        return s.name if s.addr == addr else f"{s.name}+{addr - s.addr:#x}"


def disassemble(objdump, path, image, start, stop):
    """[(addr, word or None for data, text)] for the region, in address order. Only where to
    find instructions and how to print them comes from objdump; the words come from the file."""
    out = run([objdump, "-d", "--no-print-imm-hex", f"--start-address={start:#x}",
               f"--stop-address={stop:#x}", path])
    rows = []
    for line in out.splitlines():
        m = INSN_RE.match(line)
        if not m:
            continue
        addr = int(m.group(1), 16)
        raw, text = m.group(2).replace(" ", ""), " ".join(m.group(3).split())
        word = image.read(addr, 4)
        if len(raw) == 8 and text and not text.startswith(".") and word is not None:
            rows.append((addr, struct.unpack("<I", word)[0], text))
        else:
            rows.append((addr, None, text))
    return rows


# ---------------------------------------------------------------------------------------------
# A64 decoding of the instructions that name an address.

def sext(value, bits):
    return value - (1 << bits) if value & (1 << (bits - 1)) else value


def branch_target(pc, w):
    if w & 0x7C000000 == 0x14000000:                      # B, BL
        return (pc + 4 * sext(w & 0x3FFFFFF, 26)) & MASK64
    if w & 0xFF000000 == 0x54000000:                      # B.cond, BC.cond
        return (pc + 4 * sext((w >> 5) & 0x7FFFF, 19)) & MASK64
    if w & 0x7E000000 == 0x34000000:                      # CBZ, CBNZ
        return (pc + 4 * sext((w >> 5) & 0x7FFFF, 19)) & MASK64
    if w & 0x7E000000 == 0x36000000:                      # TBZ, TBNZ
        return (pc + 4 * sext((w >> 5) & 0x3FFF, 14)) & MASK64
    return None


def adr_target(pc, w):
    """(target, is_adrp, Rd) for ADR/ADRP."""
    if w & 0x1F000000 != 0x10000000:
        return None
    imm = sext(((w >> 5) & 0x7FFFF) << 2 | (w >> 29) & 3, 21)
    if w & 0x80000000:
        return ((pc & ~(PAGE - 1)) + (imm << 12)) & MASK64, True, w & 31
    return (pc + imm) & MASK64, False, w & 31


def literal_load(pc, w):
    """(address, bytes loaded) for LDR/LDRSW (literal); PRFM is not a load."""
    if w & 0x3B000000 != 0x18000000:
        return None
    opc, vector = w >> 30, (w >> 26) & 1
    if not vector and opc == 3:
        return None
    size = (4 << opc) if vector else {0: 4, 1: 8, 2: 4}[opc]
    return (pc + 4 * sext((w >> 5) & 0x7FFFF, 19)) & MASK64, size


def low12_use(w, reg):
    """The offset an ADD-immediate or load/store-immediate adds to `reg`, or None."""
    if w & 0x7F800000 == 0x11000000 and (w >> 5) & 31 == reg:        # ADD (immediate)
        return ((w >> 10) & 0xFFF) << (12 if w & (1 << 22) else 0)
    if w & 0x3B000000 == 0x39000000 and (w >> 5) & 31 == reg:        # LDR/STR (unsigned imm)
        scale = w >> 30
        if (w >> 26) & 1 and (w >> 23) & 1:
            scale = 4                                                # 128-bit Q register
        return ((w >> 10) & 0xFFF) << scale
    return None


def ends_flow(w):
    return (w & 0xFC000000 == 0x14000000 or                      # B
            w & 0xFE1FFC1F == 0xD61F0000)                        # BR, RET (and friends)


# ---------------------------------------------------------------------------------------------

class Checker:
    def __init__(self, path, allow=(), objdump=None, code_only=False):
        self.path = path
        # code_only: data outside the region stays mapped (non-executable) after
        # ExitBootServices, so only code outside the region is out of bounds.
        self.code_only = code_only
        self.objdump = objdump or find_tool("OBJDUMP", "llvm-objdump")
        self.image = Image(path)
        self.symbols = read_symbols(self.objdump, path)
        self.names = Names(self.symbols)
        by_name = {s.name: s for s in self.symbols}
        missing = [n for n in ("__efi_runtime_start", "__efi_runtime_stop") if n not in by_name]
        if missing:
            raise CheckError(f"{path}: no {' or '.join(missing)} symbol")
        self.start = by_name["__efi_runtime_start"].addr
        self.stop = by_name["__efi_runtime_stop"].addr
        if self.stop < self.start:
            raise CheckError(f"{path}: __efi_runtime_stop is below __efi_runtime_start")
        self.allowed = []
        for name in allow:
            s = by_name.get(name)
            if s is None:
                raise CheckError(f"--allow {name}: no such symbol")
            self.allowed.append((s.addr, s.addr + max(s.size, 1)))
        self.findings = []

    def inside(self, addr):
        return self.start <= addr < self.stop

    def escapes(self, addr):
        """An address the region must not hold: image memory outside the region."""
        if self.inside(addr) or any(lo <= addr < hi for lo, hi in self.allowed):
            return False
        if self.code_only:
            return self.image.is_code(addr)
        return self.image.section_at(addr) is not None

    def where(self, addr):
        section = self.image.section_at(addr)
        if section is None:
            return f"{addr:#x} (not in the image)"
        return f"{addr:#x} <{self.names.describe(addr)}> in {section}"

    def flag(self, addr, text, why, target):
        self.findings.append(f"  {addr:#x} <{self.names.describe(addr)}>: {text}\n"
                             f"      {why} {self.where(target)}")

    def function_end(self, addr):
        s = self.names.containing(addr)
        if s is not None and s.size and s.addr + s.size > addr:
            return s.addr + s.size
        return self.stop

    def check(self):
        rows = disassemble(self.objdump, self.path, self.image, self.start, self.stop)
        instructions = [(a, w, t) for a, w, t in rows if w is not None]
        code = {a for a, w, _ in rows if w is not None}
        for i, (pc, w, text) in enumerate(instructions):
            target = branch_target(pc, w)
            if target is not None:
                if not self.inside(target):
                    self.flag(pc, text, "branches to", target)
                continue
            adr = adr_target(pc, w)
            if adr is not None:
                self.check_adr(instructions, i, adr)
                continue
            lit = literal_load(pc, w)
            if lit is not None:
                self.check_literal(pc, text, *lit)
        words = self.check_data(code)
        named = sum(1 for s in self.names.named if s.is_typed and self.inside(s.addr))
        return len(instructions), words, named

    def check_adr(self, instructions, i, adr):
        pc, _, text = instructions[i]
        target, is_adrp, reg = adr
        if not is_adrp:
            if self.escapes(target):
                self.flag(pc, text, "takes the address of", target)
            return
        end = self.function_end(pc)
        for npc, nw, _ in instructions[i + 1:i + 33]:
            if npc >= end:
                break
            offset = low12_use(nw, reg)
            if offset is not None:
                full = target + offset
                if self.escapes(full):
                    self.flag(pc, text, "with the instruction at "
                              f"{npc:#x} takes the address of", full)
                return
            if ends_flow(nw) or adr_target(npc, nw) and adr_target(npc, nw)[2] == reg:
                break
        # Unpaired: the page as a whole must not be image memory that is all outside the region.
        overlaps = self.image.overlaps_code if self.code_only else self.image.overlaps
        if not (self.start < target + PAGE and target < self.stop) and \
                overlaps(target, target + PAGE) and \
                not any(lo < target + PAGE and target < hi for lo, hi in self.allowed):
            self.flag(pc, text, "takes the page address of", target)

    def check_literal(self, pc, text, addr, size):
        if not self.inside(addr):
            if self.escapes(addr) or (not self.code_only and self.image.section_at(addr) is None):
                self.flag(pc, text, "loads a literal from", addr)
            return
        if size == 8:
            raw = self.image.read(addr, 8)
            if raw is not None:
                value, = struct.unpack("<Q", raw)
                if self.escapes(value):
                    self.flag(pc, text, "loads the address of", value)

    def check_data(self, code):
        """Pointers held in the region's data: exact with relocations, else every aligned word."""
        checked = 0
        if self.image.has_relocations:
            for place, rtype, width in self.image.relocations:
                if not self.inside(place):
                    continue
                raw = self.image.read(place, width)
                if raw is None:
                    continue
                value = int.from_bytes(raw, "little")
                if rtype.startswith("R_AARCH64_PREL"):
                    value = (place + sext(value, 8 * width)) & MASK64
                checked += 1
                if self.escapes(value):
                    self.flag(place, rtype, "data points at", value)
            return checked
        for word in range((self.start + 7) & ~7, self.stop - 7, 8):
            if word in code or word + 4 in code:
                continue
            raw = self.image.read(word, 8)
            if raw is None:
                continue
            checked += 1
            value, = struct.unpack("<Q", raw)
            if self.escapes(value):
                self.flag(word, f".quad {value:#x}", "data word (no relocations kept) points at", value)
        return checked


def check_image(path, allow=(), code_only=False):
    checker = Checker(path, allow, code_only=code_only)
    count, words, named = checker.check()
    region = f"[{checker.start:#x}, {checker.stop:#x})"
    if checker.findings:
        print(f"check-runtime: {path}: {len(checker.findings)} reference(s) leave the runtime region {region}:")
        for f in checker.findings:
            print(f)
        return 1
    print(f"check-runtime: {path}: OK, {count} instructions and {words} data words in {region}, "
          f"{named} symbols in the region")
    return 0


# ---------------------------------------------------------------------------------------------
# Self-test: the fixture is built once clean and once per kind of escape; the clean image must
# pass and each escape must fail, naming the offending instruction.

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check_runtime_fixtures")

# (name, -D define or None, link with --emit-relocs, --allow symbols, expected exit, text expected)
CASES = [
    ("clean", None, False, [], 0, "OK"),
    ("clean, relocations kept", None, True, [], 0, "OK"),
    ("call to a boot-time function", "ESCAPE_CALL", False, [], 1, "rt_entry+"),
    ("tail branch", "ESCAPE_TAIL", False, [], 1, "branches to"),
    ("conditional branch", "ESCAPE_BCOND", False, [], 1, "<boot_helper>"),
    ("cbz", "ESCAPE_CBZ", False, [], 1, "<boot_helper>"),
    ("tbnz", "ESCAPE_TBNZ", False, [], 1, "<boot_helper>"),
    ("adrp + add of boot data", "ESCAPE_ADRP_ADD", False, [], 1, "<boot_table>"),
    ("adrp + ldr of boot data", "ESCAPE_ADRP_LDR", False, [], 1, "<boot_counter>"),
    ("adr of a boot function", "ESCAPE_ADR", False, [], 1, "takes the address of"),
    ("literal address of a boot function", "ESCAPE_LITERAL", False, [], 1, "loads the address of"),
    ("runtime data pointing at boot code", "ESCAPE_DATA", True, [], 1, "R_AARCH64_ABS64"),
    ("runtime data pointing at boot code, no relocations", "ESCAPE_DATA", False, [], 1, "data word"),
    ("allowed buffer", "ESCAPE_ADRP_LDR", False, ["boot_counter"], 0, "OK"),
]


def self_test():
    cc = find_tool("CC", "clang")
    ld = find_tool("LD", "ld.lld")
    source = os.path.join(FIXTURES, "fixture.S")
    script = os.path.join(FIXTURES, "fixture.ld")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="check_runtime.") as tmp:
        for n, (name, define, emit_relocs, allow, want_rc, want_text) in enumerate(CASES):
            obj, elf = os.path.join(tmp, f"{n}.o"), os.path.join(tmp, f"{n}.elf")
            run([cc, "--target=aarch64-none-elf", "-ffreestanding", "-nostdlib", "-mgeneral-regs-only",
                 "-c", source, "-o", obj] + ([f"-D{define}"] if define else []))
            run([ld, "-T", script, "--gc-sections", "-o", elf, obj] + (["--emit-relocs"] if emit_relocs else []))
            checker_cmd = [sys.executable, os.path.abspath(__file__), elf]
            for a in allow:
                checker_cmd += ["--allow", a]
            done = subprocess.run(checker_cmd, capture_output=True, text=True)
            ok = done.returncode == want_rc and want_text in done.stdout
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {name}: exit {done.returncode}")
            if not ok or os.environ.get("VERBOSE"):
                print("     " + (done.stdout + done.stderr).strip().replace("\n", "\n     "))
    print(f"self-test: {len(CASES) - failures}/{len(CASES)} passed")
    return 1 if failures else 0


def main(argv):
    args, allow, code_only = [], [], False
    it = iter(argv)
    for a in it:
        if a == "--code-only":
            code_only = True
        elif a == "--allow":
            allow.append(next(it, ""))
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            args.append(a)
    try:
        if args == ["--self-test"]:
            return self_test()
        if len(args) != 1 or args[0].startswith("-"):
            print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
            return 2
        return check_image(args[0], allow, code_only)
    except CheckError as e:
        print(f"check-runtime: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
