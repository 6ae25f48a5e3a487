#!/usr/bin/env python3
"""Proof tests in QEMU (issue 6): a hostile normal world attacks the secure world through the real
SMC conduit, and the secure world must answer every call as the specification says and keep its
variable store intact. `main(argv) -> (passed, failed)`, as qemu/tests.py."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from board import BOARD  # noqa: E402
from harness import BUILD, boot, check, finished, fresh_flash, run_suite  # noqa: E402

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn








def counts(b, seed):
    """The hostile command's summary for `seed`, as numbers."""
    section = b.output.split(f"hostile: seed {seed}", 1)
    check(len(section) == 2, f"hostile run with seed {seed} did not start", b)
    text = section[1].split("=> ", 1)[0]
    m = re.search(r"hostile: calls (\d+)", text)
    u = re.search(r"hostile: unexpected answers (\d+)", text)
    c = re.search(r"hostile: crashes (\d+)", text)
    check(m and u and c, f"hostile run with seed {seed} printed no summary", b)
    return int(m.group(1)), int(u.group(1)), int(c.group(1)), text


@test
def hostile_normal_world_thousands_of_malformed_calls():
    flash = fresh_flash("hostile", "proof")
    b = boot("el2", ["setenv -e -nv -bs -rt ProofKeep kept-before-the-attack",
                     "hostile 3000 0x5eed",
                     "printenv -e ProofKeep", "armffa ping 8001", "ffa parts",
                     "setenv -e -nv -bs -rt ProofAfter written-after", "printenv -e ProofAfter",
                     "poweroff"], flash=flash, timeout=180, image="proof")
    finished(b)
    calls, unexpected, crashes, text = counts(b, "0x5eed")
    check(calls >= 5000, f"only {calls} calls tried", b)
    check(unexpected == 0, f"{unexpected} unexpected answers", b)
    check(crashes == 0, "the secure world stopped answering correctly", b)
    for kind in ["NOT_SUPPORTED", "INVALID_PARAMETERS", "BUSY", "DENIED", "RETRY"]:
        check(re.search(rf"FF-A errors:.* {kind} \d+", text), f"no FF-A {kind} answer was provoked", b)
    for code in ["MM_NOT_SUPPORTED", "MM_INVALID_PARAMETER", "MM_DENIED"]:
        check(code in text, f"no {code} answer was provoked", b)
    for status in ["EFI_ACCESS_DENIED", "EFI_UNSUPPORTED", "EFI_INVALID_PARAMETER", "EFI_NOT_FOUND",
                   "EFI_BUFFER_TOO_SMALL"]:
        check(status in text, f"no {status} answer was provoked", b)
    check("HostileKeep intact yes" in text and "new variable written and deleted yes" in text,
          "the store did not survive the attack", b)
    check("hostile: PASS" in text, "hostile run did not pass", b)
    check("hostile: SMCCC register rules kept yes" in b, "x1..x17 not kept across SMCCC/PSCI/unknown calls", b)
    # The store and the FF-A paths still serve the shell's own commands afterwards.
    after = b.output.split("hostile: PASS", 1)[1]
    check("00000000: 6b 65 70 74 2d 62 65 66 6f 72 65" in after, "a variable set before the attack was lost", b)
    check("SP response:\n[LSB]\nfffffffe" in after, "the partition no longer answers a ping", b)
    check("0x8001  ed32d533-99e6-4209-9cc0-2d72cdd998a7" in after, "discovery fails after the attack", b)
    check("00000000: 77 72 69 74 74 65 6e 2d 61 66 74 65 72" in after, "no variable can be written after the attack", b)


@test
def hostile_store_survives_a_restart():
    """What the attack left in flash mounts again, with the variable it must keep."""
    flash = fresh_flash("hostile-restart", "proof")
    b1 = boot("el2", ["hostile 1000 42", "poweroff"], flash=flash, timeout=120, image="proof")
    finished(b1)
    _, unexpected, crashes, _ = counts(b1, "0x2a")
    check(unexpected == 0 and crashes == 0, "hostile run failed", b1)
    b2 = boot("el2", ["hostile 200 7", "poweroff"], flash=flash, timeout=120, image="proof")
    finished(b2)
    check("mm: the variable store could not be mounted" not in b2, "the store did not mount after the attack", b2)
    _, unexpected, crashes, _ = counts(b2, "0x7")
    check(unexpected == 0 and crashes == 0 and "hostile: PASS" in b2, "second hostile run failed", b2)


@test
def hostile_through_the_el2_stub_hvc_conduit():
    """The same attack from EL1 through our EL2 stub's HVC conduit: the stub forwards every call."""
    b = boot("hvc", ["hostile 1000 0x11", "poweroff"], flash=fresh_flash("hostile-hvc", "proof"), timeout=120,
             image="proof")
    finished(b)
    check("EL1 behind the EL2 stub" in b, "not at EL1 under the stub", b)
    calls, unexpected, crashes, text = counts(b, "0x11")
    check(calls >= 1500 and unexpected == 0 and crashes == 0 and "hostile: PASS" in text, "hostile run failed", b)


@test
def smccc_register_rules_at_el2_and_through_the_hvc_conduit():
    """SMCCC v1.2: a callee keeps x4..x17 unless they carry results. TRNG_VERSION (unknown, as Linux
    probes it with a pointer in x4), an unknown SMC64, SMCCC_VERSION/ARCH_FEATURES and
    PSCI_VERSION/FEATURES leave x1..x17 as the caller set them (0xA5A5_0000 + i); FF-A answers
    leave x8..x17. Checked register by register by the hostile world's first step."""
    for mode in ["el2", "hvc"]:
        b = boot(mode, ["hostile 1 0x10", "poweroff"], flash=fresh_flash(f"rules-{mode}", "proof"), timeout=90,
                 image="proof")
        finished(b)
        check("hostile: SMCCC register rules kept yes" in b, f"{mode}: a register was not kept", b)
        check("hostile: PASS" in b and "UNEXPECTED" not in b, f"{mode}: hostile run failed", b)


@test
def el1_registers_of_the_normal_world_survive_secure_calls():
    """Issue 12's world switch moves 11 EL1 registers and leaves 11 in place while the partition
    runs (world_context.h). At EL2 `el1keep` fills all 22 with patterns, makes calls answered at
    EL3 and direct requests the partition answers, and compares each register before and after."""
    b = boot("el2", ["el1keep", "poweroff"], flash=fresh_flash("el1keep", "proof"), timeout=90, image="proof")
    finished(b)
    check("el1keep: 22 EL1 registers, 2 patterns, 0 changed; PASS" in b, "an EL1 register changed across a call", b)


@test
def el1_registers_of_the_normal_world_survive_a_partition_fault():
    """The partition's exception state (ELR/SPSR/ESR/FAR_EL1) is neither saved nor loaded for it
    (world_context.h): when it faults in a request, its exception writes those four, and the
    monitor must still hand the normal world its own. `el1keep abort` fills the 22 EL1 registers,
    makes a non-volatile SetVariable that the partition, patched to fault where a new variable is
    inserted, ends with FFA_ABORT, then requests answered ABORTED, and compares every register."""
    flash = patch_partition("el1keep-fault", "$e9Variables16FlashVariableLogV6insert_4name", image="proof")
    b = boot("el2", ["el1keep abort", "poweroff"], flash=flash, timeout=90, image="proof")
    finished(b)
    check("secure: partition 0x8001 initialised" in b, "the patched partition did not start", b)
    check("el1keep: SetVariable in the faulting partition: failed" in b, "the SetVariable did not fail", b)
    check("secure: partition 0x8001 aborted; requests to it are answered ABORTED" in b,
          "the partition did not abort in the request", b)
    check("el1keep: 22 EL1 registers, 2 patterns, 0 changed; PASS" in b, "an EL1 register changed across the fault", b)


@test
def hostile_command_without_ffa_says_so():
    b = boot("plain", ["hostile 10", "version", "poweroff"], image="proof")
    finished(b)
    check("hostile: FF-A is absent" in b, "hostile did not explain that FF-A is absent", b)
    check("swift-ffa-firmware" in b, "the shell stopped", b)


@test
def bench_command_needs_icount_and_says_so():
    b = boot("el2", ["bench 1", "version", "poweroff"], flash=fresh_flash("bench", "bench"), image="bench")
    finished(b)
    check("bench: INST_RETIRED counts nothing: run QEMU with -icount shift=0" in b, "bench did not explain icount", b)
    check("swift-ffa-firmware" in b, "the shell stopped after bench", b)


@test
def bench_command_counts_both_worlds_under_icount():
    b = boot("el2", ["bench 3", "poweroff"], flash=fresh_flash("bench-icount", "bench"), extra="-icount shift=0",
             timeout=120, image="bench")
    finished(b)
    check("bench: done" in b and "bench: a variable call failed" not in b, "bench did not complete", b)
    figures = {m.group(1): {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(2))}
               for m in re.finditer(r"^bench: (\w+) ((?:\w+=\d+ ?)+)$", b.output, re.M)}
    check(figures.get("empty", {}).get("all", 99) <= 8, "an empty measurement is not empty", b)
    d = figures["direct_request_64"]
    check(d["el3"] > 0 and d["sel1"] > 0 and d["normal"] > 0, "a world was not counted", b)
    # The cycle counter (all, secure, el3, sel1) and INST_RETIRED (normal) agree.
    for name in ["smccc_version", "direct_request_64", "partition_info_get"]:
        f = figures[name]
        check(abs(f["all"] - f["normal"] - f["secure"]) <= 2, f"{name}: all != normal + secure", b)
        check(f["secure"] == f["el3"] + f["sel1"], f"{name}: secure != EL3 + S-EL1", b)
    check(figures["smccc_version"]["sel1"] == 0, "SMCCC_VERSION ran in the partition", b)


@test
def product_monitor_keeps_the_secure_side_from_normal_world_counters():
    """The product monitor writes MDCR_EL3 in TF-A's secure default (SPME clear, SCCD set): the
    proof build's `bench`, over the product secure world, counts its own instructions and not one
    of the secure world's. The bench monitor (test above) is what makes them visible."""
    b = boot("el2", ["bench 1", "poweroff"], flash=fresh_flash("bench-product", "proof"), extra="-icount shift=0",
             timeout=120, image="proof")
    finished(b)
    check("bench: done" in b and "bench: a variable call failed" not in b, "bench did not complete", b)
    figures = {m.group(1): {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(2))}
               for m in re.finditer(r"^bench: (\w+) ((?:\w+=\d+ ?)+)$", b.output, re.M)}
    for name in ["smccc_version", "direct_request_64", "get_variable"]:
        f = figures[name]
        check(f["normal"] > 0, f"{name}: the normal world was not counted", b)
        check(f["secure"] == 0 and f["el3"] == 0 and f["sel1"] == 0, f"{name}: the secure side was counted: {f}", b)
    for name in ["smccc_version", "direct_request_64"]:   # short calls: the two counters agree exactly
        check(abs(figures[name]["all"] - figures[name]["normal"]) <= 2, f"{name}: all != normal", b)


# --- secure-boot variables (issue 10, part 4) ------------------------------------------------

@test
def secure_boot_variables_refuse_unauthenticated_writes():
    """PK, KEK, db and the served secure-boot state cannot be written from the normal world, and
    the state reads as setup mode; nothing reaches the flash, across a restart."""
    flash = fresh_flash("secure-boot")
    writes = ["setenv -e -nv -bs -rt PK x", "setenv -e -nv -bs -rt KEK x", "setenv -e -nv -bs -rt db x",
              "setenv -e -nv -bs -rt dbx x", "setenv -e -nv -bs -rt SetupMode x", "setenv -e -bs -rt SecureBoot 0x01",
              "setenv -e -nv -bs -rt -at PK x", "setenv -e PK"]
    b = boot("el2", writes + ["printenv -e SecureBoot", "printenv -e SetupMode", "printenv -e AuditMode",
                              "printenv -e DeployedMode", "printenv -e PK", "printenv -e -n", "poweroff"], flash=flash)
    finished(b)
    for w in writes:
        answer = b.output.split("=> " + w + "\n", 1)
        check(len(answer) == 2, f"{w!r} not run", b)
        expected = "EFI_INVALID_PARAMETER" if " -at " in w else "EFI_WRITE_PROTECTED"  # -at: "x" is no descriptor
        check(answer[1].startswith("## Failed to set EFI variable: " + expected), f"{w!r} was not refused with {expected}", b)
    for name, value in [("SecureBoot", "00"), ("SetupMode", "01"), ("AuditMode", "00"), ("DeployedMode", "00")]:
        check(f"{name}:\n    8be4df61-93ca-11d2-aa0d-00e098032b8c (EFI_GLOBAL_VARIABLE_GUID)\n"
              f"    BS|RT, DataSize = 0x1\n    00000000: {value}" in b, f"{name} does not read {value} (BS|RT)", b)
    check("PK:\n    EFI_NOT_FOUND" in b, "PK exists", b)
    listing = b.output.split("=> printenv -e -n\n", 1)[1].split("=>", 1)[0]
    for name in ["SecureBoot:", "SetupMode:", "AuditMode:", "DeployedMode:", "VendorKeys:"]:
        check(name in listing, f"{name} not listed", b)
    check("PK:" not in listing and "KEK:" not in listing and "db:" not in listing, "a refused key was listed", b)
    again = boot("el2", ["printenv -e PK", "printenv -e SetupMode", "poweroff"], flash=flash)
    finished(again)
    check("PK:\n    EFI_NOT_FOUND" in again and "00000000: 01" in again, "a refused write reached the flash", again)
# --- EL3 traps (issue 10): system registers an OS touches never stop the machine ----------

def secure_log():
    with open(os.path.join(BUILD, "secure-uart.log"), errors="replace") as f:
        return f.read()


def sysregs_results(b):
    return dict(re.findall(r"^sysregs: (\w+) (= 0x[0-9a-f]+|UNDEFINED|exception .*)$", b.output, re.M))


def check_sysregs_run(b, readable, undefined):
    finished(b)
    regs = sysregs_results(b)
    check(len(regs) >= 50, f"only {len(regs)} registers probed", b)
    m = re.search(r"sysregs: (\d+) read, (\d+) UNDEFINED, (\d+) other exceptions; done", b.output)
    check(m, "sysregs did not run to its end", b)
    check(m.group(3) == "0", "a read raised something other than UNDEFINED", b)
    for r in readable:
        check(regs.get(r, "").startswith("= "), f"{r} did not read: {regs.get(r)}", b)
    for r in undefined:
        check(regs.get(r) == "UNDEFINED", f"{r} is not UNDEFINED here: {regs.get(r)}", b)
    check("swift-ffa-firmware" in b, "the shell stopped after sysregs", b)
    log = secure_log()
    # Every trap that reached EL3 came back as an UNDEFINED read the shell saw, and was logged.
    injected = re.findall(r"secure: UNDEFINED injected into NS-EL\d: trap EC 0x([0-9a-f]{2})", log)
    check(len(injected) <= int(m.group(2)), "the monitor logged more injected UNDEFs than the shell saw", b)
    check("SError" not in log, "an SError reached EL3", b)
    return regs, injected


# What an OS reads on QEMU's `-cpu max` (pointer auth, SVE, SME, RNG, CSV2_2, HCX, GICv3):
# each one was a trap to EL3 or is one if the monitor leaves its enable clear.
OS_REGISTERS = ["SCXTNUM_EL0", "SCXTNUM_EL1", "APIAKeyLo_EL1", "APIAKeyHi_EL1", "APGAKeyLo_EL1",
                "ZCR_EL1", "SMCR_EL1", "SVCR", "TPIDR2_EL0", "RNDR", "PMCCNTR_EL0", "MDSCR_EL1",
                "DBGBVR0_EL1", "OSLSR_EL1", "ICC_SRE_EL1", "ICC_PMR_EL1", "ICC_CTLR_EL1"]
EL2_REGISTERS = ["SCXTNUM_EL2", "ZCR_EL2", "SMCR_EL2", "HCRX_EL2", "MDCR_EL2", "ICC_SRE_EL2", "ICH_VTR_EL2"]


@test
def sysregs_at_el2_read_or_are_undefined_and_nothing_traps_to_el3():
    b = boot("el2", ["sysregs", "version", "poweroff"], flash=fresh_flash("sysregs", "proof"), image="proof")
    regs, injected = check_sysregs_run(b, OS_REGISTERS + EL2_REGISTERS, [])
    check(regs["ICC_SRE_EL2"] == "= 0xf", "ICC_SRE_EL2 is not SRE|DFB|DIB|Enable", b)
    check(regs["HFGRTR_EL2"] in ("UNDEFINED",) or regs["HFGRTR_EL2"].startswith("= "), "HFGRTR_EL2", b)
    check(not injected, "a register the CPU reports still traps to EL3: " + ", ".join(injected), b)


@test
def sysregs_at_el1_without_el2_read_or_are_undefined():
    b = boot("el1", ["sysregs", "version", "poweroff"], flash=fresh_flash("sysregs-el1", "proof"), image="proof")
    regs, injected = check_sysregs_run(b, OS_REGISTERS, EL2_REGISTERS)
    check(regs["ICC_SRE_EL1"] == "= 0x7", "the Non-secure ICC_SRE_EL1 is not SRE|DFB|DIB", b)
    check(not injected, "a register the CPU reports still traps to EL3: " + ", ".join(injected), b)


def proof_monitor_flash():
    """A copy of build/proof/flash0-trap.img (`make proof`: the monitor with SCXTNUM_ELx left
    trapped at EL3, and the proof normal world), blank store."""
    return fresh_flash("el3-traps", "trap")


def check_injected(b, el, registers):
    regs, injected = check_sysregs_run(b, [], registers)
    log = secure_log()
    lines = re.findall(rf"secure: UNDEFINED injected into NS-EL{el}: trap EC 0x18 \(trapped MSR/MRS/system "
                       rf"instruction\) ESR 0x([0-9a-f]+) ELR 0x([0-9a-f]+)", log)
    check(len(lines) == len(registers), f"{len(lines)} injected UNDEFs logged, expected {len(registers)}:\n{log}", b)
    # Each syndrome is an MRS (direction bit 0 = 1) of a different SCXTNUM_ELx, each from its own probe slot.
    check(all(int(esr, 16) & 1 for esr, _ in lines), "a logged trap is not a register read", b)
    check(len({elr for _, elr in lines}) == len(registers), "the same instruction was reported twice", b)


@test
def unserved_trap_at_el2_comes_back_undefined_and_the_machine_keeps_running():
    """The proof monitor leaves SCXTNUM trapped: each read traps to EL3, which hands it back to
    NS-EL2 as UNDEFINED through VBAR_EL2 + 0x200, logs it, and the shell goes on."""
    b = boot("el2", ["sysregs", "version", "poweroff"], flash=proof_monitor_flash(), image="trap")
    check_injected(b, 2, ["SCXTNUM_EL0", "SCXTNUM_EL1", "SCXTNUM_EL2"])


@test
def unserved_trap_at_el1_comes_back_undefined_at_el1():
    b = boot("el1", ["sysregs", "version", "poweroff"], flash=proof_monitor_flash(), image="trap")
    check_injected(b, 1, ["SCXTNUM_EL0", "SCXTNUM_EL1"])   # SCXTNUM_EL2 is UNDEFINED at EL1 itself


# --- memory (issue 10 part 2): RAM anywhere, any size, and RX/TX wherever RAM is -----------

GETPART = "armffa getpart 33d532ed-e699-0942-c09c-a798d9cd722d"
NUMA = ("-m 2G -smp 2 -object memory-backend-ram,id=m0,size=1G -object memory-backend-ram,id=m1,size=1G "
        "-numa node,memdev=m0 -numa node,memdev=m1")


def rxtx_high_session(extra, ranges, address, name):
    """Boots with `extra`, checks EL3 mapped exactly `ranges`, moves RX/TX to `address` and
    discovers the partition through it, then uses variables and moves the pair back."""
    b = boot("el2", ["dt", f"rxtx {address:#x}", "armffa devlist", "ffa parts", GETPART,
                     f"setenv -e -nv -bs Mem{name} high", f"printenv -e Mem{name}",
                     "rxtx default", "ffa parts", "poweroff"],
             flash=fresh_flash(f"mem-{name}", "proof"), extra=extra, timeout=60, image="proof")
    finished(b)
    mapped = re.findall(r"secure: normal-world RAM (0x[0-9a-f]+)-(0x[0-9a-f]+) mapped at EL3", b.output)
    check(sorted((int(a, 16), int(e, 16) + 1) for a, e in mapped) == sorted(ranges),
          f"EL3 mapped {mapped}, expected {ranges}", b)
    for base, end in ranges:
        check(f"memory: {base:#x} size {end - base:#x}" in b, f"the DTB does not list RAM at {base:#x}", b)
    check(f"rxtx: TX {address:#x}, RX {address + 0x10000:#x} mapped" in b, "RX/TX not mapped high", b)
    check(f"TX {address:#x}, RX {address + 0x10000:#x}" in b.output.split("=> armffa devlist", 1)[1],
          "the driver does not use the high pair", b)
    after = b.output.split("=> ffa parts", 1)[1]
    check("1 partition(s):\n  0x8001  ed32d533-99e6-4209-9cc0-2d72cdd998a7" in after,
          "ffa parts failed with RX/TX high", b)
    check("Partition: id = 8001 , exec_ctxt 1 , properties 301" in after, "armffa getpart failed with RX/TX high", b)
    check("00000000: 68 69 67 68" in after, "variables fail with RX/TX high", b)
    back = after.split("=> rxtx default", 1)[1]
    check("mapped" in back and "0x8001  ed32d533" in back, "the pair did not move back", b)
    check("unexpected" not in b.output and "***" not in b.output, "a crash or unexpected trap", b)
    return b


@test
def memory_1g_el3_maps_exactly_1g_and_refuses_rxtx_beyond_it():
    b = boot("el2", ["rxtx 0xbe440000", "ffa parts", "poweroff"], flash=fresh_flash("mem-1g", "proof"), timeout=60,
             image="proof")
    finished(b)
    check("secure: normal-world RAM 0x40000000-0x7fffffff mapped at EL3" in b, "EL3 did not map 1 GiB", b)
    check("rxtx: the pair is not inside one RAM range of the device tree" in b, "rxtx outside RAM not refused", b)
    check("0x8001  ed32d533" in b, "discovery broke", b)


@test
def memory_2g_rxtx_at_uboots_heap_address():
    """-m 2G with RX/TX where a stock U-Boot puts them (0xBE44_xxxx): EL3 writes there."""
    rxtx_high_session("-m 2G", [(0x4000_0000, 0xC000_0000)], 0xBE44_0000, "2g")


@test
def memory_4g_rxtx_above_4gib():
    rxtx_high_session("-m 4G", [(0x4000_0000, 0x1_4000_0000)], 0x1_3000_0000, "4g")


@test
def memory_two_numa_nodes_on_two_cores():
    """Two /memory nodes (QEMU NUMA), a second core parked by the monitor, RX/TX in node 1."""
    b = rxtx_high_session(NUMA, [(0x4000_0000, 0x8000_0000), (0x8000_0000, 0xC000_0000)], 0xA000_0000, "numa")
    check("2 memory range(s)" in b, "the monitor did not see two memory nodes", b)


@test
def memory_hostile_world_with_rxtx_above_4gib():
    """The hostile world maps, abuses and reads RX/TX pairs above 4 GiB (its scratch pair)."""
    b = boot("el2", ["rxtx 0x130000000", "hostile 300 0x46", "poweroff"], flash=fresh_flash("mem-hostile", "proof"),
             extra="-m 4G", timeout=180, image="proof")
    finished(b)
    check("rxtx: TX 0x130000000, RX 0x130010000 mapped" in b, "RX/TX not moved above 4 GiB", b)
    _, unexpected, crashes, text = counts(b, "0x46")
    check(unexpected == 0 and crashes == 0 and "hostile: PASS" in text, "hostile run above 4 GiB failed", b)


@test
def memory_too_small_for_bl33_stops_with_a_reason():
    """-m 512M leaves nothing at BL33's base: the monitor says so instead of faulting."""
    b = boot("el2", [], flash=fresh_flash("mem-512m"), extra="-m 512M", timeout=30,
             until="does not fit normal-world RAM")
    check("secure: normal-world RAM 0x40000000-0x5fffffff mapped at EL3" in b, "EL3 did not map 512 MiB", b)
    check(f"bytes) does not fit normal-world RAM at {BOARD.BL33_BASE:#010x}; halting" in b, "no reason given", b)
    check("***" not in b.output, "the monitor crashed", b)


@test
def wx_in_the_monitor_and_the_partition():
    """AT S1E3W / S1E1W / S1E2W confirm text and rodata are read-only and data writable, in all
    three images; WXN is set in the monitor and the partition."""
    flash = fresh_flash("wx")
    b = boot("el2", ["setenv -e -nv -bs WX ok", "printenv -e WX", "poweroff"], flash=flash)
    finished(b)
    check("secure: W^X at EL3: text read-only, data execute-never, SCTLR_EL3.WXN set" in b, "no W^X at EL3", b)
    with open(os.path.join(os.path.dirname(flash), "secure-uart.log"), errors="replace") as f:
        secure = f.read()
    check("mm: W^X at S-EL1: text read-only, data execute-never, SCTLR_EL1.WXN set" in secure,
          "no W^X in the partition:\n" + secure[-1000:])
    check("00000000: 6f 6b" in b, "variables do not work under W^X", b)
    check("normal: image W^X (text read-only, data execute-never)" in b, "no W^X in the normal world at EL2", b)
    for mode in ["el1", "hvc"]:
        b = boot(mode, ["setenv -e -nv -bs WX ok", "printenv -e WX", "poweroff"], flash=fresh_flash(f"wx-{mode}"))
        finished(b)
        check("normal: image W^X (text read-only, data execute-never)" in b, f"no W^X in the normal world ({mode})", b)
        check("00000000: 6f 6b" in b, f"variables do not work under W^X ({mode})", b)
        # The runtime services under W^X, called by the proof build's test OS (`exitbs`).
        b = boot(mode, ["setenv -e -nv -bs BootTest bs", "exitbs", "poweroff"],
                 flash=fresh_flash(f"wx-exitbs-{mode}", "proof"), image="proof")
        finished(b)
        check("normal: image W^X (text read-only, data execute-never)" in b, f"no W^X in the proof normal world ({mode})", b)
        check("runtime: 7 calls, 0 unexpected" in b, f"runtime services fail under W^X ({mode})", b)


# --- ExitBootServices and the runtime services (issue 5): the test OS of `exitbs` ----------
# The product's ExitBootServices is bootefi's boot service, which Linux calls (make test-linux);
# `exitbs` and its test OS (RuntimeCaller) are proof code.

@test
def exitbs_runtime_caller_uses_only_the_runtime_region():
    flash = fresh_flash("exitbs", "proof")
    b = boot("el2", ["setenv -e -nv -bs BootTest bs", "setenv -e -nv -bs -rt KeepRt rt", "exitbs",
                     "printenv -e -n -all", "poweroff"], flash=flash, image="proof")
    finished(b)
    check("exitbs: MM EXIT_BOOT_SERVICE: EFI_SUCCESS" in b, "EXIT_BOOT_SERVICE not sent", b)
    check("exitbs: FFA_RXTX_UNMAP done" in b, "RX/TX not unmapped", b)
    check("RT properties 0x2470" in b, "RT properties do not tell the truth (variables and ResetSystem)", b)
    for line in ["SetVariable(RtVar, NV|BS|RT) -> EFI_SUCCESS", "GetVariable(RtVar) -> EFI_SUCCESS (7)",
                 "GetVariable(RtVar) with 2 bytes -> EFI_BUFFER_TOO_SMALL (7)",
                 "GetVariable(BootTest, BS only) -> EFI_NOT_FOUND",
                 "SetVariable(BootTest, BS only) -> EFI_WRITE_PROTECTED",
                 # KeepRt, RtVar and the five secure-boot state variables the partition serves
                 "GetNextVariableName to the end -> EFI_NOT_FOUND (7)",
                 "QueryVariableInfo(NV|BS|RT) -> EFI_SUCCESS", "runtime: 7 calls, 0 unexpected"]:
        check(line in b, f"runtime caller: missing {line!r}", b)
    after = b.output.split("=> printenv -e -n -all")[1]
    check("BootTest" not in after and "KeepRt:" in after, "BS-only variable visible after ExitBootServices", b)


@test
def exitbs_boot_code_is_not_executable_at_runtime():
    b = boot("el2", ["exitbs probe"], until="system halted", timeout=20, image="proof")
    check("EC 0x21 (instruction abort)" in b, "boot-time code still executable after exitbs", b)


# --- A full store and a partition that faults (issue 10, part 1) ---------------------------

FILL_GUID = "53544f52-4546-494c-4c53-544f52450001"   # the vendor `fillstore` writes under


@test
def a_full_store_boots_again_and_reads_back():
    """14,000 SetVariable calls through the real MM path fill the store (the count limit
    refuses the 4097th); the next boot from the same flash mounts it, reaches the shell and
    reads the variables back, and the store still takes changes."""
    flash = fresh_flash("full-store", "proof")
    b1 = boot("el2", ["fillstore 14000", "varinfo", "poweroff"], flash=flash, timeout=300, image="proof")
    finished(b1)
    m = re.search(r"fillstore: (\d+) variables set, V\d+ refused: (\w+)", b1.output)
    check(m and m.group(2) == "EFI_OUT_OF_RESOURCES", "the store was not refused as full", b1)
    filled = int(m.group(1))
    check(filled >= 4000, f"only {filled} variables fitted", b1)
    check("NV|BS|RT: maximum storage 687384, remaining 0, maximum variable size 0" in b1,
          "QueryVariableInfo does not show the store full", b1)
    b2 = boot("el2", [f"printenv -e -guid {FILL_GUID} V0", f"printenv -e -guid {FILL_GUID} V{filled - 1}",
                      f"setenv -e -guid {FILL_GUID} V0", f"setenv -e -guid {FILL_GUID} -nv -bs -rt Again yes",
                      f"printenv -e -guid {FILL_GUID} Again", "poweroff"], flash=flash, timeout=120, image="proof")
    finished(b2)
    check("secure: partition 0x8001 initialised" in b2, "the partition did not mount the full store", b2)
    check("normal: UEFI variables over FF-A, MM partition 0x8001" in b2, "variables are not served by the partition", b2)
    check(f"mm: non-volatile variables: {filled}" in secure_log(), "the partition mounted another count", b2)
    check(b2.output.count("NV|BS|RT, DataSize = 0x1\n    00000000: 78") == 2, "stored variables not read back", b2)
    check("00000000: 79 65 73" in b2, "the store takes no change after removing one", b2)



@test
def a_store_filled_past_the_limits_by_older_firmware_mounts():
    """A flash like the one issue 10 left, where `setenv -e -nv -bs -rt V<i> x` wrote 10,800
    variables before the store had limits (here three blocks full of them, over 12,000). The
    partition's mount ran out of heap and the machine never reached BL33; now it keeps 4096,
    makes the rest obsolete once, and every later boot agrees."""
    from powercut import BLOCK, STORE, encode_block_header, encode_record   # the store's encoders
    flash = fresh_flash("old-full-store")
    store = bytearray(b"\xff" * (4 * BLOCK))
    i = 0
    for b in range(3):
        records, used = [], 32
        while True:
            rec = encode_record(f"V{i}", b"x")
            if used + len(rec) > BLOCK - 56 - 512:
                break
            records.append(rec)
            used += len(rec)
            i += 1
        store[b * BLOCK:b * BLOCK + 32] = encode_block_header(b + 1)
        store[b * BLOCK + 32:b * BLOCK + used] = b"".join(records)
    written = i
    check(written > 12_000, f"only {written} records crafted")
    with open(flash, "r+b") as f:
        f.seek(STORE)
        f.write(store)
    b1 = boot("el2", ["printenv -e V0", "printenv -e V4095", f"printenv -e V{written - 1}", "poweroff"],
              flash=flash, timeout=180)
    finished(b1)
    check("secure: partition 0x8001 initialised" in b1, "the partition did not mount the store", b1)
    log = secure_log()
    check("mm: non-volatile variables: 4096" in log, "the mount did not keep the count limit:\n" + log[-500:], b1)
    check(f"made obsolete: {written - 4096}" in log, "the excess was not made obsolete:\n" + log[-500:], b1)
    check(b1.output.count("NV|BS|RT, DataSize = 0x1\n    00000000: 78") == 2, "kept variables not read back", b1)
    check(f"V{written - 1}:\n    EFI_NOT_FOUND" in b1, "a variable past the limit is served", b1)
    b2 = boot("el2", ["printenv -e V4095", "poweroff"], flash=flash, timeout=60)
    finished(b2)
    check("mm: non-volatile variables: 4096" in secure_log() and "made obsolete" not in secure_log(),
          "the second mount differs", b2)


def patch_partition(name, symbol_prefix, image="product"):
    """A copy of the flash (`image`'s) whose MM partition has `udf #0` at the first instruction of
    the function whose (mangled) name starts with `symbol_prefix` (found in build/partition.map)."""
    address = None
    with open(os.path.join(BUILD, "partition.map")) as f:
        for line in f:
            fields = line.split()
            if len(fields) == 5 and fields[4].startswith(symbol_prefix):
                address = int(fields[0], 16)
                break
    check(address is not None, f"no symbol {symbol_prefix} in partition.map")
    flash = fresh_flash(name, image)
    with open(flash, "r+b") as f:
        f.seek(BOARD.PARTITION_FLASH_OFFSET + address - BOARD.PARTITION_BASE)   # its image in flash
        f.write(b"\x00\x00\x00\x00")                # udf #0
    return flash


def check_partition_aborted(b, when):
    check(not b.timed_out, "the machine hung after the partition faulted", b)
    log = secure_log()
    check("*** unexpected exception at EL1" in log and "EC 0x00" in log and "FFA_ABORT to the SPMC" in log,
          "the partition did not report its fault:\n" + log[-1500:], b)
    check("*** secure: the MM partition reported a fatal error (FFA_ABORT)" in b, "the monitor did not log the abort", b)
    check("normal: variables are volatile: the MM partition does not answer" in b, "variables not reported unavailable", b)
    check("00000000: 76 6f 6c" in b, "the volatile fallback does not work", b)
    check("=> armffa ping 8001\nFF-A error: ABORTED" in b, f"requests {when} are not answered ABORTED", b)


@test
def a_partition_that_faults_while_mounting_is_aborted_and_bl33_boots():
    # A blank store: mounting it opens a block first (the image is linked whole, so the mount
    # itself is inlined into partition_main; openBlock stays a function).
    flash = patch_partition("fault-mount", "$e9Variables16FlashVariableLogV9openBlock")
    b = boot("el2", ["setenv -e -nv -bs -rt Vol vol", "printenv -e Vol", "armffa ping 8001", "poweroff"],
             flash=flash, timeout=60)
    finished(b)
    check("secure: partition 0x8001 aborted during initialisation; booting without it" in b,
          "the monitor did not boot BL33 past the aborted partition", b)
    check_partition_aborted(b, "after the fault")


@test
def a_partition_image_with_a_bad_header_is_refused_and_bl33_boots():
    # The monitor copies only the bytes the image's header names (Startup/partition_entry.S):
    # no magic, or a size past the slot, and it does not load or enter the partition at all.
    import struct
    for name, offset, value, said in [
        ("bad-magic", 8, 0x4141414141414141, "the MM partition image in flash has no header"),
        ("bad-size", 16, BOARD.PARTITION_FLASH_SLOT + 8, "the MM partition image in flash claims"),
    ]:
        flash = fresh_flash("partition-" + name)
        with open(flash, "r+b") as f:
            f.seek(BOARD.PARTITION_FLASH_OFFSET + offset)
            f.write(struct.pack("<Q", value))
        b = boot("el2", ["armffa ping 8001", "poweroff"], flash=flash, timeout=60)
        finished(b)
        check(said in b and "not loaded" in b, f"{name}: the monitor did not refuse the image clearly", b)
        check("entering the MM partition" not in b, f"{name}: the refused partition was entered", b)
        check("secure: partition 0x8001 failed to initialise" in b, f"{name}: the partition is not marked failed", b)
        check("normal: variables are volatile" in b, f"{name}: BL33 did not boot without the partition", b)
        check("=> armffa ping 8001\nFF-A error: ABORTED" in b, f"{name}: requests are not answered ABORTED", b)


@test
def a_partition_that_faults_in_a_request_answers_aborted_and_bl33_goes_on():
    flash = patch_partition("fault-request", "$e9Variables17MMVariableHandlerV6handle7message")   # every MM request
    b = boot("el2", ["setenv -e -nv -bs -rt Vol vol", "printenv -e Vol", "armffa ping 8001", "poweroff"],
             flash=flash, timeout=60)
    finished(b)
    check("secure: partition 0x8001 initialised" in b, "the partition did not start", b)
    check("secure: partition 0x8001 aborted; requests to it are answered ABORTED" in b,
          "the monitor did not mark the partition aborted", b)
    check("MM GET_PAYLOAD_SIZE failed: EFI_DEVICE_ERROR" in b, "the first request was not failed", b)
    check_partition_aborted(b, "after the fault")


@test
def string_routines_match_byte_loops_at_every_alignment():
    b = boot("el2", ["strtest", "poweroff"], flash=fresh_flash("strtest", "proof"), timeout=120, image="proof")
    finished(b)
    check(re.search(r"strtest: \d+ cases, 0 failures: PASS", b.output), "memcpy/memmove/memset differ from a byte loop", b)


@test
def hot_paths_allocate_nothing():
    """Allocator calls in every world, counted at gdbstub breakpoints (qemu/bench.py
    `allocations`): none for a direct request, a GetVariable, a SetVariable (a new value of the
    same size, written from the message into the value the store holds) or a GetNextVariableName
    (the previous name compared where it lies, the next, on the flash, copied from the flash into
    the message and from the message into the caller's buffer)."""
    import bench
    counts = bench.allocations()
    for call in ("direct_request", "get_variable", "set_variable", "get_next_variable_name"):
        check(sum(counts[call].values()) == 0, f"{call} allocates: {counts[call]}")


def main(argv):
    return run_suite(TESTS, argv, "proof tests")


if __name__ == "__main__":
    p, f = main(sys.argv)
    sys.exit(1 if f else 0)
