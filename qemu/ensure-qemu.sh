#!/bin/sh
# Installs QEMU (Debian's qemu-system-arm package) when qemu-system-aarch64 is missing.
command -v qemu-system-aarch64 >/dev/null 2>&1 && exit 0
echo "qemu-system-aarch64 not found: installing Debian's qemu-system-arm package" >&2
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get install -y qemu-system-arm >/dev/null 2>&1 || {
    $SUDO apt-get update >/dev/null 2>&1 && $SUDO apt-get install -y qemu-system-arm >/dev/null 2>&1
} || { echo "could not install qemu-system-arm; install it and retry" >&2; exit 1; }
echo "installed $(qemu-system-aarch64 --version | head -1)" >&2
