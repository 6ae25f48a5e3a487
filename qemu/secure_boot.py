"""Secure boot in QEMU (issue 15): keys enrolled by `varstore` into a blank store, then
authenticated writes from the shell, made by openssl and efitools as a user would make them."""
import os
import re
import shutil
import subprocess

from harness import BUILD, ROOT, boot, check, finished, fresh_flash

GLOBAL = "8be4df61-93ca-11d2-aa0d-00e098032b8c"
IMAGE_DB = "d719b2cb-3d3a-4596-a3bc-dad00e67656f"
OWNER = "11111111-2222-3333-4444-555555555555"
STORE_STATE = "0154d50a-9b51-4dfb-92b1-74f6e60da791"  # the store's own GUID (the mode mark)
# Where QEMU's loader puts the .auth files (normal-world RAM, clear of the DTB, the MM buffer
# and BL33).
LOAD = 0x5000_0000
STEP = 0x1_0000


def tools(directory):
    """Certificates and .auth files for the sequence, in `directory`."""
    subprocess.run([os.path.join(ROOT, "tools", "ensure-test-tools.sh")], check=True)
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)

    def run(*argv):
        subprocess.run(argv, cwd=directory, check=True, capture_output=True)

    for name in ["PK", "KEK", "db", "db2"]:
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "3650",
            "-subj", f"/CN=test {name}", "-keyout", f"{name}.key", "-out", f"{name}.crt")
    for name in ["PK", "KEK", "db", "db2"]:
        run("cert-to-efi-sig-list", "-g", OWNER, f"{name}.crt", f"{name}.esl")
    # Enrolment through the shell (make bench): PK self-signed, KEK by PK, db by KEK.
    run("sign-efi-sig-list", "-t", "2026-01-01 00:00:01", "-k", "PK.key", "-c", "PK.crt", "PK", "PK.esl", "PK.auth")
    run("sign-efi-sig-list", "-t", "2026-01-01 00:00:02", "-k", "PK.key", "-c", "PK.crt", "KEK", "KEK.esl", "KEK.auth")
    run("sign-efi-sig-list", "-t", "2026-01-01 00:00:03", "-k", "KEK.key", "-c", "KEK.crt", "db", "db.esl", "db.auth")
    open(os.path.join(directory, "empty"), "wb").close()
    run("sign-efi-sig-list", "-a", "-t", "2026-02-01 00:00:00", "-k", "KEK.key", "-c", "KEK.crt", "db", "db2.esl", "append.auth")
    run("sign-efi-sig-list", "-t", "2026-01-01 00:00:00", "-k", "KEK.key", "-c", "KEK.crt", "db", "db2.esl", "older.auth")
    run("sign-efi-sig-list", "-t", "2026-03-01 00:00:00", "-k", "PK.key", "-c", "PK.crt", "PK", "empty", "delete-pk.auth")
    with open(os.path.join(directory, "append.auth"), "rb") as f:
        tampered = bytearray(f.read())
    tampered[len(tampered) // 2] ^= 0x01
    with open(os.path.join(directory, "tampered.auth"), "wb") as f:
        f.write(tampered)


def varstore(*args):
    r = subprocess.run([os.path.join(BUILD, "varstore"), *args], cwd=ROOT, capture_output=True, text=True)
    check(r.returncode == 0, f"varstore {' '.join(args)} failed: {r.stderr}")
    return r.stdout


def enrolled_flash(name, image="product"):
    """A fresh flash whose blank store `varstore enroll` filled with openssl-made PK, KEK and db,
    and the directory of the keys and .auth files."""
    subprocess.run(["make", "-s", "varstore"], cwd=ROOT, check=True)
    directory = os.path.join(BUILD, f"test-{name}-keys")
    tools(directory)
    flash = fresh_flash(name, image)
    # efitools' owner, so that what varstore makes of the certificates is the .esl files byte for byte.
    varstore("--image", flash, "enroll", "--pk", f"{directory}/PK.crt", "--kek", f"{directory}/KEK.crt",
             "--db", f"{directory}/db.crt", "--owner", OWNER)
    listing = varstore("--image", flash, "list")
    for key in ["PK  ", "KEK  ", "db  "]:
        check(key in listing, f"varstore did not enrol {key.strip()}:\n{listing}")
    return flash, directory


def loaders(directory, files):
    """-device loader options putting `files` at LOAD, LOAD + STEP, ...; and their `-i` ranges."""
    extra, ranges = [], {}
    for i, f in enumerate(files):
        path = os.path.join(directory, f)
        extra.append(f"-device loader,file={path},addr={LOAD + i * STEP:#x},force-raw=on")
        ranges[f] = f"{LOAD + i * STEP:x}:{os.path.getsize(path):x}"
    return " ".join(extra), ranges


def answer(b, command):
    """What the shell printed after `command`, up to the next prompt."""
    parts = b.output.split("=> " + command + "\n", 1)
    check(len(parts) == 2, f"{command!r} not run", b)
    return parts[1].split("=> ", 1)[0]


DUMP = re.compile(r"^    ([0-9a-f]{8}): ((?:[0-9a-f]{2} ){1,16})", re.M)


def dumped(text):
    """The bytes of `printenv -e`'s hex dump in `text` (the first variable shown)."""
    out = bytearray()
    for m in DUMP.finditer(text):
        if int(m.group(1), 16) != len(out):
            break
        out += bytes.fromhex(m.group(2))
    return bytes(out)


def answers(b, command):
    """What the shell printed after each run of `command`, up to the next prompt."""
    parts = b.output.split("=> " + command + "\n")
    check(len(parts) >= 2, f"{command!r} not run", b)
    return [p.split("=> ", 1)[0] for p in parts[1:]]


def esl(directory, *names):
    data = b""
    for name in names:
        with open(os.path.join(directory, name + ".esl"), "rb") as f:
            data += f.read()
    return data


def check_values(b, flash, directory):
    """The keys' values byte for byte: as enrolled (varstore), PK, KEK and db in the shell; db
    after the append, in the shell and in `varstore get`, is the two signature lists in order."""
    for name, command in [("PK", "printenv -e PK"), ("KEK", "printenv -e KEK"), ("db", f"printenv -e -guid {IMAGE_DB} db")]:
        shown = dumped(answers(b, command)[0])
        check(shown == esl(directory, name), f"{name}'s value in the shell is not {name}.esl ({len(shown)} bytes)", b)
    after = answers(b, f"printenv -e -guid {IMAGE_DB} db")
    check(len(after) == 2 and dumped(after[1]) == esl(directory, "db", "db2"),
          "db after the append is not db.esl followed by db2.esl", b)
    stored = varstore("--image", flash, "get", "db", "--guid", IMAGE_DB, "--hex").strip()
    check(stored == esl(directory, "db", "db2").hex(), f"varstore get db is not db.esl + db2.esl: {stored[:80]}...")
    stored = varstore("--image", flash, "get", "KEK", "--hex").strip()
    check(stored == esl(directory, "KEK").hex(), "varstore get KEK is not KEK.esl")


def check_sequence(b, flash, ranges):
    finished(b)
    check(f"SetupMode:\n    {GLOBAL} (EFI_GLOBAL_VARIABLE_GUID)\n    BS|RT, DataSize = 0x1\n    00000000: 00" in b,
          "SetupMode does not read 0 after enrolment", b)
    for name in ["PK", "KEK", "-guid d719b2cb-3d3a-4596-a3bc-dad00e67656f db", "-all db"]:
        check("NV|BS|RT|AT, DataSize" in answer(b, f"printenv -e {name}"), f"{name} not present with AT", b)
    check("Failed to set EFI variable: EFI_WRITE_PROTECTED" in answer(b, "setenv -e -nv -bs -rt db x"),
          "an unauthenticated db write was not refused", b)
    append = f"setenv -e -nv -bs -rt -at -a -i {ranges['append.auth']} db"
    check("Failed" not in answer(b, append), "the KEK-signed append failed", b)
    tampered = f"setenv -e -nv -bs -rt -at -a -i {ranges['tampered.auth']} db"
    check("EFI_SECURITY_VIOLATION" in answer(b, tampered), "a tampered .auth was accepted", b)
    older = f"setenv -e -nv -bs -rt -at -i {ranges['older.auth']} db"
    check("EFI_SECURITY_VIOLATION" in answer(b, older), "an older timestamp was accepted", b)
    delete = f"setenv -e -nv -bs -rt -at -i {ranges['delete-pk.auth']} PK"
    check("Failed" not in answer(b, delete), "the PK-signed deletion of PK failed", b)
    after = b.output.split(delete, 1)[1]
    check(f"    BS|RT, DataSize = 0x1\n    00000000: 01" in after.split("printenv -e SetupMode", 1)[1],
          "SetupMode does not read 1 after PK's deletion", b)
    listing = varstore("--image", flash, "list")
    db = [line for line in listing.splitlines() if line.startswith("db  ")]
    check(len(db) == 1 and db[0].endswith("2 signature lists"), f"db is not two signature lists:\n{listing}")
    check(not any(line.startswith("PK  ") for line in listing.splitlines()), f"PK still stored:\n{listing}")


FILES = ["append.auth", "tampered.auth", "older.auth", "delete-pk.auth"]


def secure_boot_enrol_append_tamper_and_delete_pk():
    flash, directory = enrolled_flash("secureboot")
    extra, ranges = loaders(directory, FILES)
    commands = ["printenv -e SetupMode", "printenv -e PK", "printenv -e KEK", "printenv -e -guid d719b2cb-3d3a-4596-a3bc-dad00e67656f db", "printenv -e -all db",
                "setenv -e -nv -bs -rt db x",
                f"setenv -e -nv -bs -rt -at -a -i {ranges['append.auth']} db",
                f"printenv -e -guid {IMAGE_DB} db",
                f"setenv -e -nv -bs -rt -at -a -i {ranges['tampered.auth']} db",
                f"setenv -e -nv -bs -rt -at -i {ranges['older.auth']} db",
                f"setenv -e -nv -bs -rt -at -i {ranges['delete-pk.auth']} PK",
                "printenv -e SetupMode", "poweroff"]
    b = boot("el2", commands, flash=flash, extra=extra, timeout=60)
    check_sequence(b, flash, ranges)
    check_values(b, flash, directory)


def mode_bytes(b, boot_text=None):
    """SetupMode, SecureBoot, AuditMode, DeployedMode as the last `printenv -e` of each showed them."""
    text = boot_text or b.output
    out = []
    for name in ["SetupMode", "SecureBoot", "AuditMode", "DeployedMode"]:
        shown = text.split(f"=> printenv -e {name}\n")
        check(len(shown) >= 2, f"{name} not read", b)
        value = dumped(shown[-1].split("=> ", 1)[0])
        out.append(value[0] if len(value) == 1 else None)
    return out


MODES = ["printenv -e SetupMode", "printenv -e SecureBoot", "printenv -e AuditMode", "printenv -e DeployedMode"]


def secure_log():
    with open(os.path.join(BUILD, "secure-uart.log"), errors="replace") as f:
        return f.read()


def secure_boot_audit_and_deployed_modes():
    """UEFI 2.10 §32.3's modes through the shell: setup → audit (AuditMode := 1) → deployed (PK
    enrolled) → a restart keeps deployed → setup (PK deleted by its owner) → user (PK enrolled)
    → audit (AuditMode := 1 deletes PK); the refused writes; the partition's log lines."""
    subprocess.run(["make", "-s", "varstore"], cwd=ROOT, check=True)
    directory = os.path.join(BUILD, "test-secureboot-modes-keys")
    tools(directory)
    flash = fresh_flash("secureboot-modes")
    extra, ranges = loaders(directory, ["PK.auth", "delete-pk.auth"])
    enrol = f"setenv -e -nv -bs -rt -at -i {ranges['PK.auth']} PK"
    delete = f"setenv -e -nv -bs -rt -at -i {ranges['delete-pk.auth']} PK"
    one = ["setenv -e -bs -rt DeployedMode =0x01", "setenv -e -bs -rt AuditMode =0x01", *MODES,
           "setenv -e -bs -rt AuditMode =0x00", enrol, *MODES, "setenv -e -bs -rt DeployedMode =0x00", "poweroff"]
    b = boot("el2", one, flash=flash, extra=extra, timeout=60)
    finished(b)
    check("EFI_WRITE_PROTECTED" in answers(b, "setenv -e -bs -rt DeployedMode =0x01")[0],
          "DeployedMode := 1 was taken in setup mode", b)
    check("Failed" not in answers(b, "setenv -e -bs -rt AuditMode =0x01")[0], "AuditMode := 1 failed in setup mode", b)
    audit = b.output.split(enrol, 1)[0]
    check(mode_bytes(b, audit) == [1, 0, 1, 0], f"not audit mode after AuditMode := 1: {mode_bytes(b, audit)}", b)
    check("EFI_WRITE_PROTECTED" in answers(b, "setenv -e -bs -rt AuditMode =0x00")[0],
          "AuditMode := 0 was taken in audit mode", b)
    check("Failed" not in answers(b, enrol)[0], "the self-signed PK was refused in audit mode", b)
    check(mode_bytes(b) == [0, 1, 0, 1], f"not deployed mode after PK's enrolment in audit mode: {mode_bytes(b)}", b)
    check("EFI_WRITE_PROTECTED" in answers(b, "setenv -e -bs -rt DeployedMode =0x00")[0],
          "DeployedMode := 0 was taken in deployed mode", b)
    log = secure_log()
    for line in ["mm: secure boot: DeployedMode can change only in user mode, before ExitBootServices: EFI_WRITE_PROTECTED",
                 "mm: secure boot: setup mode -> audit mode (AuditMode := 1)",
                 "mm: secure boot: AuditMode is read-only in audit and deployed mode and at runtime: EFI_WRITE_PROTECTED",
                 "mm: secure boot: audit mode -> deployed mode (PK enrolled)"]:
        check(line in log, f"the partition did not log: {line}\n{log}", b)
    listing = varstore("--image", flash, "list")
    check(listing.startswith("secure boot: deployed mode\n"), f"varstore does not read deployed mode:\n{listing}")

    two = [*MODES, delete, *MODES, enrol, *MODES, "setenv -e -bs -rt AuditMode =0x02",
           "setenv -e -bs -rt AuditMode =0x01", *MODES, "printenv -e PK", "poweroff"]
    b = boot("el2", two, flash=flash, extra=extra, timeout=60)
    finished(b)
    steps = b.output.split("=> " + delete, 1)
    check(len(steps) == 2 and mode_bytes(b, steps[0]) == [0, 1, 0, 1], "deployed mode did not survive the restart", b)
    check("Failed" not in answers(b, delete)[0], "the PK-signed deletion of PK failed in deployed mode", b)
    setup = steps[1].split("=> " + enrol, 1)[0]
    check(mode_bytes(b, setup) == [1, 0, 0, 0], f"not setup mode after deleting PK: {mode_bytes(b, setup)}", b)
    user = steps[1].split("=> " + enrol, 1)[1].split("AuditMode =0x02", 1)[0]
    check(mode_bytes(b, user) == [0, 1, 0, 0], f"not user mode after enrolling PK: {mode_bytes(b, user)}", b)
    check("EFI_INVALID_PARAMETER" in answers(b, "setenv -e -bs -rt AuditMode =0x02")[0], "AuditMode := 2 was taken", b)
    check("Failed" not in answers(b, "setenv -e -bs -rt AuditMode =0x01")[0], "AuditMode := 1 failed in user mode", b)
    check(mode_bytes(b) == [1, 0, 1, 0], f"not audit mode after AuditMode := 1 in user mode: {mode_bytes(b)}", b)
    check("EFI_NOT_FOUND" in answers(b, "printenv -e PK")[0], "PK is still there in audit mode", b)
    log = secure_log()
    for line in ["mm: secure boot: deployed mode -> setup mode (PK deleted)",
                 "mm: secure boot: setup mode -> user mode (PK enrolled)",
                 "mm: secure boot: AuditMode and DeployedMode take one byte, 0 or 1, with BS|RT: EFI_INVALID_PARAMETER",
                 "mm: secure boot: user mode -> audit mode (AuditMode := 1, PK deleted)"]:
        check(line in log, f"the partition did not log: {line}\n{log}", b)
    listing = varstore("--image", flash, "list")
    check(not any(line.startswith("PK  ") for line in listing.splitlines()), f"PK still stored:\n{listing}")
    check(listing.startswith("secure boot: audit mode\n"), f"varstore does not read audit mode:\n{listing}")
