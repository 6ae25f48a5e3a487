#!/usr/bin/env python3
"""Builds and runs the libFuzzer targets of issue 6 on the host.

    python3 tools/fuzz.py --short          # each target 10,000 runs, fixed seed, committed seeds (make test)
    python3 tools/fuzz.py --seconds 300    # each target for 300 s, continuing its campaign (make fuzz)
    python3 tools/fuzz.py --seconds 7200 --runs 1000000 --targets MMFuzzer   # a long campaign
    python3 tools/fuzz.py --seconds 3600 --keep-going  # a campaign that goes on past findings
    python3 tools/fuzz.py --minimize FlashLogFuzzer build/fuzz/FlashLogFuzzer/crashes/crash-...
    python3 tools/fuzz.py --write-seeds    # regenerates Fuzz/Corpus/<target>/ from the seed builders

Targets (Fuzz/<name>, products appended at the end of Package.swift):
  SPMCFuzzer        SPMC FF-A handler, random 18-register calls against random prior state
  MMFuzzer          the MM partition's variable request handler, random buffers
  DeviceTreeFuzzer  DTB reader and editor, random blobs
  FlashLogFuzzer    variable-store recovery, random flash images, then puts/removes/power cuts

Corpora:
  Fuzz/Corpus/<target>/       the committed seeds, built by the seed builders below (--write-seeds)
  --short                     copies the committed seeds into a fresh temporary directory and runs
                              with -seed=1 and a fixed run count: the same executions every time,
                              whatever earlier runs left behind
  --seconds                   continues the campaign in build/fuzz/<target>/corpus (new inputs are
                              written there); the committed seeds are read as a second directory,
                              so the first campaign starts from them
Crash inputs go to build/fuzz/<target>/crashes/, the full libFuzzer output to last-run.log there
(short-run.log for --short).

Builds with SwiftPM into .build-fuzz (`--sanitize fuzzer` for the libFuzzer runtime, and
`-Xswiftc -sanitize=fuzzer,address` because separate -sanitize flags override each other in
swiftc, which silently drops the coverage instrumentation). Prints one line per target and a final
`fuzz: <targets> targets, <runs> runs, <crashes> crashes`; exits 1 on any crash, 2 when the build fails.
"""

import argparse
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "qemu"))
from board import BOARD  # noqa: E402  the QEMU virt addresses (Sources/Board/include/board.h)
SCRATCH = os.path.join(ROOT, ".build-fuzz")
WORK = os.path.join(ROOT, "build", "fuzz")
SEEDS_DIR = os.path.join(ROOT, "Fuzz", "Corpus")
SWIFT_BIN = os.environ.get("SWIFT_BIN", "")  # else `swift` from PATH

# name: max input length (bytes)
TARGETS = {
    "SPMCFuzzer": 4096,
    "MMFuzzer": 4096,
    "DeviceTreeFuzzer": 8192,
    "FlashLogFuzzer": 8292,
    "DERFuzzer": 8192,
}


def log(msg):
    print(msg, flush=True)


def env():
    e = dict(os.environ)
    if SWIFT_BIN and os.path.isdir(SWIFT_BIN):
        e["PATH"] = SWIFT_BIN + os.pathsep + e.get("PATH", "")
    # The Swift runtime's crash handler reads memory ASan considers poisoned: keep it out, so a
    # trap ends as libFuzzer's "deadly signal" with the input saved.
    e["SWIFT_BACKTRACE"] = "enable=no"
    # Set and Dictionary hash with a per-process random seed otherwise, which changes the paths
    # (and so the coverage) a run takes: short runs must repeat exactly.
    e["SWIFT_DETERMINISTIC_HASHING"] = "1"
    e.setdefault("ASAN_OPTIONS", "detect_leaks=0:handle_abort=1")
    return e


def fixed_addresses():
    """Runs the child without address-space randomisation (Linux personality ADDR_NO_RANDOMIZE).
    libFuzzer feeds compared values, pointers among them, back into its mutations, and heap and
    stack addresses change from run to run otherwise: the same seed then takes other paths."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        ADDR_NO_RANDOMIZE = 0x0040000
        current = libc.personality(0xFFFFFFFF)
        if current != -1:
            libc.personality(current | ADDR_NO_RANDOMIZE)
    except (OSError, AttributeError):
        pass  # not Linux: runs may then differ in their coverage figures


def build(targets):
    for t in targets:
        cmd = ["swift", "build", "-c", "release", "--scratch-path", SCRATCH,
               "--sanitize", "fuzzer", "-Xswiftc", "-sanitize=fuzzer,address", "--product", t]
        start = time.time()
        p = subprocess.run(cmd, cwd=ROOT, env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode != 0:
            noise = "Cannot export local symbol"
            log("\n".join(l for l in p.stdout.splitlines() if noise not in l)[-6000:])
            log(f"fuzz: building {t} failed")
            sys.exit(2)
        log(f"fuzz: built {t} ({time.time() - start:.0f} s)")


def binary(t):
    return os.path.join(SCRATCH, "release", t)


# ---------------------------------------------------------------- seeds (deterministic)

def seeds_spmc():
    r = random.Random(6)
    out = [bytes(64), bytes([0x80]) + bytes(64), bytes(range(256)) * 4]
    for n in (64, 512, 2048):
        out.append(bytes(r.randrange(256) for _ in range(n)))
    return out


SMM_VAR_GUID = struct.pack("<IHH8B", 0xED32D533, 0x99E6, 0x4209, 0x9C, 0xC0, 0x2D, 0x72, 0xCD, 0xD9, 0x98, 0xA7)
VENDOR_GUID = struct.pack("<IHH8B", 0x3F2504E0, 0x4F89, 0x11D3, 0x9A, 0x0C, 0x03, 0x05, 0xE8, 0x2C, 0x33, 0x01)
GLOBAL_GUID = struct.pack("<IHH8B", 0x8BE4DF61, 0x93CA, 0x11D2, 0xAA, 0x0D, 0x00, 0xE0, 0x98, 0x03, 0x2B, 0x8C)


def ucs2(s):
    return s.encode("utf-16-le") + b"\0\0"


def mm_request(function, payload):
    # The fuzz driver writes the 24-byte MM header itself when the first byte is even.
    body = bytes(24) + struct.pack("<QQ", function, 0) + payload
    return struct.pack("<H", len(body)) + body


def access(guid, name, data, attributes, data_size=None):
    n = ucs2(name)
    size = len(data) if data_size is None else data_size
    return guid + struct.pack("<QQI", size, len(n), attributes) + n + data


def seeds_mm():
    nv_bs_rt = 7
    # Spec-defined variables meet the store's policy (docs/variable-policy.md): a well-formed
    # load option (attributes, path length, description, an End Entire device path) and a
    # UINT16 array pass it; the 4-byte Boot0002 and the unauthenticated PK are refused.
    load_option = struct.pack("<IH", 1, 4) + ucs2("x") + bytes([0x7F, 0xFF, 4, 0])
    set_a = mm_request(3, access(GLOBAL_GUID, "Boot0001", load_option, nv_bs_rt))
    order = mm_request(3, access(GLOBAL_GUID, "BootOrder", b"\1\0\2\0", nv_bs_rt))
    bad = mm_request(3, access(GLOBAL_GUID, "Boot0002", b"\1\2\3\4", nv_bs_rt))
    pk = mm_request(3, access(GLOBAL_GUID, "PK", b"k" * 8, nv_bs_rt | 0x20))
    set_b = mm_request(3, access(VENDOR_GUID, "Var", b"x" * 40, 3))
    append = mm_request(3, access(VENDOR_GUID, "Var", b"yz", 3 | 0x40))
    delete = mm_request(3, access(VENDOR_GUID, "Var", b"", 0))
    get = mm_request(1, access(GLOBAL_GUID, "Boot0001", bytes(32), 0, 32))
    get_small = mm_request(1, access(GLOBAL_GUID, "Boot0001", b"", 0, 0))
    nxt = mm_request(2, GLOBAL_GUID + struct.pack("<Q", 64) + b"\0\0" + bytes(62))
    nxt_after = mm_request(2, GLOBAL_GUID + struct.pack("<Q", 64) + ucs2("Boot0001") + bytes(46))
    query = mm_request(4, struct.pack("<QQQI", 0, 0, 0, nv_bs_rt))
    prop = mm_request(9, VENDOR_GUID + struct.pack("<HHIQQ", 1, 0, 7, 1, 64) + struct.pack("<Q", 8) + ucs2("Var"))
    others = [mm_request(f, b"") for f in (5, 6, 11)]
    return [set_a + get + nxt + nxt_after, set_b + append + get_small + delete + query,
            prop + set_b + get, b"".join(others) + set_a + query, set_a, get, nxt,
            order + bad + pk + nxt + nxt_after]


def fdt(nodes, reservations=(), version=17, strings_first=False):
    """A flattened devicetree from nested (name, [(prop, value)], [children]); an optional fourth
    element lists properties placed after the first child, which §5.4.1 forbids."""
    strings = bytearray()
    offsets = {}

    def name_offset(n):
        if n not in offsets:
            offsets[n] = len(strings)
            strings.extend(n.encode() + b"\0")
        return offsets[n]

    def pad(b):
        return b + bytes(-len(b) % 4)

    def node(n):
        name, props, children, late = (n + ([],))[:4]

        def prop(p, v):
            return struct.pack(">III", 3, len(v), name_offset(p)) + pad(v)

        out = struct.pack(">I", 1) + pad(name.encode() + b"\0") + b"".join(prop(p, v) for p, v in props)
        for i, c in enumerate(children):
            out += node(c)
            if i == 0:
                out += b"".join(prop(p, v) for p, v in late)
        return out + struct.pack(">I", 2)

    struct_block = node(nodes) + struct.pack(">I", 9)
    header = 40
    rsv = b"".join(struct.pack(">QQ", a, s) for a, s in reservations) + bytes(16)
    off_rsv = header
    off_struct = off_rsv + len(rsv)
    off_strings = off_struct + len(struct_block)
    total = off_strings + len(strings)
    head = struct.pack(">10I", 0xD00DFEED, total, off_struct, off_strings, off_rsv, version, 16, 0,
                       len(strings), len(struct_block))
    return head + rsv + struct_block + bytes(strings)


def cells(*vs):
    return b"".join(struct.pack(">I", v) for v in vs)


def sz(s):
    return s.encode() + b"\0"


def seeds_dtb():
    virt = ("", [("#address-cells", cells(2)), ("#size-cells", cells(2)), ("compatible", sz("linux,dummy-virt")),
                 ("model", sz("linux,dummy-virt"))], [
        ("chosen", [("stdout-path", sz("/pl011@9000000"))], []),
        ("aliases", [("serial0", sz("/pl011@9000000"))], []),
        ("memory@40000000", [("device_type", sz("memory")), ("reg", cells(0, 0x40000000, 0, 0x40000000))], []),
        ("memory@e000000", [("device_type", sz("memory")), ("reg", cells(0, 0xE000000, 0, 0x1000000)),
                            ("status", sz("disabled"))], []),
        ("pl011@9000000", [("compatible", sz("arm,pl011") + sz("arm,primecell")),
                           ("reg", cells(0, 0x9000000, 0, 0x1000)), ("status", sz("okay"))], []),
        ("psci", [("compatible", sz("arm,psci-1.0") + sz("arm,psci-0.2")), ("method", sz("smc"))], []),
        ("intc@8000000", [("compatible", sz("arm,gic-v3")), ("interrupt-controller", b""),
                          ("reg", cells(0, 0x8000000, 0, 0x10000, 0, 0x80A0000, 0, 0xF60000))], []),
        ("reserved-memory", [("#address-cells", cells(2)), ("#size-cells", cells(2)), ("ranges", b"")], [
            ("mm@42000000", [("reg", cells(0, 0x42000000, 0, 0x200000)), ("no-map", b"")], [])]),
        ("cpus", [("#address-cells", cells(1)), ("#size-cells", cells(0))], [
            ("cpu@0", [("device_type", sz("cpu")), ("compatible", sz("arm,cortex-a57")), ("reg", cells(0)),
                       ("enable-method", sz("psci"))], [])]),
    ])
    tiny = ("", [], [])
    alias_console = ("", [("#address-cells", cells(1)), ("#size-cells", cells(1))], [
        ("chosen", [("linux,stdout-path", sz("serial0:115200n8"))], []),
        ("aliases", [("serial0", sz("/soc/uart@1000"))], []),
        ("soc", [("#address-cells", cells(1)), ("#size-cells", cells(1))], [
            ("uart@1000", [("compatible", sz("arm,pl011")), ("reg", cells(0x1000, 0x100))], []),
            ("gic@2c001000", [("compatible", sz("arm,cortex-a15-gic")),
                              ("reg", cells(0x2C001000, 0x1000, 0x2C002000, 0x2000))], [])]),
        ("reserved-memory", [("#address-cells", cells(1)), ("#size-cells", cells(1))], []),
    ])
    deep = tiny
    for i in range(70):
        deep = (f"n{i}", [("p", cells(i))], [deep])
    deep = ("", [], [deep])
    # The last byte steers the edits (DeviceTreeFuzz): slack, PSCI method, which edits.
    out = [fdt(virt), fdt(virt, [(0x40000000, 0x1000)]) + bytes([0x83]), fdt(virt) + bytes([0x26]),
           fdt(tiny) + bytes([0x03]), fdt(tiny, version=16) + bytes([0x82]), fdt(alias_console) + bytes([0x02]),
           fdt(alias_console) + bytes([0x63]), fdt(deep)]
    # A finding (Tests/FuzzChecksTests): `/ { a {}; x; psci {...}; }`, a property after a child.
    late = ("", [], [("a", [], []), ("psci", [("compatible", sz("arm,psci-1.0"))], [])], [("x", b"")])
    out.append(fdt(late) + bytes([0x03]))
    # The MM partition's manifest (tfa/mm_partition.dts), alone and inside FF-A boot information
    # whose manifest address is its offset in the input (PartitionBootFuzz).
    manifest = fdt(("", [("compatible", sz("arm,ffa-manifest-1.0")), ("#address-cells", cells(2)),
                         ("#size-cells", cells(1)), ("uuid", cells(0x33D532ED, 0x0942E699, 0x722DC09C, 0xA798D9CD)),
                         ("id", cells(0x8001)), ("ffa-version", cells(0x10002)), ("exception-level", cells(2)),
                         ("execution-state", cells(0)), ("execution-ctx-count", cells(32)),
                         ("load-address", cells(0, BOARD.PARTITION_BASE)), ("entrypoint-offset", cells(0)),
                         ("messaging-method", cells(0x201)), ("gp-register-num", cells(0))], [
        ("memory-regions", [("compatible", sz("arm,ffa-manifest-memory-regions"))], [
            ("mm-comm-buffer", [("base-address", cells(0, BOARD.MM_BUFFER_BASE)),
                                ("pages-count", cells(BOARD.MM_BUFFER_SIZE // 4096)), ("attributes", cells(0xB))], [])]),
        ("device-regions", [("compatible", sz("arm,ffa-manifest-device-regions"))], [
            ("variable-store", [("base-address", cells(0, BOARD.VARSTORE_OFFSET)),
                                ("pages-count", cells(BOARD.VARSTORE_SIZE // 4096)), ("attributes", cells(0x3))], []),
            ("secure-uart", [("base-address", cells(0, BOARD.UART1)), ("pages-count", cells(1)),
                             ("attributes", cells(0x3))], [])])]))
    header = struct.pack("<6IQ", 0xFFA, 0x10002, 64 + len(manifest), 32, 1, 32, 0)
    descriptor = bytes(16) + struct.pack("<BBHIQ", 0, 0, 1, len(manifest), 64)
    out += [manifest, header + descriptor + manifest]
    # Board shapes (docs/boards.md): UARTs behind a bus's `ranges` (Raspberry Pi), a Cadence and
    # a DesignWare UART, fw_cfg, OP-TEE's node, and the MM buffer under /reserved-memory.
    board = ("", [("#address-cells", cells(1)), ("#size-cells", cells(1))], [
        ("aliases", [("serial1", sz("/soc/serial@7e215040"))], []),
        ("chosen", [("stdout-path", sz("serial1:115200n8"))], []),
        ("firmware", [], [("optee", [("compatible", sz("linaro,optee-tz")), ("method", sz("smc"))], [])]),
        ("soc", [("#address-cells", cells(1)), ("#size-cells", cells(1)),
                 ("ranges", cells(0x7E000000, 0x3F000000, 0x1000000, 0x40000000, 0x40000000, 0x1000))], [
            ("serial@7e215040", [("compatible", sz("brcm,bcm2835-aux-uart")), ("reg", cells(0x7E215040, 0x40))], []),
            ("bus", [("#address-cells", cells(1)), ("#size-cells", cells(1)), ("ranges", b"")], [
                ("serial@7e201000", [("compatible", sz("snps,dw-apb-uart")), ("reg", cells(0x7E201000, 0x100)),
                                     ("reg-shift", cells(2)), ("reg-io-width", cells(4))], [])])]),
        ("serial@ff000000", [("compatible", sz("cdns,uart-r1p12")), ("reg", cells(0xFF000000, 0x1000))], []),
        (f"fw-cfg@{BOARD.FW_CFG:x}", [("compatible", sz("qemu,fw-cfg-mmio")), ("reg", cells(BOARD.FW_CFG, 0x18))], []),
        ("reserved-memory", [("#address-cells", cells(1)), ("#size-cells", cells(1)), ("ranges", b"")], [
            (f"mm-buffer@{BOARD.MM_BUFFER_BASE:x}", [("reg", cells(BOARD.MM_BUFFER_BASE, BOARD.MM_BUFFER_SIZE)),
                                                    ("no-map", b"")], [])]),
    ])
    out.append(fdt(board) + bytes([0x02]))
    return out


VLOG_MAGIC, VR_MAGIC = 0x474F4C56, 0x5256


def vlog_header(seq, erase_count, block_size, blocks):
    h = struct.pack("<IHHIIQI", VLOG_MAGIC, 1, 32, block_size, blocks, seq, erase_count)
    return h + struct.pack("<I", zlib.crc32(h))


def vlog_record(kind, guid, name, data, attributes=7, committed=True, obsolete=False):
    h = struct.pack("<HBBIII", VR_MAGIC, kind, 0, len(name), len(data), attributes) + guid
    h += struct.pack("<I", zlib.crc32(h))
    body = h + name + data
    body += bytes(-(len(body) + 8) % 4)
    body += struct.pack("<I", zlib.crc32(body))
    state = struct.pack("<II", 0 if committed else 0xFFFFFFFF, 0 if obsolete else 0xFFFFFFFF)
    return state + body


def flash_input(geometry, flags, blocks, ops=b""):
    """A FlashLogFuzz input: control bytes, up to 32 operations, then the image."""
    count = 2 + (geometry & 3)
    size = 512 << ((geometry >> 2) & 3)
    image = bytearray(b"\xff" * (count * size))
    for b, content in blocks.items():
        image[b * size:b * size + len(content)] = content
    while len(image) and image[-1] == 0xFF:  # the driver pads with erased bytes itself
        image.pop()
    ops = ops[:96].ljust(96, b"\0")
    return bytes([geometry, flags, 0, 0]) + ops + bytes(image)


def seeds_flash():
    size, n = 1024, 4
    geometry = 2 | (1 << 2)  # 4 blocks of 1024
    g2 = b"\x12\x34\x56\x78\x9a\xbc\xf0\xde\x01\x02\x03\x04\x05\x06\x07\x08"

    def name(i):
        return ucs2(f"V{i}")

    ops = bytes([1, 40, 7, 5, 200, 1, 3, 0, 0, 0x31, 90, 2, 2, 255, 9, 0x33, 0, 0, 6, 120, 4] * 4)
    recs1 = b"".join(vlog_record(1, GLOBAL_GUID, name(i), bytes([i]) * (10 * i)) for i in range(5))
    recs2 = (vlog_record(1, GLOBAL_GUID, name(1), b"new", obsolete=False)
             + vlog_record(1, g2, name(7), b"g2" * 20)
             + vlog_record(1, GLOBAL_GUID, name(2), b"", committed=False)
             + vlog_record(2, bytes(16), b"", struct.pack("<Q", 1)))
    torn = vlog_record(1, GLOBAL_GUID, name(3), b"torn" * 10)[:30]
    out = [
        flash_input(geometry, 0, {}),
        flash_input(geometry, 0, {}, ops),
        flash_input(geometry, 7, {0: vlog_header(1, 3, size, n) + recs1}, ops),
        flash_input(geometry, 7, {0: vlog_header(2, 1, size, n) + recs1, 1: vlog_header(3, 1, size, n) + recs2}, ops),
        flash_input(geometry, 7, {1: vlog_header(5, 2, size, n) + recs2 + torn, 2: vlog_header(4, 2, size, n) + recs1}, ops),
        flash_input(geometry | 0x20, 0x0F, {0: vlog_header(1, 0, size, n) + recs1, 1: vlog_header(2, 0, size, n) + recs2,
                                            2: vlog_header(3, 0, size, n), 3: vlog_header(4, 0, size, n) + recs1}, ops),
        flash_input(0, 7, {0: vlog_header(1, 0, 512, 2) + vlog_record(1, GLOBAL_GUID, name(0), b"a" * 100)}, ops),
    ]
    # Byte 0 bits 6-7 choose the store's limits (FlashLogFuzz.limitChoices, issue 10): a count of
    # 3 or 8 variables, or a small index, reached by the puts or already by the image.
    for limits in (1, 2, 3):
        out.append(flash_input(geometry | limits << 6, 7, {0: vlog_header(1, 3, size, n) + recs1,
                                                           1: vlog_header(2, 1, size, n) + recs2}, ops))
    # Cuts at several points of the same stream.
    for k in (3, 9, 17):
        s = bytearray(flash_input(geometry, 0x0F, {0: vlog_header(1, 0, size, n) + recs1}, ops))
        s[2] = k
        out.append(bytes(s))
    return out


def seeds_der():
    """A certificate and PKCS#7 signatures (with and without signed attributes, detached or
    not, with a chain) made by openssl: keys are random, so these are written once and committed."""
    out = []
    with tempfile.TemporaryDirectory() as d:
        def ossl(*a):
            subprocess.run(["openssl", *a], cwd=d, check=True, capture_output=True)
        ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-subj", "/CN=CA", "-keyout", "ca.key", "-out", "ca.crt")
        ossl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=leaf", "-keyout", "leaf.key", "-out", "leaf.csr")
        ossl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", "2", "-sha256", "-out", "leaf.crt")
        ossl("x509", "-in", "ca.crt", "-outform", "DER", "-out", "ca.der")
        out.append(open(os.path.join(d, "ca.der"), "rb").read())
        with open(os.path.join(d, "m"), "wb") as f:
            f.write(b"PK\x00" + bytes(40))
        for i, opts in enumerate([[], ["-noattr"], ["-nodetach"], ["-noattr", "-nodetach"]]):
            signer = "leaf" if i == 0 else "ca"
            extra = ["-certfile", "ca.crt"] if i == 0 else []
            ossl("smime", "-sign", "-binary", "-md", "sha256", "-in", "m", "-signer", f"{signer}.crt", "-inkey",
                 f"{signer}.key", "-outform", "DER", "-out", f"p{i}.der", *opts, *extra)
            out.append(open(os.path.join(d, f"p{i}.der"), "rb").read())
    return out


SEEDS = {"SPMCFuzzer": seeds_spmc, "MMFuzzer": seeds_mm, "DeviceTreeFuzzer": seeds_dtb, "FlashLogFuzzer": seeds_flash,
         "DERFuzzer": seeds_der}


def write_seeds(targets):
    """Regenerates the committed seed corpus of each target (Fuzz/Corpus/<target>/seed-NN).
    Inputs saved from findings (finding-*, kept as they were found) stay."""
    for t in targets:
        d = os.path.join(SEEDS_DIR, t)
        os.makedirs(d, exist_ok=True)
        for name in os.listdir(d):
            if name.startswith("seed-"):
                os.remove(os.path.join(d, name))
        seeds = SEEDS[t]()
        for i, s in enumerate(seeds):
            with open(os.path.join(d, f"seed-{i:02d}"), "wb") as f:
                f.write(s)
        log(f"fuzz: {t}: {len(seeds)} seeds, {sum(map(len, seeds))} bytes in {os.path.relpath(d, ROOT)}")


def committed_seeds(t):
    d = os.path.join(SEEDS_DIR, t)
    if not os.path.isdir(d) or not os.listdir(d):
        log(f"fuzz: no committed seeds in {os.path.relpath(d, ROOT)} (python3 tools/fuzz.py --write-seeds)")
        sys.exit(2)
    return d


# ---------------------------------------------------------------- running

def run(t, args):
    base = os.path.join(WORK, t)
    crashes = os.path.join(base, "crashes")
    os.makedirs(crashes, exist_ok=True)
    seeds = committed_seeds(t)
    cmd = [binary(t), f"-max_len={TARGETS[t]}", "-timeout=25", "-rss_limit_mb=2560", "-print_final_stats=1",
           f"-artifact_prefix={crashes}/"]
    scratch = None
    if args.short:
        # A fresh copy of the committed seeds, a fixed seed and a fixed run count: the same
        # executions every time. The time cap only matters on a very slow machine.
        scratch = tempfile.mkdtemp(prefix=f"fuzz-{t}-")
        corpus = os.path.join(scratch, "corpus")
        shutil.copytree(seeds, corpus)
        cmd += ["-seed=1", f"-runs={args.runs or 10000}", "-max_total_time=240", "-reload=0", corpus]
    else:
        corpus = os.path.join(base, "corpus")
        os.makedirs(corpus, exist_ok=True)
        cmd += [f"-max_total_time={args.seconds}"]
        if args.runs:
            cmd += [f"-runs={args.runs}"]
        if args.keep_going:
            # Fuzzing goes on in child jobs past a crash, a timeout or an OOM; each input is kept.
            cmd += ["-fork=1", "-ignore_crashes=1", "-ignore_timeouts=1", "-ignore_ooms=1"]
        cmd += [corpus, seeds]  # new inputs go to the first directory only
    saved_before = set(os.listdir(crashes))
    start = time.time()
    log_path = os.path.join(base, "short-run.log" if args.short else "last-run.log")
    try:
        # Straight into the log: a long campaign shows its progress there (tail -f), and an
        # interrupted one (SIGINT to the fuzzer prints the final stats) keeps its figures.
        with open(log_path, "w") as f:
            f.write(" ".join(cmd) + "\n")
            f.flush()
            p = subprocess.run(cmd, env=env(), stdout=f, stderr=subprocess.STDOUT,
                               preexec_fn=fixed_addresses if args.short else None)
        corpus_size = len(os.listdir(corpus))
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    elapsed = time.time() - start
    with open(log_path, errors="replace") as f:
        out = f.read()
    m = re.search(r"stat::number_of_executed_units:\s*(\d+)", out)
    if m:
        runs = int(m.group(1))
    else:
        ms = re.findall(r"^#(\d+)[:\s]", out, re.M)  # "#N: cov: ..." in fork mode
        runs = int(ms[-1]) if ms else 0
    interrupted = "libFuzzer: run interrupted" in out
    saved = sorted(set(os.listdir(crashes)) - saved_before)
    crashed = (p.returncode != 0 and not interrupted) or bool(saved)
    cov = re.findall(r"cov: (\d+) ft: (\d+)", out)
    seed = re.search(r"Seed: (\d+)", out)
    rate = re.search(r"stat::average_exec_per_sec:\s*(\d+)", out)
    if not rate:  # fork mode prints no final stats; its status lines carry a running rate
        rate = ([None] + list(re.finditer(r"^#\d+:.* exec/s: (\d+)", out, re.M)))[-1]
    line = (f"fuzz: {t:17s} {runs:8d} runs {elapsed:7.1f} s  {rate.group(1) if rate else '?':>5s} exec/s  "
            f"cov {cov[-1][0] if cov else '?':>5s}  ft {cov[-1][1] if cov else '?':>6s}  corpus {corpus_size:5d}  "
            f"seed {seed.group(1) if seed else '?'}  ")
    line += "CRASH" if crashed else "interrupted" if interrupted else "ok"
    log(line)
    if saved and args.keep_going:
        for name in saved:
            log(f"  input:  {os.path.join(crashes, name)}")
        log(f"  log:    {log_path}")
    elif crashed:
        artifact = re.search(r"Test unit written to (\S+)", out)
        reason = re.search(r"(Fatal error: .*|ERROR: AddressSanitizer: .*|ERROR: libFuzzer: .*|SUMMARY: .*)", out)
        log(f"  reason: {reason.group(1) if reason else 'exit status ' + str(p.returncode)}")
        log(f"  input:  {artifact.group(1) if artifact else '(none written)'}")
        log(f"  log:    {log_path}")
    return runs, (len(saved) or 1) if crashed else 0


def minimize(t, path, seconds):
    out = path + ".min"
    cmd = [binary(t), "-minimize_crash=1", f"-max_total_time={seconds}", f"-exact_artifact_path={out}", path]
    subprocess.run(cmd, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    data = open(out, "rb").read() if os.path.exists(out) else open(path, "rb").read()
    log(f"fuzz: minimized to {len(data)} bytes: {out}")
    log("[" + ", ".join(f"0x{b:02x}" for b in data) + "]")
    p = subprocess.run([binary(t), out if os.path.exists(out) else path], env=env(), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors="replace")
    reason = re.search(r"(Fatal error: .*|ERROR: AddressSanitizer: .*|SUMMARY: .*)", p.stdout)
    log(f"fuzz: reproduces: {reason.group(1) if reason else 'no crash'}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--short", action="store_true",
                      help="each target briefly with -seed=1 from the committed seeds (make test)")
    mode.add_argument("--seconds", type=int, help="continue each target's campaign this long (make fuzz)")
    mode.add_argument("--minimize", nargs=2, metavar=("TARGET", "INPUT"), help="minimize a crash input")
    mode.add_argument("--write-seeds", action="store_true", help="regenerate Fuzz/Corpus/<target>/")
    ap.add_argument("--runs", type=int, help="executions per target (--short: 10000; --seconds: also stop there)")
    ap.add_argument("--keep-going", action="store_true",
                    help="with --seconds: go on past findings (libFuzzer -fork=1), keeping every input")
    ap.add_argument("--targets", default=",".join(TARGETS), help="comma-separated subset")
    ap.add_argument("--no-build", action="store_true", help="use the binaries already in .build-fuzz")
    args = ap.parse_args()

    if args.minimize:
        t, path = args.minimize
        if not args.no_build:
            build([t])
        minimize(t, path, 60)
        return 0
    targets = [t for t in args.targets.split(",") if t]
    for t in targets:
        if t not in TARGETS:
            log(f"fuzz: unknown target {t}; known: {', '.join(TARGETS)}")
            return 2
    if args.write_seeds:
        write_seeds(targets)
        return 0
    start = time.time()
    if not args.no_build:
        build(targets)
    total_runs = total_crashes = 0
    for t in targets:
        runs, crashes = run(t, args)
        total_runs += runs
        total_crashes += crashes
    log(f"fuzz: took {time.time() - start:.0f} s")
    log(f"fuzz: {len(targets)} targets, {total_runs} runs, {total_crashes} crashes")
    return 1 if total_crashes else 0


if __name__ == "__main__":
    sys.exit(main())
