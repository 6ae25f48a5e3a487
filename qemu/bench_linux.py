"""Runtime variable calls issued by an OS, for `make bench`: QEMU's instruction count (both
worlds, under -icount shift=0) of one SetVariable and one GetVariable that Debian's Linux makes
through our runtime services table after ExitBootServices (the UEFI boot of make test-linux:
/init writes LinuxNew through efivarfs, which then reads it back). Needs the kernel that
`make test-linux` fetched; skipped without it."""
import os
import subprocess
import tempfile

from bench import GDB, ICOUNT, QMP, free_port, symbol
from harness import BUILD, ROOT, fresh_flash
import linux_tests


def figures():
    kernel = os.path.join(linux_tests.LINUX, "Image")
    needed = [kernel, os.path.join(linux_tests.LINUX, "efirm")] + [
        os.path.join(linux_tests.LINUX, m) for m in linux_tests.MODULES + linux_tests.FETCHED_MODULES]
    if not all(os.path.exists(p) for p in needed):
        print("bench: no Linux in build/linux (make test-linux fetches it): OS runtime calls skipped")
        return None
    initrd = linux_tests.initramfs()
    elf = os.path.join(BUILD, "normal.elf")
    tmp = tempfile.mkdtemp(prefix="bench-linux-")
    port, qmp = free_port(), os.path.join(tmp, "qmp.sock")
    env = dict(os.environ, KERNEL=kernel, INITRD=initrd, APPEND=linux_tests.APPEND + " " + linux_tests.EFIVARS_MARK,
               QEMU_EXTRA=f"-m 1G {ICOUNT} -S -gdb tcp::{port} -qmp unix:{qmp},server=on,wait=off")
    console = open(os.path.join(tmp, "console.log"), "wb")
    proc = subprocess.Popen([os.path.join(ROOT, "qemu", "run.sh"), "el2", fresh_flash("bench-linux"), elf],
                            stdin=subprocess.PIPE, stdout=console, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    try:
        gdb, q = GDB(port), QMP(qmp)
        gdb.packet("?")
        # Autoboot runs bootefi; everything after ExitBootServices is the OS's.
        gdb.run_to(symbol(elf, "$e11NormalWorld8UEFIBootO16exitBootServices"))
        counts = {}
        for name, entry in (("set", "efi_runtime_set_variable"), ("get", "efi_runtime_get_variable")):
            gdb.run_to(symbol(elf, entry))
            start = q.icount()
            gdb.run_to(gdb.registers()[30])    # back in Linux's __efi_rt_asm_wrapper
            counts[name] = q.icount() - start
        return counts
    finally:
        proc.kill()
        proc.wait()
        console.close()


def rows(row):
    f = figures()
    if f is None:
        return
    row("SetVariable NV, 10 bytes, issued by Linux through the runtime services table (both worlds)", f["set"])
    row("GetVariable, 10 bytes, issued by Linux through the runtime services table (both worlds)", f["get"])


if __name__ == "__main__":
    print(figures())
