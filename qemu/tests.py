#!/usr/bin/env python3
"""QEMU tests: boot the images in every mode, drive the shell, check what it prints."""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from board import BOARD  # noqa: E402
from harness import BUILD, boot, check, finished, fresh_flash, run_suite  # noqa: E402

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn






# --- foundation: boot in every mode, the shell --------------------------------------------

@test
def tests_never_boot_the_users_flash():
    """The user's build/flash0.img (variables set with `make run`) is never booted by a test:
    the harness refuses it, so no test can add or drop a variable there (test_all.py also
    compares its store before and after the whole run)."""
    try:
        boot("el2", ["poweroff"], flash=os.path.join(BUILD, "flash0.img"))
    except ValueError as e:
        check("never the user's build/flash0.img" in str(e), f"refused for another reason: {e}")
    else:
        check(False, "the harness booted the user's build/flash0.img")


@test
def two_worlds_el2_boot_stages_and_shell():
    b = boot("el2", ["el", "version", "dt", "poweroff"])
    finished(b)
    for line in ["secure: EL3 monitor copied from flash to secure SRAM",
                 "secure: MMU and caches on",
                 f"secure: DTB at {BOARD.DTB_BASE:#010x}: added /psci (smc)",
                 f"secure: MM partition 0x8001 loaded at {BOARD.PARTITION_BASE:#010x}",
                 "secure: partition 0x8001 initialised",
                 f"secure: entering BL33 at {BOARD.BL33_BASE:#010x}",
                 "normal: Swift firmware entered at EL2",
                 "normal: MMU and caches on"]:
        check(line in b, f"missing boot line {line!r}", b)
    check("=> el\nEL2\n" in b, "el does not report EL2", b)
    check("swift-ffa-firmware" in b, "version missing", b)
    check("psci: method smc" in b, "dt does not show the /psci node the monitor added", b)
    mm = f"mm-buffer@{BOARD.MM_BUFFER_BASE:x} {BOARD.MM_BUFFER_BASE:#x} size {BOARD.MM_BUFFER_SIZE:#x}"
    check(f"reserved: {mm} no-map" in b, "MM buffer not reserved", b)
    check("secure: PSCI SYSTEM_OFF" in b, "poweroff did not reach the monitor", b)


@test
def two_worlds_el1_when_virtualization_off():
    b = boot("el1", ["el", "poweroff"])
    finished(b)
    check("normal: Swift firmware entered at EL1" in b and "=> el\nEL1\n" in b, "not at EL1", b)


@test
def plain_virt_el1_normal_image_alone():
    b = boot("plain", ["el", "dt", "poweroff"])
    finished(b)
    check("=> el\nEL1\n" in b, "not at EL1", b)
    check("psci: method hvc" in b, "QEMU's own PSCI node not read", b)
    check("secure:" not in b, "secure world output on plain virt", b)


@test
def plain_virt_el2_normal_image_alone():
    b = boot("plain-el2", ["el", "poweroff"])
    finished(b)
    check("=> el\nEL2\n" in b, "not at EL2", b)


@test
def shell_reports_unknown_commands_and_bad_arguments():
    b = boot("el2", ["frobnicate", "el extra", "version", "poweroff"])
    finished(b)
    check("Unknown command 'frobnicate' - try 'help'" in b, "unknown command not reported", b)
    check("'el' takes no arguments" in b, "bad arguments not reported", b)
    check("swift-ffa-firmware" in b, "the shell stopped working after errors", b)


@test
def shell_line_editing_backspace():
    b = boot("el2", ["verx\x7fsion", "helq\x08p", "poweroff"])
    finished(b)
    check("swift-ffa-firmware" in b, "backspace (DEL) not applied", b)
    check("poweroff" in b and "list the commands" in b, "backspace (BS) not applied", b)


@test
def help_lists_every_command():
    b = boot("el2", ["help", "poweroff"])
    finished(b)
    for c in ["help", "version", "el", "dt", "poweroff", "reset", "md"]:
        check(f"  {c}" in b, f"help misses {c}", b)
    for c in ["hostile", "bench", "sysregs", "irqtest", "rxtx", "fillstore", "exitbs"]:
        check(f"  {c} " not in b, f"the product shell offers the proof command {c}", b)


@test
def every_command_runs_its_own_function():
    """The product's command texts and functions are two lists in the same order
    (Commands.texts, Commands.runs): each command, given words it refuses, answers in its own
    name right after its prompt, so two entries out of order show here (but the plain printenv
    and setenv entries, which the shell reaches through their -e entries, never the table's)."""
    runs = [("version x", "'version' takes no arguments"), ("el x", "'el' takes no arguments"),
            ("dt x", "'dt' takes no arguments"), ("md", "usage: md <address> [<words>]"),
            ("poweroff x", "'poweroff' takes no arguments"), ("reset x", "'reset' takes no arguments"),
            ("ffa", "usage: ffa version|features|parts"),
            ("armffa", "usage: armffa getpart <uuid>|ping <id>|devlist"),
            ("printenv -e -x", "printenv: unknown option"), ("setenv", "usage: setenv -e [-guid <guid>]"),
            ("printenv nosuch", '## Error: "nosuch" not defined'), ("setenv 1+", "setenv: bad variable name"),
            ("varinfo x", "'varinfo' takes no arguments"), ("booti", "booti: wrong number of arguments"),
            ("qfw", "usage: qfw load"), ("bootefi", "usage: bootefi <addr>[:<size>]"),
            ("boot x", "'boot' takes no arguments")]
    b = boot("el2", [c for c, _ in runs] + ["poweroff"])
    finished(b)
    out = b.output.replace("\r", "")
    for command, answer in runs:
        at = out.find(f"=> {command}\n")
        check(at >= 0, f"no prompt for {command!r}", b)
        reply = out[at + 4 + len(command):].split("=> ", 1)[0]
        check(answer in reply, f"{command!r} did not answer {answer!r}", b)


@test
def crash_report_is_decoded():
    # No shell input faults any more (md reads through a fault exit), so a flash copy gets a
    # fault: `poweroff`'s code (Commands.psci) starts with `movz x0, #0x80, lsl #32; ldr x0, [x0]`,
    # a load from 0x80_0000_0000, which the map leaves out, with the MMU on at EL2.
    psci = map_address("normal.map", "$e11NormalWorld8CommandsO4psci")
    flash = fresh_flash("crash-report")
    with open(flash, "r+b") as f:
        f.seek(BOARD.BL33_PAYLOAD_OFFSET + psci - BOARD.BL33_BASE)
        f.write((0xD2C01000).to_bytes(4, "little") + (0xF9400000).to_bytes(4, "little"))
    b = boot("el2", ["poweroff"], flash=flash, until="system halted", timeout=20)
    os.remove(flash)
    check("unexpected exception at EL2" in b, "no crash report", b)
    check("EC 0x25 (data abort)" in b and "FAR 0x0000008000000000" in b, "crash report not decoded", b)
    check(f"ELR 0x{psci + 4:016x}" in b, "the report does not give the faulting instruction", b)
    check("unexpected exception at EL2: sync, current EL\n" in b, "the vector is not named", b)


# `ldur x9, [sp, #1]`: an 8-byte load one byte past the 16-byte aligned stack pointer.
UNALIGNED_LOAD = (0xF84013E9).to_bytes(4, "little")


def map_address(map_name, symbol_prefix):
    """The address of the function whose (mangled) name starts with `symbol_prefix`, from the
    link map build/<map_name>."""
    with open(os.path.join(BUILD, map_name)) as f:
        for line in f:
            fields = line.split()
            if len(fields) == 5 and fields[4].startswith(symbol_prefix):
                return int(fields[0], 16)
    raise AssertionError(f"no symbol {symbol_prefix} in {map_name}")


def check_alignment_fault(b, text, el, address):
    """`text` (a console log) holds the crash report of an alignment fault at `address`, at `el`."""
    import re
    m = re.search(r"unexpected exception at EL%d.*?ESR 0x([0-9a-f]{8})  ELR 0x([0-9a-f]{16})  FAR 0x([0-9a-f]{16})" % el,
                  text, re.S)
    check(m is not None, f"no crash report at EL{el}:\n" + text[-1500:], b)
    esr, elr, far = (int(g, 16) for g in m.groups())
    check(esr >> 26 == 0x25 and esr & 0x3F == 0x21, f"EL{el}: ESR {esr:#x} is not an alignment fault (EC 0x25, DFSC 0x21)", b)
    check(elr == address and far & 7 == 1, f"EL{el}: the fault is not the patched load at {address:#x} (ELR {elr:#x}, FAR {far:#x})", b)
    # The report's names (Console.vectorName, exceptionClassName: listed in one literal each)
    # are read with the MMU off too, the monitor's from its packed strings.
    check(re.search(r"unexpected exception at EL%d: sync, current EL\s+EC 0x25 \(data abort\)" % el, text) is not None,
          f"EL{el}: the report does not name the vector and the class", b)


@test
def an_unaligned_access_before_the_mmu_is_on_faults_as_on_silicon():
    # With the MMU off all memory is Device, where silicon faults on any unaligned access; QEMU
    # only does with SCTLR_ELx.A set, which every entry sets until the MMU is on (Makefile
    # STRICT_ALIGN: code built without strict alignment must never run then). Each image gets
    # an unaligned load as the first instruction of code that runs before its MMU is on.
    def patched(name, offset):
        flash = fresh_flash(name)
        with open(flash, "r+b") as f:
            f.seek(offset)
            f.write(UNALIGNED_LOAD)
        return flash

    # The normal world (BL33 in flash, linked at its base; .text.boot is not moved): at EL2, at EL1.
    early = map_address("normal.map", "$e8Platform8EarlyMapO6enable")
    normal = patched("unaligned-normal", BOARD.BL33_PAYLOAD_OFFSET + early - BOARD.BL33_BASE)
    for mode, el in (("el2", 2), ("el1", 1)):
        b = boot(mode, [], flash=normal, until="system halted", timeout=30)
        check_alignment_fault(b, b.output, el, early)
    os.remove(normal)

    # The MM partition at S-EL1, on UART0 (the secure UART is not chosen yet). Its FFA_ABORT
    # encoding is not built for a stack with the MMU off: a fault this early stops it there.
    early = map_address("partition.map", "$e8Platform8EarlyMapO6enable")
    partition = patched("unaligned-partition", BOARD.PARTITION_FLASH_OFFSET + early - BOARD.PARTITION_BASE)
    b = boot("el2", [], flash=partition, until="FFA_ABORT to the SPMC", timeout=30)
    check_alignment_fault(b, b.output, 1, early)
    os.remove(partition)

    # The monitor at EL3, which runs from flash's copy in secure SRAM at the same offset.
    main = map_address("monitor.map", "monitor_main")
    monitor = patched("unaligned-monitor", BOARD.MONITOR_FLASH_OFFSET + main - BOARD.MONITOR_BASE)
    b = boot("el2", [], flash=monitor, until="system halted", timeout=30)
    check_alignment_fault(b, b.output, 3, main)
    os.remove(monitor)


@test
def secondary_cores_park_in_secure_sram_not_in_flash():
    # The MM partition programs flash0, which then reads back status words: a core parked in a
    # loop in flash would run them (and, through VBAR_EL3 = 0, whatever lies at 0x200). QEMU's
    # monitor (Ctrl-A c) reports where the second core waits once the shell is up.
    import re
    with open(os.path.join(BUILD, "monitor.map")) as f:
        park = next(int(line.split()[0], 16) for line in f if line.split()[-3:] == ["__park", "=", "."])
    flash = fresh_flash("smp2")
    b = boot("el2", [], flash=flash, extra="-smp 2", timeout=30,
             then=("Type 'help'", ["\x01c", "info registers -a", "quit"]))
    os.remove(flash)
    pcs = dict(re.findall(r"CPU#(\d+)\s*\n\s*PC=([0-9a-f]+)", b.output))
    check(set(pcs) == {"0", "1"}, "no registers of the two cores", b)
    check(int(pcs["1"], 16) in (park, park + 4), f"the second core is at {pcs['1']}, not at __park {park:#x}", b)


@test
def reset_reboots_through_the_secure_world():
    b = boot("el2", ["reset"], until="normal: MMU and caches on", times=2, timeout=20)
    check("secure: PSCI SYSTEM_RESET" in b, "reset did not reach the monitor", b)
    check(b.output.count("secure: EL3 monitor copied") == 2, "the machine did not boot again", b)


@test
def secure_world_boots_a_foreign_bl33():
    """What `make run BL33=file` does: another payload packed where ours goes."""
    import subprocess
    fx = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "tiny_bl33.S")
    obj, elf, raw = (os.path.join(BUILD, "tiny_bl33" + e) for e in (".o", ".elf", ".bin"))
    flash = os.path.join(BUILD, "test-foreign.img")
    board = os.path.join(os.path.dirname(BUILD), "Sources", "Board", "include")
    for cmd in (["clang", "--target=aarch64-none-elf", "-nostdlib", "-I", board, "-c", "-o", obj, fx],
                ["ld.lld", f"-Ttext={BOARD.BL33_BASE:#x}", "-o", elf, obj],
                ["llvm-objcopy", "-O", "binary", elf, raw],
                [sys.executable, os.path.join(os.path.dirname(fx), "..", "mkflash.py"), "flash",
                 "--secure", os.path.join(BUILD, "secure.bin"), "--bl33", raw, "-o", flash]):
        subprocess.run(cmd, check=True)
    b = boot("el2", [], flash=flash)
    finished(b)
    check("tiny BL33: entered at EL2, x0 = DTB" in b, "foreign BL33 not entered like TF-A's BL33", b)


# --- GIC set up at EL3 (issue 10): the normal world takes its timer interrupts -------------

def check_irqtest(b, gic, el):
    finished(b)
    gicd, gicc, gicr = BOARD.GIC_DISTRIBUTOR, BOARD.GIC_CPU_INTERFACE, BOARD.GIC_REDISTRIBUTORS
    if gic == 3:
        check(f"secure: GICv3 distributor {gicd:#010x}, redistributor {gicr:#010x}: every interrupt Group 1 "
              "Non-secure, affinity routing on, redistributor awake" in b, "monitor did not set up the GICv3", b)
        check(f"irqtest: GICv3 (DTB: distributor {gicd:#x}, redistributors {gicr:#x}), ICC_SRE_EL{el} " in b,
              "the DTB's /intc does not match the monitor's GICv3", b)
    else:
        check(f"secure: GICv2 distributor {gicd:#010x}, CPU interface {gicc:#010x}" in b, "monitor did not set up the GICv2", b)
        check(f"irqtest: GICv2 (DTB: distributor {gicd:#x}, CPU interface {gicc:#x})" in b,
              "the DTB's /intc does not match the monitor's GICv2", b)
    if el == 2:
        check("irqtest: EL2 hypervisor timer (PPI 26): IRQ taken, INTID 26," in b, "no EL2 timer interrupt", b)
    check("irqtest: EL1 physical timer (PPI 30): IRQ taken, INTID 30," in b, "no EL1 timer interrupt", b)
    check("irqtest: PASS" in b, "irqtest failed", b)
    check("swift-ffa-firmware" in b, "the shell stopped after the interrupts", b)


@test
def gicv3_timer_interrupts_reach_ns_el2():
    check_irqtest(boot("el2", ["irqtest", "version", "poweroff"], image="proof"), 3, 2)


@test
def gicv3_timer_interrupts_reach_ns_el1_without_el2():
    check_irqtest(boot("el1", ["irqtest", "version", "poweroff"], image="proof"), 3, 1)


@test
def gicv2_timer_interrupts_reach_ns_el2_and_el1():
    check_irqtest(boot("el2", ["irqtest", "version", "poweroff"], gic=2, image="proof"), 2, 2)
    check_irqtest(boot("el1", ["irqtest", "version", "poweroff"], gic=2, image="proof"), 2, 1)


# --- FF-A driver against our SPMC (issue 4) ------------------------------------------------

FFA_SCRIPT = ["ffa version", "ffa features", "armffa devlist", "armffa getpart 33d532ed-e699-0942-c09c-a798d9cd722d",
              "armffa ping 8001", "ffa parts", "poweroff"]


def check_ffa_session(b, conduit):
    finished(b)
    check(f"FF-A 1.2 (SPMC 1.2), SMCCC 1.2, conduit {conduit}" in b, "FF-A 1.2 not negotiated", b)
    check("\n  FFA_VERSION                   supported, w2 0x0\n" in b
          and "\n  FFA_PARTITION_INFO_GET_REGS   supported, w2 0x0\n" in b
          and "\n  FFA_MSG_SEND_DIRECT_REQ2      supported, w2 0x0\n" in b
          and "\n  FFA_MEM_SHARE_64              NOT_SUPPORTED\n" in b, "ffa features: a call misnamed or misread", b)
    check("Partition: id = 8001 , exec_ctxt 1 , properties 301" in b, "getpart did not find 0x8001", b)
    check("SP response:\n[LSB]\nfffffffe" in b, "ping got no direct response", b)
    check("0x8001  ed32d533-99e6-4209-9cc0-2d72cdd998a7  contexts 1" in b, "ffa parts wrong", b)
    check("  properties 0x00000301 direct-req-recv aarch64 direct-req2-recv\n" in b, "ffa parts: properties misnamed", b)


@test
def ffa_discovery_and_ping_at_el2_smc():
    check_ffa_session(boot("el2", FFA_SCRIPT), "smc")


@test
def ffa_discovery_and_ping_at_el1_hvc_through_el2_stub():
    b = boot("hvc", ["el"] + FFA_SCRIPT)
    check("normal: shell at EL1 behind the EL2 stub" in b and "EL1 (entered at EL2" in b, "not at EL1 under the stub", b)
    check_ffa_session(b, "hvc")


@test
def ffa_at_el1_two_worlds():
    check_ffa_session(boot("el1", FFA_SCRIPT), "smc")


@test
def partition_without_boot_information_uses_its_built_in_map():
    # Our monitor enters the partition with x0 = 0, so it takes no FF-A boot information
    # (under TF-A it reads the manifest instead: qemu/tfa_tests.py, docs/tfa.md).
    b = boot("el2", ["poweroff"])
    finished(b)
    with open(os.path.join(BUILD, "secure-uart.log"), errors="replace") as f:
        log = f.read()
    check("mm: no FF-A boot information (x0 = 0): built-in map" in log, "x0 = 0 not taken as no boot information:\n" + log, b)
    check("mm: variable store mounted from flash" in log, "the store did not mount on the built-in map:\n" + log, b)


@test
def ffa_errors_are_named():
    b = boot("el2", ["armffa ping 8005", "armffa ping 0", "armffa getpart 00000000-0000-0000-0000-00000000000x",
                     "armffa getpart 11111111-2222-3333-4444-555555555555", "armffa ping 8001", "poweroff"])
    finished(b)
    check(b.output.count("FF-A error: INVALID_PARAMETERS") >= 3, "errors not reported by FF-A name", b)
    check("armffa: invalid UUID" in b, "bad UUID text accepted", b)
    check("SP response:" in b, "the driver did not recover after errors", b)


@test
def no_ffa_on_plain_virt_and_shell_keeps_working():
    for mode, reason in [("plain", "hvc conduit but no EL2"), ("plain-el2", "smc conduit but no EL3")]:
        b = boot(mode, ["ffa version", "armffa ping 8001", "version", "poweroff"])
        finished(b)
        check(f"normal: no FF-A ({reason})" in b, f"{mode}: absence not explained", b)
        check(f"FF-A is absent: {reason}" in b, f"{mode}: command did not say FF-A is absent", b)
        check("swift-ffa-firmware" in b, f"{mode}: the shell stopped", b)


# --- UEFI variables through the MM partition (issues 3 and 5) ------------------------------



@test
def variables_set_read_list_delete_over_ffa():
    flash = fresh_flash("vars")
    b = boot("el2", ["setenv -e -nv -bs -rt BootTest hello", "printenv -e BootTest",
                     "setenv -e -nv -bs -rt Second 0x01 0x02", "printenv -e -n",
                     "setenv -e BootTest", "printenv -e BootTest", "printenv -e -n", "varinfo",
                     'setenv -e -nv -bs -rt Quoted =S"a b"', "printenv -e Quoted",
                     "setenv -e -v -bs -rt Verbose hi", "poweroff"], flash=flash)
    finished(b)
    check("normal: UEFI variables over FF-A, MM partition 0x8001" in b, "FF-A transport not chosen", b)
    # A quoted value keeps its space: the shell splits the line as ShellWords does.
    check("NV|BS|RT, DataSize = 0x3\n    00000000: 61 20 62" in b, "a quoted value was split at its space", b)
    check("=> setenv -e -v -bs -rt Verbose hi\nVerbose:\n    8be4df61-93ca-11d2-aa0d-00e098032b8c (EFI_GLOBAL_VARIABLE_GUID)\n"
          "    BS|RT, DataSize = 0x2\n    00000000: 68 69" in b, "setenv -e -v did not show what it sets", b)
    check("NV|BS|RT, DataSize = 0x5\n    00000000: 68 65 6c 6c 6f" in b, "value not read back", b)
    check("BootTest:\n    8be4df61-93ca-11d2-aa0d-00e098032b8c (EFI_GLOBAL_VARIABLE_GUID)\n" in b, "vendor GUID misprinted", b)
    listing = b.output.split("=> printenv -e -n\n")
    check(len(listing) == 3 and "BootTest:" in listing[1] and "Second:" in listing[1], "listing wrong", b)
    check("BootTest:\n    EFI_NOT_FOUND" in b, "delete did not delete", b)
    check("BootTest" not in listing[2].split("=>")[0] and "Second:" in listing[2], "listing after delete wrong", b)
    check("NV|BS|RT: maximum storage 687384" in b, "QueryVariableInfo figures missing", b)


@test
def setenv_i_reads_only_mapped_ram():
    # setenv -e -i copies the value from memory: only from RAM the identity map mapped. An
    # address past it (2^48) stopped the machine with a translation fault; device registers and
    # a range running off the end of RAM are refused as well.
    ram_end = BOARD.RAM_BASE + BOARD.RAM_DEFAULT_SIZE
    b = boot("el2", ["setenv -e -bs -i 0x1000000000000:0x10 Far", f"setenv -e -bs -i {BOARD.UART0:#x}:0x10 Uart",
                     f"setenv -e -bs -i {ram_end - 8:#x}:0x10 Edge", f"setenv -e -bs -i {BOARD.RAM_BASE:#x}:0x10 Ram",
                     "printenv -e Far", "printenv -e Ram", "poweroff"])
    finished(b)
    check(b.output.count("setenv: -i range must be at most 64 KiB of mapped RAM") == 3, "an -i range outside RAM read", b)
    check("Far:\n    EFI_NOT_FOUND" in b, "a refused -i still set its variable", b)
    check("Ram:\n    8be4df61-93ca-11d2-aa0d-00e098032b8c (EFI_GLOBAL_VARIABLE_GUID)\n    BS, DataSize = 0x10" in b,
          "-i from RAM not set", b)


@test
def variables_persist_across_qemu_restarts():
    flash = fresh_flash("persist")
    b1 = boot("el2", ["setenv -e -nv -bs -rt Persist kept", "setenv -e -bs -rt Volatile gone", "poweroff"], flash=flash)
    finished(b1)
    b2 = boot("el2", ["printenv -e Persist", "printenv -e Volatile", "poweroff"], flash=flash)
    finished(b2)
    check("00000000: 6b 65 70 74" in b2, "non-volatile variable lost across restart", b2)
    check("Volatile:\n    EFI_NOT_FOUND" in b2, "volatile variable survived a restart", b2)


@test
def variables_errors_by_efi_name():
    flash = fresh_flash("errors")
    b = boot("el2", ["setenv -e -rt RtOnly x", "setenv -e -nv NvOnly x", "setenv -e Missing",
                     "setenv -e -nv -bs -rt", "printenv -e NoSuch", "poweroff"], flash=flash)
    finished(b)
    check(b.output.count("## Failed to set EFI variable: EFI_INVALID_PARAMETER") == 2, "attribute rules not enforced", b)
    check("## Failed to set EFI variable: EFI_NOT_FOUND" in b, "deleting a missing variable not refused", b)
    check("setenv: " in b and "usage: setenv" in b, "bad arguments not explained", b)
    check("NoSuch:\n    EFI_NOT_FOUND" in b, "missing variable not reported", b)


@test
def variables_are_volatile_on_plain_virt_and_say_so():
    b = boot("plain", ["setenv -e -nv -bs -rt BootTest hello", "printenv -e BootTest", "poweroff"])
    finished(b)
    check(b.output.count("normal: variables are volatile: no FF-A") == 1, "volatile fallback not announced once", b)
    check("00000000: 68 65 6c 6c 6f" in b, "volatile store does not work", b)


# --- set/way routines against the Cache model (issue 5) ------------------------------------

@test
def setway_routines_match_the_model_on_four_cpus():
    for cpu in ["cortex-a53", "cortex-a57", "cortex-a72", "max"]:
        b = boot("setway", ["poweroff"], cpu=cpu, timeout=120, image="proof")
        finished(b)
        check("setway: PASS" in b and "mismatches 0" in b, f"{cpu}: set/way operands differ from the model", b)


# --- booting an OS: qfw load, booti, autoboot (issue 13) -----------------------------------

def test_image():
    """build/test-image.bin: a tiny arm64 Image (qemu/fixtures/test_image.S) that reports its
    entry state and powers off."""
    import subprocess
    fx = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "test_image.S")
    obj, elf, raw = (os.path.join(BUILD, "test-image" + e) for e in (".o", ".elf", ".bin"))
    board = os.path.join(os.path.dirname(BUILD), "Sources", "Board", "include")
    for cmd in (["clang", "--target=aarch64-none-elf", "-nostdlib", "-I", board, "-c", "-o", obj, fx],
                ["ld.lld", "--image-base=0", "-Ttext=0", "-e", "_start", "-o", elf, obj],
                ["llvm-objcopy", "-O", "binary", elf, raw]):
        subprocess.run(cmd, check=True)
    return raw


ENTRY_OK = "test-image: entered at EL2 mmu-off Y dcache-off Y daif-masked Y x0-dtb Y x1-x3-zero Y"


@test
def autoboot_loads_the_qemu_kernel_and_booti_enters_it_as_booting_rst_says():
    b = boot("el2", [], flash=fresh_flash("autoboot"), kernel=test_image(), append="console=ttyAMA0 swiftfw=1")
    finished(b)
    for line in ["Hit any key to stop autoboot: 2", "qfw: loading kernel to 0x40400000",
                 "qfw: bootargs = console=ttyAMA0 swiftfw=1",
                 "booti: Image at 0x40400000, text_offset 0x0, image_size 0x400000, flags 0xa",
                 "Starting kernel at EL2", ENTRY_OK, "secure: PSCI SYSTEM_OFF"]:
        check(line in b, f"missing: {line}", b)
    check("Type 'help'" not in b, "the countdown did not boot", b)


@test
def booti_enters_at_el1_when_the_machine_has_no_el2():
    b = boot("el1", [], flash=fresh_flash("booti-el1"), kernel=test_image())
    finished(b)
    check("Starting kernel at EL1" in b and ENTRY_OK.replace("EL2", "EL1") in b, "not entered at EL1 as booting.rst says", b)


@test
def a_key_stops_autoboot_and_booti_refuses_what_it_must():
    image = test_image()
    b = boot("el2", ["", "booti 0x40400000 0x44000000",                      # raw initrd, no size
                     "qfw load", "booti 0x40000000",                          # the DTB: no header
                     "booti 0x40400000 0x90000000:1000",                      # initrd past 1 GiB of RAM
                     "booti 0x40400000 0x40000000:1000",                      # initrd over the DTB
                     "booti 0x40400000 - 0x90000000",                         # DTB outside RAM
                     "qfw load 0x5fe00000", "booti 0x5fe00000 -",             # 4 MiB over the firmware
                     "qfw load 0x40000000",                                   # over the DTB slot
                     "booti", "qfw load 0x40501000", "booti 0x40501000 -"],   # moved up to 2 MiB
             flash=fresh_flash("booti"), kernel=image, initrd=image)
    finished(b)
    check("Type 'help'" in b and b.output.index("Type 'help'") < b.output.index("qfw: loading"),
          "a key did not stop the countdown", b)
    for line in ["booti: no arm64 Image header (magic",
                 "booti: the initrd needs <addr>:<size>",
                 "booti: the initrd is empty or not inside RAM",
                 "booti: the initrd overlaps the device tree",
                 "booti: the device tree is not inside RAM",
                 "booti: the kernel would overlap the firmware",
                 "qfw: the kernel would not fit in free RAM at that address",
                 "booti: wrong number of arguments",
                 "booti: moving the kernel to 0x40600000", ENTRY_OK, "secure: PSCI SYSTEM_OFF"]:
        check(line in b, f"missing: {line}", b)
    check(b.output.count("Starting kernel") == 1, "booti started a kernel it should have refused", b)


def efi_app():
    """build/efi-app.bin: a tiny EFI application (qemu/fixtures/efi_app.S)."""
    import subprocess
    fx = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "efi_app.S")
    obj, elf, raw = (os.path.join(BUILD, "efi-app" + e) for e in (".o", ".elf", ".bin"))
    for cmd in (["clang", "--target=aarch64-none-elf", "-nostdlib", "-c", "-o", obj, fx],
                ["ld.lld", "--image-base=0", "-Ttext=0", "-e", "_start", "-o", elf, obj],
                ["llvm-objcopy", "-O", "binary", elf, raw]):
        subprocess.run(cmd, check=True)
    assert os.path.getsize(raw) == 0x4000, "efi_app.S outgrew its SizeOfImage"
    return raw


@test
def boot_runs_an_efi_application_whose_runtime_setvariable_persists():
    # Autoboot's `boot` sees MZ/PE and runs bootefi; after ExitBootServices the application sets
    # and reads a variable through the runtime services table and powers off with ResetSystem.
    flash = fresh_flash("efi-app")
    b = boot("el2", [], flash=flash, kernel=efi_app(), timeout=60, until="normal: Swift firmware entered", times=2)
    check(not b.timed_out, "QEMU timed out", b)
    for line in ["bootefi: PE image at", "efi-app: running", "bootefi: ExitBootServices", "secure: PSCI SYSTEM_OFF"]:
        check(line in b, f"missing: {line}", b)
    check("SYSTEM_RESET" not in b and b.output.count("normal: Swift firmware entered") == 1,
          "a runtime call failed (the application asked for a reset)", b)
    after = boot("el2", ["printenv -e -guid 8c1b5a9e-2f44-4d3b-9a51-6d0e7f3c2b10", "poweroff"], flash=flash)
    finished(after)
    check("EfiApp:" in after and "NV|BS|RT, DataSize = 0x4" in after and "de ad be ef" in after,
          "the runtime SetVariable did not reach the store", after)


@test
def bootefi_refuses_what_is_not_an_aarch64_efi_application():
    # The fixture is a plain arm64 Image (no MZ): `boot` keeps booti, bootefi refuses it.
    image = test_image()
    b = boot("el2", ["", "bootefi 0x40400000", "qfw load", "bootefi 0x40400000", "bootefi 0x40400000:0x1000 - 0x90000000",
                     "bootefi 0x90000000:0x1000", "bootefi 0x60000000:0x1000", "bootefi", "poweroff"],
             flash=fresh_flash("bootefi"), kernel=image, initrd=image)
    finished(b)
    for line in ["bootefi: the image needs its size (ADDR:SIZE) unless qfw load put it there",
                 "bootefi: not an AArch64 EFI application: no MZ/PE header",
                 "bootefi: the image is not in RAM", "usage: bootefi",
                 "bootefi: the image is not in free RAM (outside RAM, or over the firmware"]:
        check(line in b, f"missing: {line}", b)
    check("bootefi: PE image at" not in b and "Starting kernel" not in b, "bootefi started something", b)


@test
def bootefi_refuses_a_device_tree_outside_free_ram():
    # A tree given by address becomes EfiBootServicesData in the memory map the OS gets. One in
    # the MM buffer (reserved memory) was taken: the map then gave the OS the buffer and the
    # firmware's runtime region as memory to reclaim. A DTB header is staged there as the value
    # of a SetVariable, which EDK2's layout puts at offset 0x50 of the buffer: MM header (24),
    # SMM_VARIABLE_COMMUNICATE's function and status (16), the access header (36), the name "V".
    import struct
    header = struct.pack(">10I", 0xD00DFEED, 0x1000, 0x38, 0x48, 0x28, 17, 16, 0, 0, 0x10)
    b = boot("el2", ["", "qfw load", "setenv -e -bs V =H" + header.hex(),
                     f"bootefi {BOARD.KERNEL_LOAD:#x} - {BOARD.MM_BUFFER_BASE + 0x50:#x}", "poweroff"],
             flash=fresh_flash("bootefi-dtb"), kernel=efi_app(), timeout=60)
    finished(b)
    check("bootefi: the device tree is not in free RAM (outside RAM, or over the firmware, the device tree or "
          "reserved memory)" in b, "a device tree in the MM buffer was taken", b)
    check("efi-app: running" not in b and "as a configuration table" not in b, "bootefi went on", b)


@test
def shell_input_that_stopped_or_misled_the_firmware():
    # md where nothing answers (translation faults, an external abort from secure SRAM) says so
    # and the shell goes on, where the machine stopped; a line past 512
    # characters is refused whole, never run cut short (it turned a set into a delete); the
    # 65th shell variable says the environment is full.
    long_set = "setenv -e -bs Long " + " " * 490 + "=H0304"
    fill = [f"setenv v{i} 1" for i in range(64)]
    b = boot("el2", ["md 0x1000000000000 4", "md 0xfffffffffffffffc 2", f"md {BOARD.SECURE_SRAM_BASE:#x} 1",
                     f"md {BOARD.RAM_BASE:#x} 1", "setenv -e -bs Long kept", long_set, "printenv -e Long"]
             + fill + ["setenv v64 1", "version", "poweroff"], timeout=60)
    finished(b)
    check(b.output.count("md: nothing answers at ") == 3, "md did not refuse the addresses nothing answers at", b)
    check("md: nothing answers at 0x1000000000000\n" in b and "md: nothing answers at 0xfffffffffffffffc\n" in b
          and f"md: nothing answers at {BOARD.SECURE_SRAM_BASE:#x}\n" in b, "md did not name the address", b)
    check(f"{BOARD.RAM_BASE:08x}: " in b, "md did not read RAM", b)
    check("line longer than 512 characters: ignored" in b, "an over-long line was not refused", b)
    check("Long:\n    8be4df61-93ca-11d2-aa0d-00e098032b8c (EFI_GLOBAL_VARIABLE_GUID)\n    BS, DataSize = 0x4" in b,
          "the refused line changed the variable", b)
    check("setenv: environment full" in b, "a full environment not reported", b)
    check("=> version\nswift-ffa-firmware" in b, "the shell did not go on", b)


@test
def no_kernel_no_countdown_and_shell_variables_apart_from_uefi_ones():
    b = boot("el2", ["qfw load", "boot", "setenv bootargs console=ttyAMA0 rdinit=/init", "printenv bootargs",
                     "setenv -e -bs -rt bootargs uefi", "printenv -e bootargs", "printenv bootargs",
                     "setenv bootargs", "printenv bootargs", "setenv a=b c", "setenv first 1", "setenv second two words",
                     "printenv", "printenv second nosuch", "poweroff"], flash=fresh_flash("shellvars"))
    finished(b)
    check("Hit any key" not in b, "a countdown without a kernel", b)
    check(b.output.count("qfw: QEMU was given no kernel (-kernel)") == 2, "qfw/boot without a kernel", b)
    check(b.output.count("bootargs=console=ttyAMA0 rdinit=/init") == 2, "shell variable not kept apart", b)
    check("DataSize = 0x4" in b, "the UEFI variable of the same name is missing", b)
    check('## Error: "bootargs" not defined' in b, "setenv without a value did not delete", b)
    check("setenv: bad variable name" in b, "a bad name was accepted", b)
    every = b.output.split("=> printenv\n")[1].split("=> ")[0]
    check(every == "first=1\nsecond=two words\n", f"printenv lists {every!r}", b)
    some = b.output.split("=> printenv second nosuch\n")[1].split("=> ")[0]
    check(some == 'second=two words\n## Error: "nosuch" not defined\n', f"printenv of two names: {some!r}", b)


import secure_boot  # noqa: E402

test(secure_boot.secure_boot_enrol_append_tamper_and_delete_pk)
test(secure_boot.secure_boot_audit_and_deployed_modes)


def main(argv):
    return run_suite(TESTS, argv, "qemu tests")


if __name__ == "__main__":
    p, f = main(sys.argv)
    sys.exit(1 if f else 0)
