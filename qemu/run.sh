#!/bin/sh
# Boots the firmware in QEMU with the console on stdio. Modes (docs/boot.md):
#   el2   two worlds, BL33 entered at EL2 (default)      el1   two worlds, virtualization=off
#   hvc   two worlds, shell at EL1 behind our EL2 stub   plain normal image alone on -M virt (EL1)
#   plain-el2   normal image alone on -M virt,virtualization=on
#   setway  normal image alone at EL1 under its EL2 stub with HCR_EL2.TSW: set/way self-test
#           (the proof build only: build/proof/normal.elf, `make run-proof MODE=setway`)
# One normal.bin (beside the ELF) on other machines and load addresses, no secure world
# (docs/boards.md; board device trees from qemu/boards/fetch-dtbs.sh in build/boards/):
#   kernel      -M virt -kernel normal.bin: its Image header puts it at RAM base + 0x80000, EL1
#   loader@ADDR -M virt, normal.bin written at ADDR and started there (x0 = 0: the DTB is found
#               at the base of RAM)
#   uboot       -M virt with Debian's U-Boot (package u-boot-qemu, or UBOOT_QEMU=u-boot.bin) as
#               firmware and normal.bin at 0x4040_0000 for its `booti 0x40400000 - ${fdtcontroladdr}`
#   raspi3b     -M raspi3b -kernel normal.bin -dtb bcm2837-rpi-3-b.dtb: RAM at 0, loaded at
#               0x80000, console on the mini-UART (the second serial port)
#   raspi3b-pl011  the same with the PL011 (the first serial port) on stdio, for a DTB whose
#               stdout-path names it (QEMU_EXTRA="-dtb file": the last -dtb wins)
#   zcu102      -M xlnx-zcu102 -kernel normal.bin -dtb zynqmp-zcu102-rev1.0.dtb: Cortex-A53,
#               Cadence UART; QEMU_EXTRA="-m 4G" puts RAM at 0 and at 0x8_0000_0000
# Extra QEMU arguments come from QEMU_EXTRA (a later -m there overrides the 1 GiB below, e.g.
# QEMU_EXTRA="-m 4G"); CPU from QEMU_CPU (default max); the GIC from GIC_VERSION (default 3; 2
# gives a GICv2 with its memory-mapped CPU interface).
# KERNEL, INITRD and APPEND become -kernel, -initrd and -append: with firmware in flash QEMU only
# offers them through fw_cfg, where the normal world's `qfw load` and `boot` find them.
mode=${1:-el2}; flash=${2:-build/flash0.img}; elf=${3:-build/normal.elf}
bin=${elf%.elf}.bin
dtbs=${BOARD_DTBS:-build/boards}
set --
if [ -n "${KERNEL:-}" ]; then set -- "$@" -kernel "$KERNEL"; fi
if [ -n "${INITRD:-}" ]; then set -- "$@" -initrd "$INITRD"; fi
if [ -n "${APPEND:-}" ]; then set -- "$@" -append "$APPEND"; fi
cpu=${QEMU_CPU:-max}
gic=${GIC_VERSION:-3}
common="-cpu $cpu -m 1G -smp 1 -display none -serial mon:stdio -no-user-config -nodefaults"
stub=""
case "$mode" in
  el2)     machine="virt,secure=on,virtualization=on,gic-version=$gic" ;;
  hvc)     machine="virt,secure=on,virtualization=on,gic-version=$gic"
           stub="-fw_cfg name=opt/swiftfw/el2-stub,string=hvc" ;;
  setway)  exec qemu-system-aarch64 -M virt,virtualization=on,gic-version=$gic $common -semihosting -kernel "$elf" \
             -fw_cfg name=opt/swiftfw/el2-stub,string=setway $QEMU_EXTRA ;;
  el1)     machine="virt,secure=on,virtualization=off,gic-version=$gic" ;;
  plain)   exec qemu-system-aarch64 -M virt,gic-version=$gic $common -semihosting -kernel "$elf" $QEMU_EXTRA ;;
  kernel)  exec qemu-system-aarch64 -M virt,gic-version=$gic $common -kernel "$bin" $QEMU_EXTRA ;;
  loader@*) addr=${mode#loader@}
           exec qemu-system-aarch64 -M virt,gic-version=$gic $common \
             -device loader,file="$bin",addr="$addr",force-raw=on -device loader,addr="$addr",cpu-num=0 $QEMU_EXTRA ;;
  uboot)   kernel_addr_r=$(python3 "$(dirname "$0")/board.py" KERNEL_LOAD)   # board.h: U-Boot's kernel_addr_r
           exec qemu-system-aarch64 -M virt,gic-version=$gic $common -bios "${UBOOT_QEMU:-/usr/lib/u-boot/qemu_arm64/u-boot.bin}" \
             -device loader,file="$bin",addr="$kernel_addr_r",force-raw=on $QEMU_EXTRA ;;
  raspi3b) exec qemu-system-aarch64 -M raspi3b -display none -no-user-config -serial null -serial mon:stdio \
             -kernel "$bin" -dtb "$dtbs/bcm2837-rpi-3-b.dtb" $QEMU_EXTRA ;;
  raspi3b-pl011) exec qemu-system-aarch64 -M raspi3b -display none -no-user-config -serial mon:stdio -serial null \
             -kernel "$bin" -dtb "$dtbs/bcm2837-rpi-3-b.dtb" $QEMU_EXTRA ;;
  zcu102)  exec qemu-system-aarch64 -M xlnx-zcu102 -m 2G -display none -no-user-config -serial mon:stdio \
             -audiodev none,id=none -kernel "$bin" -dtb "$dtbs/zynqmp-zcu102-rev1.0.dtb" $QEMU_EXTRA ;;
  plain-el2) exec qemu-system-aarch64 -M virt,virtualization=on,gic-version=$gic $common -semihosting -kernel "$elf" $QEMU_EXTRA ;;
  *) echo "run.sh: unknown mode $mode" >&2; exit 2 ;;
esac
secure_log=$(dirname "$flash")/secure-uart.log
exec qemu-system-aarch64 -M "$machine" $common -serial "file:$secure_log" -semihosting \
  -drive if=pflash,unit=0,format=raw,file="$flash" $stub $QEMU_EXTRA "$@"
