"""Secure boot in QEMU (issue 15): keys enrolled by `varstore` into a blank store, then
authenticated writes from the shell, made by openssl and efitools as a user would make them."""
import os
import shutil
import subprocess

from harness import BUILD, ROOT, boot, check, finished, fresh_flash

GLOBAL = "8be4df61-93ca-11d2-aa0d-00e098032b8c"
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
        run("cert-to-efi-sig-list", "-g", "11111111-2222-3333-4444-555555555555", f"{name}.crt", f"{name}.esl")
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
    varstore("--image", flash, "enroll", "--pk", f"{directory}/PK.crt", "--kek", f"{directory}/KEK.crt",
             "--db", f"{directory}/db.crt")
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
                f"setenv -e -nv -bs -rt -at -a -i {ranges['tampered.auth']} db",
                f"setenv -e -nv -bs -rt -at -i {ranges['older.auth']} db",
                f"setenv -e -nv -bs -rt -at -i {ranges['delete-pk.auth']} PK",
                "printenv -e SetupMode", "poweroff"]
    b = boot("el2", commands, flash=flash, extra=extra, timeout=60)
    check_sequence(b, flash, ranges)
