#!/bin/sh
# Boots the firmware in QEMU with the console on stdio. Modes (docs/boot.md):
#   el2   two worlds, BL33 entered at EL2 (default)      el1   two worlds, virtualization=off
#   hvc   two worlds, shell at EL1 behind our EL2 stub   plain normal image alone on -M virt (EL1)
#   plain-el2   normal image alone on -M virt,virtualization=on
#   setway  normal image alone at EL1 under its EL2 stub with HCR_EL2.TSW: set/way self-test
#           (the proof build only: build/proof/normal.elf, `make run-proof MODE=setway`)
# Extra QEMU arguments come from QEMU_EXTRA (a later -m there overrides the 1 GiB below, e.g.
# QEMU_EXTRA="-m 4G"); CPU from QEMU_CPU (default max); the GIC from GIC_VERSION (default 3; 2
# gives a GICv2 with its memory-mapped CPU interface).
# KERNEL, INITRD and APPEND become -kernel, -initrd and -append: with firmware in flash QEMU only
# offers them through fw_cfg, where the normal world's `qfw load` and `boot` find them.
mode=${1:-el2}; flash=${2:-build/flash0.img}; elf=${3:-build/normal.elf}
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
  plain-el2) exec qemu-system-aarch64 -M virt,virtualization=on,gic-version=$gic $common -semihosting -kernel "$elf" $QEMU_EXTRA ;;
  *) echo "run.sh: unknown mode $mode" >&2; exit 2 ;;
esac
secure_log=$(dirname "$flash")/secure-uart.log
exec qemu-system-aarch64 -M "$machine" $common -serial "file:$secure_log" -semihosting \
  -drive if=pflash,unit=0,format=raw,file="$flash" $stub $QEMU_EXTRA "$@"
