#!/usr/bin/env python3
"""No retain placed after a read of its object's reference count (Makefile, SINGLE_THREADED_RC).

-assume-single-threaded turns a module's retains into calls to swift_nonatomic_retain. The Swift
compiler's LLVM ARC pass (swift-llvm-arc-optimize) knows those calls and sinks a retain past any
load, on the view that a load cannot release. But Embedded Swift's isUniquelyReferenced is the
stdlib's Swift code, inlined: a load of the refcount word and a compare with 1. A retain sunk
past it makes a copy look unique, so `var b = a; b[i] = x` writes into a's storage (the proof
image's hostile world saw its kept variable's name change under it). The Makefile builds those
modules with -disable-llvm-arc-opts; this check proves it: in each module's bitcode, no block
reads the refcount word (offset 8) of an object and then retains that object.

    check_retain_order.py OBJ.o...   fails, naming the functions, if a flagged module has one
    check_retain_order.py --self-test   compiles check_retain_order_fixtures/probe.swift with the
        flag alone (the check must find the sunk retain) and with the Makefile's flags (none)
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

GEP = re.compile(r"(%[\w.]+) = getelementptr inbounds (?:nuw )?i8, ptr (%[\w.]+), i64 8$")
LOAD = re.compile(r"%[\w.]+ = load (?:atomic )?i64, ptr (%[\w.]+)")
RETAIN = re.compile(r"@swift_(?:nonatomic_)?retain(?:_n)?\(ptr [^%,]*(%[\w.]+)")
BLOCK = re.compile(r"^[\w.]+:")


def ir_text(obj):
    """The textual IR of a bitcode object (clang reads the toolchain's bitcode; no pass runs)."""
    r = subprocess.run(["clang", "--target=aarch64-none-elf", "-x", "ir", "-S", "-emit-llvm",
                        "-Xclang", "-disable-llvm-passes", "-Wno-override-module", "-o", "-", obj],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.exit(f"check_retain_order: cannot read {obj}: {r.stderr.strip()}")
    return r.stdout


def sunk_retains(ir):
    """(function, object) for each retain that follows a read of that object's refcount."""
    found, fn, geps, read = [], None, {}, set()
    for line in ir.splitlines():
        if line.startswith("define "):
            fn, geps, read = re.search(r'@("[^"]+"|[\w$.]+)', line).group(1), {}, set()
            continue
        if fn is None:
            continue
        if line == "}" or BLOCK.match(line):
            read = set()
            fn = None if line == "}" else fn
            continue
        s = line.strip()
        m = GEP.match(s)
        if m:
            geps[m.group(1)] = m.group(2)
            continue
        m = LOAD.match(s)
        if m and m.group(1) in geps:
            read.add(geps[m.group(1)])
            continue
        m = RETAIN.search(s)
        if m and m.group(1) in read:
            found.append((fn, m.group(1)))
    return found


def check(objs):
    bad = 0
    for obj in objs:
        for fn, value in sunk_retains(ir_text(obj)):
            print(f"{obj}: {fn}: {value} retained after a read of its refcount (a uniqueness check)")
            bad += 1
    if bad:
        print(f"check_retain_order: {bad} retain(s) sunk past a uniqueness check: build these modules "
              "with -disable-llvm-arc-opts (Makefile, SINGLE_THREADED_FLAGS)")
    return bad == 0


def makefile_flags():
    text = open(os.path.join(ROOT, "Makefile")).read()
    return re.search(r"^SINGLE_THREADED_FLAGS := (.*)$", text, re.M).group(1).split()


def self_test():
    fixture = os.path.join(HERE, "check_retain_order_fixtures", "probe.swift")
    base = ["swiftc", "-target", "aarch64-none-none-elf", "-enable-experimental-feature", "Embedded",
            "-wmo", "-parse-as-library", "-Osize", "-Xcc", "-mgeneral-regs-only", "-module-name", "Probe",
            "-lto=llvm-full", "-c"]
    counts = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, flags in [("-assume-single-threaded alone", ["-Xfrontend", "-assume-single-threaded"]),
                            ("the Makefile's flags", makefile_flags())]:
            obj = os.path.join(tmp, "probe.o")
            subprocess.run(base + flags + ["-o", obj, fixture], check=True)
            counts[name] = len(sunk_retains(ir_text(obj)))
    alone, ours = counts.values()
    ok = alone > 0 and ours == 0
    print(f"check_retain_order self-test: {alone} sunk retain(s) found with -assume-single-threaded alone, "
          f"{ours} with the Makefile's flags: {'PASS' if ok else 'FAIL'}")
    return ok


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(0 if self_test() else 1)
    if not sys.argv[1:]:
        sys.exit(__doc__)
    sys.exit(0 if check(sys.argv[1:]) else 1)
