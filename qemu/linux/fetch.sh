#!/bin/sh
# Fetches Debian's arm64 Linux kernel (linux-image-*-arm64) and busybox-static (arm64) with apt,
# and leaves build/linux/Image, build/linux/busybox and build/linux/efivarfs.ko (the UEFI boot's
# /init loads it: Debian builds efivarfs as a module). Cached: does nothing when all exist.
# Needs root on a Debian machine (it adds the arm64 architecture to dpkg, for downloads only).
set -eu
out=${1:-build/linux}
if [ -s "$out/Image" ] && [ -s "$out/busybox" ] && [ -s "$out/efivarfs.ko" ]; then exit 0; fi
mkdir -p "$out/debs" "$out/extract"
. "$(dirname "$0")/debian-arm64.sh"
kernel=$(debian_arm64_kernel)
echo "fetch.sh: $kernel and busybox-static (arm64)"
if ! ls "$out"/debs/"$kernel"_*.deb >/dev/null 2>&1 || ! ls "$out"/debs/busybox-static_*.deb >/dev/null 2>&1; then
    debian_arm64_download "$out/debs" "$kernel" busybox-static
fi
for deb in "$out"/debs/"$kernel"_*.deb "$out"/debs/busybox-static_*.deb; do dpkg-deb -x "$deb" "$out/extract"; done
image=$(ls "$out"/extract/boot/vmlinuz-* | head -n 1)
# Debian ships a plain Image on arm64; older or newer ones may be gzip-compressed.
if [ "$(od -An -tx1 -N2 "$image" | tr -d ' ')" = "1f8b" ]; then
    gzip -dc "$image" > "$out/Image"
else
    cp "$image" "$out/Image"
fi
cp "$out/extract/bin/busybox" "$out/busybox"
module=$(find "$out/extract/lib/modules" -name 'efivarfs.ko*' | head -n 1)
[ -n "$module" ] || { echo "fetch.sh: no efivarfs module in $kernel" >&2; exit 1; }
case "$module" in
    *.xz) xz -dc "$module" > "$out/efivarfs.ko" ;;
    *.zst) zstd -dcq "$module" > "$out/efivarfs.ko" ;;
    *) cp "$module" "$out/efivarfs.ko" ;;
esac
basename "$image" | sed 's/^vmlinuz-//' > "$out/version"
rm -rf "$out/extract"
